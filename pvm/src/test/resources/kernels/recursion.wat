;; Hostile: deep recursion. kernel_run calls $down(D) which recurses to $down(0), so D + 2 wasm
;; frames are active at the bottom; D is read from /depth (i32 LE, default 100). On reaching the
;; bottom it writes D to /reached. Beyond the version's call-stack limit (300 frames in 2.0.0,
;; 60,000 from 2.0.0-r1) the PVM is stuck for good ("call stack exhausted").
(module
  (import "smart_rollup_core" "store_read" (func $store_read (param i32 i32 i32 i32 i32) (result i32)))
  (import "smart_rollup_core" "store_write" (func $store_write (param i32 i32 i32 i32 i32) (result i32)))
  (memory (export "memory") 1)
  (data (i32.const 0) "/depth")
  (data (i32.const 32) "/reached")
  (func $down (param $n i32)
    (if (local.get $n)
      (then (call $down (i32.sub (local.get $n) (i32.const 1))))
      (else (drop (call $store_write (i32.const 32) (i32.const 8) (i32.const 0) (i32.const 200) (i32.const 4)))))
  )
  (func (export "kernel_run")
    (if (i32.ne (call $store_read (i32.const 0) (i32.const 6) (i32.const 0) (i32.const 200) (i32.const 4)) (i32.const 4))
      (then (i32.store (i32.const 200) (i32.const 100))))
    (call $down (i32.load (i32.const 200)))))
