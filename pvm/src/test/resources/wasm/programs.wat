;; Test programs for the instrumenter: each export is run uninstrumented and instrumented, in
;; Chicory's interpreter and compiler, and must give the same results.
(module
  (import "smart_rollup_core" "write_debug" (func $dbg (param i32 i32)))
  (type $unop (func (param i32) (result i32)))
  (memory (export "memory") 1)
  (table 4 funcref)
  (elem (i32.const 0) $sq $dbl $neg $fib)
  (global $counter (export "counter") (mut i32) (i32.const 0))

  (func $kernel_run (export "kernel_run"))

  ;; a loop: sum of 1..n
  (func $sum (export "sum") (param $n i32) (result i64)
    (local $acc i64)
    (block $done
      (loop $next
        (br_if $done (i32.eqz (local.get $n)))
        (local.set $acc (i64.add (local.get $acc) (i64.extend_i32_u (local.get $n))))
        (local.set $n (i32.sub (local.get $n) (i32.const 1)))
        (br $next)))
    (local.get $acc))

  ;; nested blocks, br_table to outer labels, return, br to the function's label
  (func $classify (export "classify") (param $x i32) (result i32)
    (block $b2
      (block $b1
        (block $b0
          (br_table $b0 $b1 $b2 (local.get $x)))
        (return (i32.const 100)))
      (i32.const 200)
      (br 1))
    (if (result i32) (i32.gt_u (local.get $x) (i32.const 10))
      (then (i32.const 300))
      (else (i32.mul (local.get $x) (i32.const 3)))))

  ;; br_table whose targets include the function's label
  (func $brtab_fn (export "brtab_fn") (param $x i32) (result i32)
    (block $a (result i32)
      (i32.const 7)
      (local.get $x)
      (br_table $a 1 $a))
    (i32.const 1)
    (i32.add))

  ;; early return from inside a loop
  (func $find (export "find") (param $n i32) (result i32)
    (local $i i32)
    (loop $l
      (if (i32.eq (i32.mul (local.get $i) (local.get $i)) (local.get $n))
        (then (return (local.get $i))))
      (local.set $i (i32.add (local.get $i) (i32.const 1)))
      (br_if $l (i32.le_u (local.get $i) (local.get $n))))
    (i32.const -1))

  ;; recursion
  (func $fib (export "fib") (type $unop)
    (if (result i32) (i32.lt_u (local.get 0) (i32.const 2))
      (then (local.get 0))
      (else (i32.add (call $fib (i32.sub (local.get 0) (i32.const 1)))
                     (call $fib (i32.sub (local.get 0) (i32.const 2)))))))

  ;; bounded recursion: n + 1 frames
  (func $down (export "down") (param $n i32) (result i32)
    (if (result i32) (i32.eqz (local.get $n))
      (then (i32.const 0))
      (else (i32.add (i32.const 1) (call $down (i32.sub (local.get $n) (i32.const 1)))))))

  ;; call_indirect
  (func $sq (type $unop) (i32.mul (local.get 0) (local.get 0)))
  (func $dbl (type $unop) (i32.shl (local.get 0) (i32.const 1)))
  (func $neg (type $unop) (i32.sub (i32.const 0) (local.get 0)))
  (func $apply (export "apply") (param $f i32) (param $x i32) (result i32)
    (call_indirect (type $unop) (local.get $x) (local.get $f)))

  ;; host calls in a loop, memory and a global
  (func $log (export "log") (param $n i32) (result i32)
    (local $i i32)
    (i32.store (i32.const 0) (i32.const 0))
    (block $d
      (loop $l
        (br_if $d (i32.ge_u (local.get $i) (local.get $n)))
        (call $dbg (i32.const 0) (local.get $i))
        (i32.store (i32.const 0) (i32.add (i32.load (i32.const 0)) (local.get $i)))
        (global.set $counter (i32.add (global.get $counter) (i32.const 1)))
        (local.set $i (i32.add (local.get $i) (i32.const 1)))
        (br $l)))
    (i32.load (i32.const 0)))

  ;; unreachable code after branches, if without else, select, i64 arithmetic
  (func $misc (export "misc") (param $x i32) (result i64)
    (local $r i64)
    (block $out
      (if (i32.and (local.get $x) (i32.const 1))
        (then (local.set $r (i64.const 11))))
      (br_if $out (i32.gt_u (local.get $x) (i32.const 100)))
      (local.set $r (i64.add (local.get $r)
        (select (i64.const 5) (i64.const 9) (i32.lt_u (local.get $x) (i32.const 50)))))
      (br $out)
      (local.set $r (i64.const 999))
      (drop (i32.const 0)))
    (block $never
      (loop $l
        (br $never)
        (br $l)))
    (i64.mul (local.get $r) (i64.extend_i32_s (local.get $x))))

  ;; calls through several levels, returning through nested blocks
  (func $outer (export "outer") (param $x i32) (result i32)
    (block $b (result i32)
      (block $c
        (br_if $c (i32.eqz (local.get $x)))
        (br $b (call $apply (i32.const 0) (call $fib (local.get $x)))))
      (return (call $down (i32.const 3)))))

  ;; infinite loop
  (func $spin (export "spin")
    (loop $l (br $l)))

  ;; unbounded recursion
  (func $rec (export "rec")
    (global.set $counter (i32.add (global.get $counter) (i32.const 1)))
    (call $rec))

  ;; straight-line code: 4 instructions including the final end
  (func $three (export "three") (result i32)
    (i32.add (i32.const 1) (i32.const 2)))

  ;; 6 n + 3 instructions for n >= 1
  (func $count (export "count") (param $n i32)
    (loop $l
      (local.set $n (i32.sub (local.get $n) (i32.const 1)))
      (br_if $l (local.get $n))))
;; sign extension (WebAssembly 2.0, accepted): mixes all five operators
  (func $sext (export "sext") (param $x i64) (result i64)
    (i64.add
      (i64.add
        (i64.extend_i32_s (i32.extend8_s (i32.wrap_i64 (local.get $x))))
        (i64.extend_i32_s (i32.extend16_s (i32.wrap_i64 (local.get $x)))))
      (i64.add
        (i64.add (i64.extend8_s (local.get $x)) (i64.extend16_s (local.get $x)))
        (i64.extend32_s (local.get $x)))))

  ;; memory.fill then a checksum of the bytes around the filled range
  (func $fill (export "fill") (param $d i32) (param $v i32) (param $n i32) (result i64)
    (memory.fill (local.get $d) (local.get $v) (local.get $n))
    (call $sum8 (local.get $d) (local.get $n)))

  ;; memory.copy (possibly overlapping) of a pattern, then a checksum of the destination
  (func $copy (export "copy") (param $d i32) (param $s i32) (param $n i32) (result i64)
    (local $i i32)
    (block $done
      (loop $l
        (br_if $done (i32.ge_u (local.get $i) (i32.const 512)))
        (i32.store8 (local.get $i) (i32.mul (local.get $i) (i32.const 7)))
        (local.set $i (i32.add (local.get $i) (i32.const 1)))
        (br $l)))
    (memory.copy (local.get $d) (local.get $s) (local.get $n))
    (call $sum8 (local.get $d) (local.get $n)))

  ;; the sum of the bytes [p - 8, p + n + 8) clamped to [0, 65536), weighted by position
  (func $sum8 (param $p i32) (param $n i32) (result i64)
    (local $i i32) (local $end i32) (local $acc i64)
    (local.set $i (select (i32.sub (local.get $p) (i32.const 8)) (i32.const 0)
      (i32.ge_u (local.get $p) (i32.const 8))))
    (local.set $end (i32.add (local.get $p) (i32.add (local.get $n) (i32.const 8))))
    (if (i32.gt_u (local.get $end) (i32.const 65536)) (then (local.set $end (i32.const 65536))))
    (block $done
      (loop $l
        (br_if $done (i32.ge_u (local.get $i) (local.get $end)))
        (local.set $acc (i64.add (local.get $acc)
          (i64.mul (i64.extend_i32_u (i32.load8_u (local.get $i)))
                   (i64.extend_i32_u (i32.add (local.get $i) (i32.const 1))))))
        (local.set $i (i32.add (local.get $i) (i32.const 1)))
        (br $l)))
    (local.get $acc))

  ;; memory.fill of n bytes: 5 instructions (4 + the final end) plus the length charge
  (func $filln (export "filln") (param $n i32)
    (memory.fill (i32.const 0) (i32.const 7) (local.get $n)))

  ;; memory.copy of n bytes: 5 instructions plus the length charge
  (func $copyn (export "copyn") (param $n i32)
    (memory.copy (i32.const 0) (i32.const 0) (local.get $n)))

  ;; bulk operations in a loop, inside an if and after a call: the charges stay exact
  (func $bulkmix (export "bulkmix") (param $k i32) (result i64)
    (local $i i32)
    (loop $l
      (if (i32.and (local.get $i) (i32.const 1))
        (then (memory.fill (i32.mul (local.get $i) (i32.const 100)) (local.get $i) (local.get $i)))
        (else (memory.copy (i32.const 3000) (local.get $i) (i32.mul (local.get $i) (i32.const 3)))))
      (drop (call $three))
      (local.set $i (i32.add (local.get $i) (i32.const 1)))
      (br_if $l (i32.lt_u (local.get $i) (local.get $k))))
    (call $sum8 (i32.const 0) (i32.const 4000)))
)
