#!/usr/bin/env bash
# PVM execution and instantiation benchmarks: gcc -O2 native, node (V8) and JMH (Chicory).
#
#   load-tests/bench-pvm.sh [--quick] [--no-build] [--no-instantiate]
#
# Prints a ratio table (each Chicory mode's time / V8's and / gcc's, measured in this run), one
# bare echo level (LevelBenchmark) and the instantiation baseline vs image. Raw outputs go to load-tests/results/<timestamp>/.
# Environment: ROUNDS (40), N (262144), IROUNDS (rounds for the interpreter, 2).
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/.." && pwd)"
ROUNDS="${ROUNDS:-40}"
N="${N:-262144}"
IROUNDS="${IROUNDS:-2}"
build=1; instantiate=1; quick=0
for a in "$@"; do
  case "$a" in
    --no-build) build=0 ;;
    --no-instantiate) instantiate=0 ;;
    --quick) quick=1 ;;
    *) echo "unknown option $a" >&2; exit 2 ;;
  esac
done
# JMH iterations: short, for a 2-core machine
if [ "$quick" = 1 ]; then WI=2; MI=3; IT=1; else WI=3; MI=5; IT=2; fi

out="$here/results/$(date +%Y%m%d-%H%M%S)"
mkdir -p "$out"
echo "results in $out"

if [ "$build" = 1 ]; then
  # pvm and load-tests in one reactor, so the benchmark sees this tree's pvm, not ~/.m2's
  (cd "$root" && mvn -q -o install -DskipTests -pl pvm,load-tests)
fi
# the classpath from the dependency plugin names the installed pvm jar: use this tree's classes
CP="$here/target/classes:$(sed "s#[^:]*flotilla-pvm-[^:]*\.jar#$root/pvm/target/classes#" "$here/target/classpath.txt")"
# the JVM options the flotilla launcher runs kernels with (see RESULTS.md, "JIT flags")
JAVA=(java -Xss4m -XX:-DontCompileHugeMethods -cp "$CP")

"${JAVA[@]}" io.flotilla.loadtests.pvm.BenchKernel write "$out/bench.wasm"
gcc -O2 -o "$out/bench-native" "$here/src/main/c/bench.c"

run_native() { "$out/bench-native" "$1" "$N" "$2" | tee "$out/gcc-r$1.txt"; }
run_node() { node "$here/src/main/js/bench.mjs" "$out/bench.wasm" "$1" "$N" "$2" 3 | tee "$out/node-r$1.txt"; }

echo "== gcc -O2 (rounds=$ROUNDS, n=$N)"; run_native "$ROUNDS" 15
echo "== node $(node --version) (rounds=$ROUNDS)"; run_node "$ROUNDS" 15
echo "== gcc -O2 (rounds=$IROUNDS)"; run_native "$IROUNDS" 31
echo "== node (rounds=$IROUNDS)"; run_node "$IROUNDS" 31

jmh() { "${JAVA[@]}" org.openjdk.jmh.Main "$@"; }
echo "== JMH kernel_run: compiler, metered compiler (rounds=$ROUNDS)"
jmh KernelRunBenchmark -p mode=COMPILER,METERED -p rounds="$ROUNDS" -p n="$N" -p memory=image \
    -wi "$WI" -i "$MI" -rf json -rff "$out/jmh-exec.json" | tee "$out/jmh-exec.txt"
echo "== JMH kernel_run: metered compiler on Chicory's default memory (rounds=$ROUNDS)"
jmh KernelRunBenchmark -p mode=METERED -p rounds="$ROUNDS" -p n="$N" -p memory=plain \
    -wi "$WI" -i "$MI" -rf json -rff "$out/jmh-exec-plain.json" | tee "$out/jmh-exec-plain.txt"
echo "== JMH kernel_run: interpreter (rounds=$IROUNDS)"
jmh KernelRunBenchmark -p mode=INTERPRETER -p rounds="$IROUNDS" -p n="$N" -p memory=image \
    -wi "$IT" -i "$MI" -w 3 -r 3 -rf json -rff "$out/jmh-interp.json" | tee "$out/jmh-interp.txt"
