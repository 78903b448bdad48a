;; Reboot counter: every kernel_run appends /readonly/kernel/env/reboot_counter (i32 LE) to
;; /log and asks for a reboot, unless /threshold (i32 LE) exists and the counter is <= it. Without
;; /threshold it reboots forever: the PVM stops it after 1001 runs in the level, forces a yield
;; and sets /readonly/kernel/env/too_many_reboot.
(module
  (import "smart_rollup_core" "store_read" (func $store_read (param i32 i32 i32 i32 i32) (result i32)))
  (import "smart_rollup_core" "store_write" (func $store_write (param i32 i32 i32 i32 i32) (result i32)))
  (import "smart_rollup_core" "store_value_size" (func $size (param i32 i32) (result i32)))
  (memory (export "memory") 1)
  (data (i32.const 0) "/readonly/kernel/env/reboot_counter")
  (data (i32.const 64) "/log")
  (data (i32.const 96) "/threshold")
  (data (i32.const 128) "/kernel/env/reboot")
  (func (export "kernel_run")
    (local $s i32)
    (drop (call $store_read (i32.const 0) (i32.const 35) (i32.const 0) (i32.const 200) (i32.const 4)))
    (local.set $s (call $size (i32.const 64) (i32.const 4)))
    (if (i32.lt_s (local.get $s) (i32.const 0)) (then (local.set $s (i32.const 0))))
    (drop (call $store_write (i32.const 64) (i32.const 4) (local.get $s) (i32.const 200) (i32.const 4)))
    (if (i32.eq (call $store_read (i32.const 96) (i32.const 10) (i32.const 0) (i32.const 204) (i32.const 4)) (i32.const 4))
      (then (if (i32.le_s (i32.load (i32.const 200)) (i32.load (i32.const 204))) (then (return)))))
    (drop (call $store_write (i32.const 128) (i32.const 18) (i32.const 0) (i32.const 0) (i32.const 0)))))
