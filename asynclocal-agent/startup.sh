#!/usr/bin/env bash
# Measures what -javaagent:asynclocal-agent.jar adds to the start-up of a hello-world program.
#
#   asynclocal-agent/startup.sh [java_home ...]     (after: mvn -pl asynclocal-agent -am package)
#
# Uses hyperfine when it is installed (apt-get install hyperfine), otherwise times RUNS runs of
# each command in a loop. Prints the mean wall-clock time with and without the agent, per JDK.
set -euo pipefail
cd "$(dirname "$0")"
jar=$(ls target/asynclocal-agent-*.jar 2>/dev/null | grep -v original | head -1 || true)
[ -n "$jar" ] || { echo "build the agent first: mvn -pl asynclocal-agent -am package" >&2; exit 1; }
jar=$(readlink -f "$jar")
runs=${RUNS:-20}
homes=("$@")
if [ ${#homes[@]} -eq 0 ]; then
  homes=("$(dirname "$(dirname "$(readlink -f "$(command -v java)")")")")
fi

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cat > "$work/Hello.java" <<'JAVA'
public class Hello {
    public static void main(String[] args) {
        System.out.println("hello");
    }
}
JAVA

for home in "${homes[@]}"; do
  "$home/bin/javac" --release 17 -d "$work" "$work/Hello.java"
  plain="$home/bin/java -cp $work Hello"
  agent="$home/bin/java -javaagent:$jar -cp $work Hello"
  version=$("$home/bin/java" -XshowSettings:properties -version 2>&1 | awk -F'= ' '/java.runtime.version/{print $2}')
  echo "== $version ($home)"
  if command -v hyperfine >/dev/null 2>&1; then
    hyperfine --style basic --warmup 3 --runs "$runs" -n plain "$plain" -n agent "$agent"
  else
    for name in plain agent; do
      cmd=${!name}
      $cmd >/dev/null; $cmd >/dev/null
      start=$(date +%s%N)
      for _ in $(seq "$runs"); do $cmd >/dev/null; done
      end=$(date +%s%N)
      echo "$name: $(( (end - start) / runs / 1000000 )) ms mean over $runs runs"
    done
  fi
done
