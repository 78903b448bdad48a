;; Kernel upgrade: each kernel_run reads inputs until an external message (01 ++ payload) and
;; installs its payload as the new kernel: /kernel/boot.wasm is deleted, rewritten in 2048-byte
;; chunks, and the reboot flag set, so the new kernel runs at the next reboot of the same level.
;; Every run marks /upgrade/alive. Without an external message the level ends after one run.
(module
  (import "smart_rollup_core" "read_input" (func $read_input (param i32 i32 i32) (result i32)))
  (import "smart_rollup_core" "store_write" (func $store_write (param i32 i32 i32 i32 i32) (result i32)))
  (import "smart_rollup_core" "store_delete" (func $store_delete (param i32 i32) (result i32)))
  (memory (export "memory") 1)
  (data (i32.const 0) "/kernel/boot.wasm")
  (data (i32.const 32) "/kernel/env/reboot")
  (data (i32.const 64) "/upgrade/alive")
  (func (export "kernel_run")
    (local $n i32) (local $len i32)
    (drop (call $store_write (i32.const 64) (i32.const 14) (i32.const 0) (i32.const 0) (i32.const 0)))
    (loop $next
      (local.set $n (call $read_input (i32.const 100) (i32.const 1024) (i32.const 4096)))
      (if (i32.eqz (local.get $n)) (then (return)))
      (if (i32.eq (i32.load8_u (i32.const 1024)) (i32.const 1))
        (then
          (local.set $len (i32.sub (local.get $n) (i32.const 1)))
          (drop (call $store_delete (i32.const 0) (i32.const 17)))
          (if (i32.gt_u (local.get $len) (i32.const 2048))
            (then
              (drop (call $store_write (i32.const 0) (i32.const 17) (i32.const 0) (i32.const 1025) (i32.const 2048)))
              (drop (call $store_write (i32.const 0) (i32.const 17) (i32.const 2048) (i32.const 3073)
                                       (i32.sub (local.get $len) (i32.const 2048)))))
            (else
              (drop (call $store_write (i32.const 0) (i32.const 17) (i32.const 0) (i32.const 1025) (local.get $len)))))
          (drop (call $store_write (i32.const 32) (i32.const 18) (i32.const 0) (i32.const 0) (i32.const 0)))
          (return)))
      (br $next))))
