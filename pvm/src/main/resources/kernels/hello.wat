;; Says hello through write_debug at every kernel_run.
(module
  (import "smart_rollup_core" "write_debug" (func $write_debug (param i32 i32)))
  (memory (export "memory") 1)
  (data (i32.const 0) "Hello from kernel!\n")
  (func (export "kernel_run")
    (call $write_debug (i32.const 0) (i32.const 19))))
