#!/usr/bin/env bash
# A/B of JVM options (and JDKs) on bench.wat with the quick probe (no JMH), for a noisy 2-core box:
# every round runs every variant once, in a rotated order, for the metered and the unmetered
# compiler, plus gcc -O2 and node (V8) as fixed references; the summary gives per-round paired
# ratios against the first variant (the baseline) and each variant against V8 and gcc.
#
#   load-tests/bench-jvm-flags.sh [--no-build]
#
# Environment: ROUNDS (kernel rounds, 40), N (262144), REPEATS (kernel_run calls per JVM, 8; the
# first 3 are warm-up and dropped), AB_ROUNDS (5), MODES ("metered compiler"), VARIANTS (a file
# of `name|java binary|JVM options` lines; default: the list below), KERNEL (bench, or huge for
# HugeKernel: one wasm function over HotSpot's 8000-bytecode limit; no gcc/V8 references then).
# Raw outputs: load-tests/results/flags-<timestamp>/.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/.." && pwd)"
ROUNDS="${ROUNDS:-40}"
N="${N:-262144}"
REPEATS="${REPEATS:-8}"
AB_ROUNDS="${AB_ROUNDS:-5}"
MODES="${MODES:-metered compiler}"
KERNEL="${KERNEL:-bench}"
build=1; summarize=""
while [ $# -gt 0 ]; do
  case "$1" in
    --no-build) build=0 ;;
    --summarize) summarize="$2"; shift ;;
    *) echo "unknown option $1" >&2; exit 2 ;;
  esac
  shift
done

summary() {
python3 - "$1" "$AB_ROUNDS" "$MODES" "$KERNEL" <<'PY'
import math, os, re, statistics as st, sys
out, nr, modes, kernel = sys.argv[1], int(sys.argv[2]), sys.argv[3].split(), sys.argv[4]
names = [l.split('|')[0] for l in open(os.path.join(out, 'variants.txt')) if l.strip()]
def ext(p):
    d = {}
    for line in open(p):
        k, _, v = line.partition(' ')
        d[k] = v.strip()
    return d
def probe(p):
    ms, res = [], set()
    for line in open(p):
        m = re.match(r'\S+ ([0-9a-f]+) ([0-9.]+) ms', line)
        if m:
            res.add(m.group(1)); ms.append(float(m.group(2)))
    return ms[3:], res
refs = kernel == 'bench'
nan = float('nan')
gcc = [float(ext(os.path.join(out, f'r{r}-gcc.txt'))['median_ms']) if refs else nan for r in range(nr)]
v8 = [float(ext(os.path.join(out, f'r{r}-v8.txt'))['median_ms']) if refs else nan for r in range(nr)]
results = {ext(os.path.join(out, 'r0-gcc.txt'))['result'], ext(os.path.join(out, 'r0-v8.txt'))['result']} if refs else set()
print()
if refs:
    print('per-round medians (ms): gcc', ' '.join(f'{x:.1f}' for x in gcc), '| V8', ' '.join(f'{x:.1f}' for x in v8))
gm = lambda xs: nan if any(x != x for x in xs) else math.exp(sum(map(math.log, xs)) / len(xs))
print()
print(f"{'mode':<9}{'variant':<9}{'per-round median ms (steady runs)':<44}{'median':>8}{'/base':>7}{'range':>13}{'/V8':>7}{'/gcc':>7}")
for mode in modes:
    base = None
    for name in names:
        meds = []
        for r in range(nr):
            ms, res = probe(os.path.join(out, f'r{r}-{mode}-{name}.txt'))
            results |= res
            meds.append(st.median(ms) if ms else float('nan'))
        if base is None:
            base = meds
        ratios = [a / b for a, b in zip(meds, base)]
        print(f"{mode:<9}{name:<9}{' '.join(f'{x:.0f}' for x in meds):<44}{st.median(meds):>8.0f}"
              f"{gm(ratios):>7.2f}{min(ratios):>6.2f}-{max(ratios):<6.2f}"
              f"{gm([a / b for a, b in zip(meds, v8)]):>7.1f}{gm([a / b for a, b in zip(meds, gcc)]):>7.1f}")
print()
print('(/base, /V8, /gcc: geometric mean over rounds of the ratio within the round; range: of /base)')
print('results:', ' '.join(sorted(results)), '(agree)' if len(results) == 1 else '(DISAGREE!)')
PY
}
if [ -n "$summarize" ]; then summary "$summarize"; exit 0; fi

out="$here/results/flags-$(date +%Y%m%d-%H%M%S)"
mkdir -p "$out"
echo "results in $out"
if [ "$build" = 1 ]; then
  (cd "$root" && mvn -q -o install -DskipTests -pl pvm,load-tests)
fi
CP="$here/target/classes:$(sed "s#[^:]*flotilla-pvm-[^:]*\.jar#$root/pvm/target/classes#" "$here/target/classpath.txt")"

if [ -n "${VARIANTS:-}" ]; then
  cp "$VARIANTS" "$out/variants.txt"
else
  j17=java
  j25=/usr/lib/jvm/temurin-25-jdk-amd64/bin/java
  cat > "$out/variants.txt" <<EOF
base|$j17|-Xss4m
nohuge|$j17|-Xss4m -XX:-DontCompileHugeMethods
inline|$j17|-Xss4m -XX:FreqInlineSize=1000 -XX:MaxInlineSize=200 -XX:InlineSmallCode=6000
jdk25|$j25|-Xss4m
EOF
fi
cat "$out/variants.txt"

"java" -cp "$CP" io.flotilla.loadtests.pvm.BenchKernel write "$out/bench.wasm"
gcc -O2 -o "$out/bench-native" "$here/src/main/c/bench.c"
mapfile -t variants < "$out/variants.txt"
nv=${#variants[@]}

for ((r = 0; r < AB_ROUNDS; r++)); do
  echo "== round $r  (load: $(cut -d' ' -f1-3 /proc/loadavg))" | tee -a "$out/load.txt"
  if [ "$KERNEL" = bench ]; then
    "$out/bench-native" "$ROUNDS" "$N" 5 > "$out/r$r-gcc.txt"
    node "$here/src/main/js/bench.mjs" "$out/bench.wasm" "$ROUNDS" "$N" 5 3 > "$out/r$r-v8.txt"
  fi
  for mode in $MODES; do
    for ((k = 0; k < nv; k++)); do
      line="${variants[$(((k + r) % nv))]}"
      IFS='|' read -r name jbin opts <<< "$line"
      # shellcheck disable=SC2086
      "$jbin" $opts -Dbench.kernel="$KERNEL" -cp "$CP" io.flotilla.loadtests.pvm.BenchKernel run "$mode" "$ROUNDS" "$N" "$REPEATS" \
          > "$out/r$r-$mode-$name.txt" 2>&1 || echo "FAILED: $name $mode" | tee -a "$out/load.txt"
      echo "  $mode $name: $(awk '{print $3}' "$out/r$r-$mode-$name.txt" | tail -n +4 | tr '\n' ' ')"
    done
  done
done

summary "$out" | tee "$out/summary.txt"
