;; The echo kernel of the Octez documentation: each kernel_run reads one input; an external
;; message's payload, or an internal transfer's Micheline payload, is written to the outbox. The
;; kernel asks for a reboot until it has read End_of_level.
(module
  (import "smart_rollup_core" "read_input" (func $read_input (param i32 i32 i32) (result i32)))
  (import "smart_rollup_core" "write_output" (func $write_output (param i32 i32) (result i32)))
  (import "smart_rollup_core" "store_write" (func $store_write (param i32 i32 i32 i32 i32) (result i32)))
  (memory (export "memory") 1)
  (data (i32.const 100) "/kernel/env/reboot")
  (func (export "kernel_run")
    (local $n i32)
    (local.set $n (call $read_input (i32.const 0) (i32.const 1024) (i32.const 4096)))
    (if (i32.eqz (local.get $n)) (then (return)))
    ;; End_of_level (00 02): yield
    (if (i32.and (i32.eq (local.get $n) (i32.const 2))
                 (i32.and (i32.eqz (i32.load8_u (i32.const 1024)))
                          (i32.eq (i32.load8_u (i32.const 1025)) (i32.const 2))))
      (then (return)))
    ;; External (01 ++ payload)
    (if (i32.eq (i32.load8_u (i32.const 1024)) (i32.const 1))
      (then (drop (call $write_output (i32.const 1025) (i32.sub (local.get $n) (i32.const 1))))))
    ;; Transfer (00 00 ++ micheline ++ sender 20 ++ source 21 ++ destination 20)
    (if (i32.and (i32.and (i32.eqz (i32.load8_u (i32.const 1024)))
                          (i32.eqz (i32.load8_u (i32.const 1025))))
                 (i32.gt_u (local.get $n) (i32.const 63)))
      (then (drop (call $write_output (i32.const 1026) (i32.sub (local.get $n) (i32.const 63))))))
    ;; reboot to read the next input
    (drop (call $store_write (i32.const 100) (i32.const 18) (i32.const 0) (i32.const 0) (i32.const 0))))
)