echo "== JMH one bare echo level (Pvm.runLevel, 4 kernel_runs) on states keeping 10 and 3,000 outbox levels"
jmh LevelBenchmark -wi "$WI" -i "$MI" -rf json -rff "$out/jmh-level.json" | tee "$out/jmh-level.txt"
if [ "$instantiate" = 1 ]; then
  echo "== JMH instantiation of the generated 17-page kernel: plain (baseline) vs image"
  jmh InstantiateBenchmark -wi "$WI" -i "$MI" -rf json -rff "$out/jmh-inst.json" | tee "$out/jmh-inst.txt"
fi

python3 - "$out" "$ROUNDS" "$IROUNDS" <<'PY'
import json, os, re, sys
out, rounds, irounds = sys.argv[1], sys.argv[2], sys.argv[3]
def ext(name):
    d = {}
    for line in open(os.path.join(out, name)):
        k, _, v = line.partition(' ')
        d[k] = v.strip()
    return d
def jmh(name):
    p = os.path.join(out, name)
    return json.load(open(p)) if os.path.exists(p) else []
g, v = ext(f"gcc-r{rounds}.txt"), ext(f"node-r{rounds}.txt")
gi, vi = ext(f"gcc-r{irounds}.txt"), ext(f"node-r{irounds}.txt")
results = {g['result'], v['result']}
print()
print(f"results: gcc {g['result']}  V8 {v['result']}  " + ("(agree)" if len(results) == 1 else "(DISAGREE!)"))
print()
print(f"{'kernel_run':<34}{'rounds':>7}{'ms':>12}{'/ V8':>9}{'/ gcc':>9}")
def row(label, r, ms, vms, gms):
    print(f"{label:<34}{r:>7}{ms:>12.2f}{ms / vms:>9.2f}{ms / gms:>9.2f}")
row("gcc -O2 (best)", rounds, float(g['best_ms']), float(v['best_ms']), float(g['best_ms']))
row("V8 (best)", rounds, float(v['best_ms']), float(v['best_ms']), float(g['best_ms']))
row("gcc -O2 (median)", rounds, float(g['median_ms']), float(v['median_ms']), float(g['median_ms']))
row("V8 (median)", rounds, float(v['median_ms']), float(v['median_ms']), float(g['median_ms']))
for f in ("jmh-exec.json", "jmh-exec-plain.json", "jmh-interp.json"):
    for b in jmh(f):
        p = b['params']
        ms = b['primaryMetric']['score']
        err = b['primaryMetric']['scoreError']
        label = f"JMH {p['mode'].lower()} ({p['memory']} mem)"
        if p['rounds'] == rounds:
            row(label, rounds, ms, float(v['best_ms']), float(g['best_ms']))
        else:
            row(label, p['rounds'], ms, float(vi['best_ms']), float(gi['best_ms']))
print("(JMH: average time; ratios against V8's and gcc's best at the same rounds)")
level = jmh("jmh-level.json")
if level:
    print()
    print(f"{'bare echo level (Pvm.runLevel)':<46}{'us':>10}{'+-':>8}")
    for b in level:
        s, e = b['primaryMetric']['score'], b['primaryMetric']['scoreError']
        print(f"{'outbox levels kept: ' + b['params']['kept']:<46}{s:>10.1f}{e:>8.1f}")
inst = jmh("jmh-inst.json")
if inst:
    print()
    base = {}
    for b in inst:
        if b['params']['memory'] == 'plain':
            base[b['benchmark']] = b['primaryMetric']['score']
    print(f"{'instantiation (17 pages, ~380 KB)':<46}{'us':>10}{'+-':>8}{'/ plain':>9}")
    for b in inst:
        name = b['benchmark'].rsplit('.', 1)[1] + " " + b['params']['memory']
        s, e = b['primaryMetric']['score'], b['primaryMetric']['scoreError']
        print(f"{name:<46}{s:>10.1f}{e:>8.1f}{s / base[b['benchmark']]:>9.2f}")
PY
