// Runs the benchmark kernel (bench.wasm, the *uninstrumented* module compiled from
// src/main/resources/bench/bench.wat) in V8 with stub host functions and times kernel_run.
//
//   node bench.mjs bench.wasm [rounds] [n] [repeats] [warmup]
// prints the 12-byte result passed to write_output (hex), then best and median ms of `repeats`
// warm calls, after `warmup` untimed calls, all on one instance (kernel_run re-initialises
// everything it reads apart from the rounds/n configuration words).
import { readFileSync } from 'node:fs';

const [file, roundsArg, nArg, repArg, warmArg] = process.argv.slice(2);
if (!file) {
  console.error('usage: node bench.mjs bench.wasm [rounds] [n] [repeats] [warmup]');
  process.exit(2);
}
const rounds = Number(roundsArg ?? 40);
const n = Number(nArg ?? 262144);
const repeats = Number(repArg ?? 10);
const warmup = Number(warmArg ?? 3);

let memory;
let output = null;
const unsupported = (name) => () => { throw new Error(`host function ${name} not stubbed`); };
const core = new Proxy({
  write_output: (ptr, len) => {
    output = Buffer.from(new Uint8Array(memory.buffer, ptr, len)).toString('hex');
    return 0;
  },
}, { get: (t, k) => t[k] ?? unsupported(String(k)) });

const { instance } = await WebAssembly.instantiate(readFileSync(file), { smart_rollup_core: core });
memory = instance.exports.memory;
const run = () => {
  const cfg = new Uint32Array(memory.buffer, 0, 2);
  cfg[0] = rounds;
  cfg[1] = n;
  instance.exports.kernel_run();
};
for (let i = 0; i < warmup; i++) run();
const times = [];
for (let i = 0; i < repeats; i++) {
  const t0 = process.hrtime.bigint();
  run();
  times.push(Number(process.hrtime.bigint() - t0) / 1e6);
}
times.sort((a, b) => a - b);
console.log(`result ${output}`);
console.log(`best_ms ${times[0].toFixed(3)}`);
console.log(`median_ms ${times[Math.floor(repeats / 2)].toFixed(3)}`);
