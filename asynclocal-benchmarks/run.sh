#!/usr/bin/env bash
# Builds asynclocal-benchmarks, runs its JMH benchmarks with the GC profiler, the demo server's
# throughput and the Node.js peer, and regenerates docs/benchmarks.md and docs/benchmarks.svg.
#
#   asynclocal-benchmarks/run.sh [--quick] [--cpu LIST] [--no-build] [JMH name pattern ...]
#   asynclocal-benchmarks/run.sh [--quick] [--no-build] --throughput | --node
#   asynclocal-benchmarks/run.sh [--quick] [--no-build] --spring-boot[=VARIANTS]
#
#   --quick       1 fork, 1 warm-up iteration of 1 s, 2 measured iterations of 1 s (a pipeline check);
#                 throughput 2 rounds of 3 s warm-up + 5 s; Node shorter iterations
#   (default)     the full run: 2 forks, 3 warm-up and 5 measured iterations of 1 s each (about 40 min);
#                 throughput 4 rounds of 10 s warm-up + 20 s per server variant
#   --cpu LIST    pin the benchmark JVMs with `taskset -c LIST` (e.g. --cpu 1)
#   --no-build    reuse asynclocal-benchmarks/target/benchmarks.jar
#   --throughput  only the demo server's throughput (ServerThroughput), then the page again
#   --node        only the Node.js peer (run-node.sh), then the page again
#   --spring-boot only a Spring Boot MVC application with the starter against without it
#                 (SpringBootThroughput; VARIANTS e.g. none,starter,starter-no-executors, default
#                 none,starter): fresh server JVMs per round, loaded in turn in 2 s slices; full
#                 4 rounds of 20 s warm-up + 60 s measured per variant, quick 1 round of 10 s + 10 s;
#                 prints the Markdown for the page's static Spring Boot section, renders nothing
#   patterns      JMH regular expressions selecting benchmarks, e.g. GetBenchmark 'Run.*asyncLocal'
#
# Without patterns or --cpu, the executor-hop and CompletableFuture groups run a second time with
# the JVM pinned to one CPU (the last one), where thread wake-ups stop dominating their numbers.
# Without patterns (or with one naming an Agent group), group 7's plain-JDK rows run again with
# -javaagent (the agent rows). Without patterns the throughput and the Node.js peer run too. The page is rendered from the day's JMH result of the
# same mode, or the newest earlier one when --throughput or --node ran alone.
#
# The JDK: a JDK 25 or newer installed beside the default `java` (same parent directory, e.g.
# /usr/lib/jvm/*) if there is one, so that the ScopedValue rows are built and run; otherwise the
# default `java`. Results go to asynclocal-benchmarks/results/<date>[-quick].json.
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
root=$(dirname "$here")

usage() {
    sed -n '2,31s/^# \{0,1\}//p' "${BASH_SOURCE[0]}"
}

mode=full
cpus=""
build=1
only=""
patterns=()
while (($#)); do
    case "$1" in
        --quick) mode=quick ;;
        --full) mode=full ;;
        --cpu)
            [[ $# -ge 2 ]] || { echo "run.sh: --cpu needs a CPU list" >&2; exit 2; }
            cpus=$2
            shift
            ;;
        --no-build) build=0 ;;
        --throughput) only=throughput ;;
        --node) only=node ;;
        --spring-boot) only=spring-boot ;;
        --spring-boot=*) only=spring-boot; spring_variants=${1#--spring-boot=} ;;
        -h | --help) usage; exit 0 ;;
        --) shift; patterns+=("$@"); break ;;
        -*) echo "run.sh: unknown option $1" >&2; usage >&2; exit 2 ;;
        *) patterns+=("$1") ;;
    esac
    shift
done

# The Java feature version (17, 25, ...) of the JDK at $1, empty if it cannot be told.
feature_version() {
    local home=$1 version=""
    if [[ -f $home/release ]]; then
        version=$(sed -n 's/^JAVA_VERSION="\([0-9][0-9]*\).*/\1/p' "$home/release")
    fi
    if [[ -z $version && -x $home/bin/java ]]; then
        version=$("$home/bin/java" -XshowSettings:properties -version 2>&1 |
            sed -n 's/^ *java\.specification\.version = \([0-9][0-9]*\).*/\1/p')
    fi
    echo "$version"
}

