#!/usr/bin/env bash
# Fleet throughput (issue 6): one node, N rollups on an in-process manual sandbox L1, L levels with one
# external message each; rollup-levels/s, latency p50/p99, heap per rollup, context-store write rates,
# and the bare PVM over the same inboxes as baseline (same JVM, same run). See FleetBench.
#
#   load-tests/bench-fleet.sh [--no-build] [--rollups N[,N...]] [--levels L] [--kernel echo|counter|compute]
#                             [--embedded|--memory|--cassandra HOST:PORT] [--ahead K] [--record]
#
# --record appends a dated section to load-tests/RESULTS.md. Environment: JAVA_OPTS (default -Xmx6g).
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/.." && pwd)"
build=1; args=()
for a in "$@"; do
  case "$a" in
    --no-build) build=0 ;;
    *) args+=("$a") ;;
  esac
done
if [ "$build" = 1 ]; then
  (cd "$root" && mvn -q -o package -DskipTests -pl load-tests -am)
fi
CP="$here/target/classes:$(cat "$here/target/classpath.txt")"
cd "$root"
# shellcheck disable=SC2086
exec java -Xss4m -XX:-DontCompileHugeMethods ${JAVA_OPTS:--Xmx6g} -cp "$CP" \
    -Dfleetbench.results="$here/RESULTS.md" io.flotilla.loadtests.fleet.FleetBench "${args[@]}"
