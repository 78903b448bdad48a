;; Flotilla PVM benchmark kernel: a deterministic integer workload.
;;
;; Memory layout (8 pages):
;;   0   rounds  (i32, default 40)       -- the harness may overwrite it before kernel_run
;;   4   n       (i32, default 262144)   -- sieve size in bytes, multiple of 4, <= 393216
;;   16  result  (i64: mixed hash xor gcd sum)
;;   24  primes  (i32: primes counted over all rounds)
;;   65536 .. 65536+n  the sieve / mixing area
;;
;; Each round r (n_r = n - 64 * r):
;;   1. sieve of Eratosthenes over [0, n_r) with one byte per number, then count the primes;
;;   2. a hash-like mixing pass over the sieve area, one call to $mix per 32-bit word, writing
;;      the low half of the running hash back into the word;
;;   3. 2000 recursive gcd computations.
;; The 12-byte result at 16 is published with write_output so the work is observable.
;; The same algorithm is in src/main/c/bench.c; src/main/js/bench.mjs runs this module in V8.
(module
  (type $wo (func (param i32 i32) (result i32)))
  (import "smart_rollup_core" "write_output" (func $write_output (type $wo)))
  (memory (export "memory") 8)
  (data (i32.const 0) "\28\00\00\00\00\00\04\00")
  (global $base i32 (i32.const 65536))

  ;; h' = rotl((h ^ x) * FNV64_PRIME, 29)
  (func $mix (param $h i64) (param $x i32) (result i64)
    (i64.rotl
      (i64.mul
        (i64.xor (local.get $h) (i64.extend_i32_u (local.get $x)))
        (i64.const 0x100000001b3))
      (i64.const 29)))

  ;; number of primes below $n
  (func $sieve (param $n i32) (result i32)
    (local $i i32) (local $j i32) (local $count i32)
    (block $fill_done
      (loop $fill
        (br_if $fill_done (i32.ge_u (local.get $i) (local.get $n)))
        (i32.store (i32.add (global.get $base) (local.get $i)) (i32.const 0x01010101))
        (local.set $i (i32.add (local.get $i) (i32.const 4)))
        (br $fill)))
    (i32.store16 (global.get $base) (i32.const 0))
    (local.set $i (i32.const 2))
    (block $outer_done
      (loop $outer
        (br_if $outer_done (i32.gt_u (i32.mul (local.get $i) (local.get $i)) (local.get $n)))
        (if (i32.load8_u (i32.add (global.get $base) (local.get $i)))
          (then
            (local.set $j (i32.mul (local.get $i) (local.get $i)))
            (block $inner_done
              (loop $inner
                (br_if $inner_done (i32.ge_u (local.get $j) (local.get $n)))
                (i32.store8 (i32.add (global.get $base) (local.get $j)) (i32.const 0))
                (local.set $j (i32.add (local.get $j) (local.get $i)))
                (br $inner)))))
        (local.set $i (i32.add (local.get $i) (i32.const 1)))
        (br $outer)))
    (local.set $i (i32.const 0))
    (block $count_done
      (loop $count_loop
        (br_if $count_done (i32.ge_u (local.get $i) (local.get $n)))
        (local.set $count
          (i32.add (local.get $count) (i32.load8_u (i32.add (global.get $base) (local.get $i)))))
        (local.set $i (i32.add (local.get $i) (i32.const 1)))
        (br $count_loop)))
    (local.get $count))

  ;; mixes every 32-bit word of the area into $h and writes the low half back
  (func $hash (param $h i64) (param $n i32) (result i64)
    (local $i i32) (local $addr i32)
    (block $done
      (loop $next
        (br_if $done (i32.ge_u (local.get $i) (local.get $n)))
        (local.set $addr (i32.add (global.get $base) (local.get $i)))
        (local.set $h (call $mix (local.get $h) (i32.load (local.get $addr))))
        (i32.store (local.get $addr) (i32.wrap_i64 (local.get $h)))
        (local.set $i (i32.add (local.get $i) (i32.const 4)))
        (br $next)))
    (local.get $h))

  (func $gcd (param $a i32) (param $b i32) (result i32)
    (if (result i32) (i32.eqz (local.get $b))
      (then (local.get $a))
      (else (call $gcd (local.get $b) (i32.rem_u (local.get $a) (local.get $b))))))

  ;; sum of gcd(k * 7919 + r, 65537 - k) for k in [1, 2000]
  (func $gcd_sum (param $r i32) (result i32)
    (local $k i32) (local $s i32)
    (local.set $k (i32.const 1))
    (block $done
      (loop $next
        (br_if $done (i32.gt_u (local.get $k) (i32.const 2000)))
        (local.set $s
          (i32.add (local.get $s)
            (call $gcd
              (i32.add (i32.mul (local.get $k) (i32.const 7919)) (local.get $r))
              (i32.sub (i32.const 65537) (local.get $k)))))
        (local.set $k (i32.add (local.get $k) (i32.const 1)))
        (br $next)))
    (local.get $s))

  (func (export "kernel_run")
    (local $r i32) (local $rounds i32) (local $n i32) (local $nr i32)
    (local $h i64) (local $primes i32) (local $g i32)
    (local.set $rounds (i32.load (i32.const 0)))
    (local.set $n (i32.load (i32.const 4)))
    (local.set $h (i64.const 0xcbf29ce484222325))
    (block $done
      (loop $round
        (br_if $done (i32.ge_u (local.get $r) (local.get $rounds)))
        (local.set $nr (i32.sub (local.get $n) (i32.shl (local.get $r) (i32.const 6))))
        (local.set $primes (i32.add (local.get $primes) (call $sieve (local.get $nr))))
        (local.set $h
          (call $hash
            (i64.xor (local.get $h) (i64.extend_i32_u (local.get $primes)))
            (local.get $nr)))
        (local.set $g (i32.add (local.get $g) (call $gcd_sum (local.get $r))))
        (local.set $r (i32.add (local.get $r) (i32.const 1)))
        (br $round)))
    (i64.store (i32.const 16) (i64.xor (local.get $h) (i64.extend_i32_u (local.get $g))))
    (i32.store (i32.const 24) (local.get $primes))
    (drop (call $write_output (i32.const 16) (i32.const 12))))
)