default_java=$(command -v java) || { echo "run.sh: no java on the PATH" >&2; exit 1; }
default_home=$(dirname "$(dirname "$(readlink -f "$default_java")")")
jdk_home=$default_home
jdk_version=$(feature_version "$default_home")
if [[ ${jdk_version:-0} -lt 25 ]]; then
    for candidate in "$(dirname "$default_home")"/*; do
        [[ -x $candidate/bin/java && -x $candidate/bin/javac ]] || continue
        candidate=$(readlink -f "$candidate")
        version=$(feature_version "$candidate")
        if [[ -n $version && $version -ge 25 && $version -gt ${best_version:-0} ]]; then
            best_version=$version
            best_home=$candidate
        fi
    done
    if [[ -n ${best_home:-} ]]; then
        jdk_home=$best_home
        jdk_version=$best_version
    fi
fi
echo "run.sh: JDK $jdk_version at $jdk_home$([[ ${jdk_version:-0} -ge 25 ]] || echo ' (no JDK 25 found: no ScopedValue rows)')"
export JAVA_HOME=$jdk_home

if [[ $only == node ]]; then
    build=0   # the Node.js peer needs no Java build
fi
if ((build)); then
    # clean: the JDK 25 build adds classes a JDK 17 build must not see, and the other way round
    (cd "$root" && mvn -B -q -pl asynclocal-benchmarks -am -DskipTests clean package)
fi
jar=$here/target/benchmarks.jar
if [[ $only != node ]]; then
    [[ -f $jar ]] || { echo "run.sh: $jar is missing; run without --no-build" >&2; exit 1; }
fi
# the shaded agent jar the same build made (the benchmarks module depends on the agent module)
agent_jar=$(ls "$root"/asynclocal-agent/target/asynclocal-agent-*.jar 2>/dev/null | grep -v '/original-' | head -1 || true)

if [[ $mode == quick ]]; then
    jmh_options=(-f 1 -wi 1 -w 1s -i 2 -r 1s)
    suffix=-quick
else
    jmh_options=(-f 2 -wi 3 -w 1s -i 5 -r 1s)
    suffix=""
fi
mkdir -p "$here/results"
result=$here/results/$(date -u +%Y-%m-%d)$suffix.json

# The demo server under load; the server JVM on the last CPU, the load generator on the others.
run_throughput() {
    local out=$1 options
    if [[ $mode == quick ]]; then
        options=(--warmup 3 --measure 5 --rounds 2)
    else
        options=(--warmup 10 --measure 20 --rounds 4)
    fi
    local variants=none,agent,wrappers
    if [[ -z $agent_jar ]]; then
        echo "run.sh: no agent jar in asynclocal-agent/target; throughput without the agent variant" >&2
        variants=none,wrappers
    fi
    local client=()
    if command -v taskset >/dev/null && (($(nproc) >= 2)); then
        options+=(--server-cpus "$(($(nproc) - 1))")
        client=(taskset -c "0-$(($(nproc) - 2))")
    fi
    ${client[@]+"${client[@]}"} "$jdk_home/bin/java" -cp "$jar" dev.asynclocal.benchmarks.ServerThroughput \
        "${options[@]}" --variants "$variants" --agent-jar "${agent_jar:-none}" --out "$out"
}

# A Boot MVC application with the starter and without it (SpringBootThroughput), pinned like the
# demo server's run. Boot and the starter are not in benchmarks.jar: the build lists their jars.
run_spring_boot() {
    local out=$1 options classpath_file=$here/target/spring-boot-classpath.txt
    [[ -f $classpath_file ]] || { echo "run.sh: $classpath_file is missing; run without --no-build" >&2; exit 1; }
    if [[ $mode == quick ]]; then
        options=(--warmup 10 --measure 10 --slice 2 --rounds 1)
    else
        options=(--warmup 20 --measure 60 --slice 2 --rounds 4)
    fi
    local client=()
    if command -v taskset >/dev/null && (($(nproc) >= 2)); then
        options+=(--server-cpus "$(($(nproc) - 1))")
        client=(taskset -c "0-$(($(nproc) - 2))")
    fi
    ${client[@]+"${client[@]}"} "$jdk_home/bin/java" -cp "$jar:$(cat "$classpath_file")" \
        dev.asynclocal.benchmarks.SpringBootThroughput "${options[@]}" --variants "${spring_variants:-none,starter}" \
        --agent-jar "${agent_jar:-none}" --out "$out"
    python3 "$here/report.py" spring-boot "$out"
}

run_node() {
    "$here/run-node.sh" ${quick_flag:-} --out "$1"
}
quick_flag=""
[[ $mode == quick ]] && quick_flag=--quick

if [[ $only == spring-boot ]]; then
    # not on the generated part of the page: docs/benchmarks.md's Spring Boot section is static
    part=$here/results/$(date -u +%Y-%m-%d)$suffix-spring-boot.json
    run_spring_boot "$part"
    echo "run.sh: wrote $part"
    exit 0
fi

if [[ -n $only ]]; then
    # one part alone: render with the day's JMH result of this mode, else the newest earlier one
    if [[ ! -f $result ]]; then
        result=$(ls "$here"/results/*"$suffix".json 2>/dev/null | grep -E "/[0-9]{4}-[0-9]{2}-[0-9]{2}$suffix\.json$" |
            sort | tail -1 || true)
    fi
    [[ -n $result ]] || { echo "run.sh: no JMH result to render with; run.sh${quick_flag:+ $quick_flag} first" >&2; exit 1; }
    part=${result%.json}-$only.json
    if [[ $only == throughput ]]; then run_throughput "$part"; else run_node "$part"; fi
    python3 "$here/report.py" render "$result"
    echo "run.sh: wrote $part, docs/benchmarks.md and docs/benchmarks.svg"
    exit 0
fi

command=("$jdk_home/bin/java" -jar "$jar" -prof gc -rf json -rff "$result" "${jmh_options[@]}" "${patterns[@]}")
if [[ -n $cpus ]]; then
    command=(taskset -c "$cpus" "${command[@]}")
fi

load_before=$(cut -d' ' -f1-3 /proc/loadavg 2>/dev/null || true)
"${command[@]}"

pinned_cpu=""
pinned_result=${result%.json}-pinned.json
rm -f "$pinned_result"
if ((${#patterns[@]} == 0)) && [[ -z $cpus ]] && command -v taskset >/dev/null; then
    pinned_cpu=$(($(nproc) - 1))
    taskset -c "$pinned_cpu" "$jdk_home/bin/java" -jar "$jar" -prof gc -rf json -rff "$pinned_result" \
        "${jmh_options[@]}" 'ExecutorHopBenchmark|CompletableFutureChainBenchmark'
fi

# Group 7's agent rows: the plain-JDK benchmarks again, in forks started with the agent.
agent_result=${result%.json}-agent.json
rm -f "$agent_result"
if [[ -n $agent_jar ]] && { ((${#patterns[@]} == 0)) || [[ ${patterns[*]} == *Agent* ]]; }; then
    agent_command=("$jdk_home/bin/java" -jar "$jar" -prof gc -rf json -rff "$agent_result" "${jmh_options[@]}"
        -jvmArgsAppend "-javaagent:$agent_jar" 'Agent(Hop|Chain)Benchmark\.jdk$')
    [[ -n $cpus ]] && agent_command=(taskset -c "$cpus" "${agent_command[@]}")
    "${agent_command[@]}"
elif [[ -z $agent_jar ]]; then
    echo "run.sh: no agent jar in asynclocal-agent/target; no agent rows" >&2
fi

throughput_result=${result%.json}-throughput.json
node_result=${result%.json}-node.json
rm -f "$throughput_result" "$node_result"
if ((${#patterns[@]} == 0)); then
    run_throughput "$throughput_result"
    run_node "$node_result"
fi
load_after=$(cut -d' ' -f1-3 /proc/loadavg 2>/dev/null || true)

invocation="asynclocal-benchmarks/run.sh"
[[ $mode == quick ]] && invocation+=" --quick"
[[ -n $cpus ]] && invocation+=" --cpu $cpus"
((${#patterns[@]})) && invocation+=" ${patterns[*]}"
python3 "$here/report.py" env "${result%.json}.env.json" --mode "$mode" --cpus "$cpus" --pinned-cpu "$pinned_cpu" \
    --load-before "$load_before" --load-after "$load_after" --command "$invocation"
python3 "$here/report.py" render "$result"
echo "run.sh: wrote $result, docs/benchmarks.md and docs/benchmarks.svg"
