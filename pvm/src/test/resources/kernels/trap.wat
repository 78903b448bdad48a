;; Traps: the first kernel_run of a level reads Start_of_level, records its level at
;; /trap/level (a durable write made before the trap, which must be kept) and then, depending
;; on the level: 1 unreachable, 3 division by zero, 5 out-of-bounds load, 7 sets the reboot
;; flag and hits unreachable (the reboot still happens; the second run, reading Info_per_level,
;; returns normally). Other levels and later runs return normally, which clears
;; /readonly/kernel/env/stuck.
(module
  (import "smart_rollup_core" "read_input" (func $read_input (param i32 i32 i32) (result i32)))
  (import "smart_rollup_core" "store_write" (func $store_write (param i32 i32 i32 i32 i32) (result i32)))
  (memory (export "memory") 1)
  (data (i32.const 0) "/trap/level")
  (data (i32.const 32) "/kernel/env/reboot")
  (func (export "kernel_run")
    (local $l i32)
    (drop (call $read_input (i32.const 100) (i32.const 1024) (i32.const 4096)))
    (drop (call $store_write (i32.const 0) (i32.const 11) (i32.const 0) (i32.const 100) (i32.const 4)))
    (if (i32.ne (i32.load (i32.const 104)) (i32.const 0)) (then (return)))
    (local.set $l (i32.load (i32.const 100)))
    (if (i32.eq (local.get $l) (i32.const 1)) (then (unreachable)))
    (drop (i32.div_u (i32.const 1) (i32.sub (local.get $l) (i32.const 3))))
    (if (i32.eq (local.get $l) (i32.const 5)) (then (drop (i32.load (i32.const 70000)))))
    (if (i32.eq (local.get $l) (i32.const 7))
      (then
        (drop (call $store_write (i32.const 32) (i32.const 18) (i32.const 0) (i32.const 0) (i32.const 0)))
        (unreachable)))))
