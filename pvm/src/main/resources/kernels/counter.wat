;; Keeps an int64 counter at /counter in durable storage, incremented at every kernel_run
;; (once per level: the kernel never reboots).
(module
  (import "smart_rollup_core" "store_read" (func $store_read (param i32 i32 i32 i32 i32) (result i32)))
  (import "smart_rollup_core" "store_write" (func $store_write (param i32 i32 i32 i32 i32) (result i32)))
  (memory (export "memory") 1)
  (data (i32.const 0) "/counter")
  (func (export "kernel_run")
    ;; reads 8 bytes at 16; -3 (no value yet) leaves zeros there
    (drop (call $store_read (i32.const 0) (i32.const 8) (i32.const 0) (i32.const 16) (i32.const 8)))
    (i64.store (i32.const 16) (i64.add (i64.load (i32.const 16)) (i64.const 1)))
    (drop (call $store_write (i32.const 0) (i32.const 8) (i32.const 0) (i32.const 16) (i32.const 8)))))
