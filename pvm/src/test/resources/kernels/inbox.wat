;; Inbox recorder: one kernel_run reads every input of the level and stores message number i
;; (its id from the info record) at /in/<letter 'a'+i>, replacing the previous level's. Used to
;; check the inbox framing (Start_of_level, [Protocol_migration], Info_per_level, messages,
;; End_of_level) and as a deterministic corpus kernel.
(module
  (import "smart_rollup_core" "read_input" (func $read_input (param i32 i32 i32) (result i32)))
  (import "smart_rollup_core" "store_write" (func $store_write (param i32 i32 i32 i32 i32) (result i32)))
  (import "smart_rollup_core" "store_delete" (func $store_delete (param i32 i32) (result i32)))
  (memory (export "memory") 1)
  (data (i32.const 0) "/in/a")
  (func (export "kernel_run")
    (local $n i32)
    (loop $next
      (local.set $n (call $read_input (i32.const 100) (i32.const 1024) (i32.const 4096)))
      (if (i32.eqz (local.get $n)) (then (return)))
      (i32.store8 (i32.const 4) (i32.add (i32.const 97) (i32.load (i32.const 104))))
      (drop (call $store_delete (i32.const 0) (i32.const 5)))
      (if (i32.gt_u (local.get $n) (i32.const 2048))
        (then
          (drop (call $store_write (i32.const 0) (i32.const 5) (i32.const 0) (i32.const 1024) (i32.const 2048)))
          (drop (call $store_write (i32.const 0) (i32.const 5) (i32.const 2048) (i32.const 3072)
                                   (i32.sub (local.get $n) (i32.const 2048)))))
        (else
          (drop (call $store_write (i32.const 0) (i32.const 5) (i32.const 0) (i32.const 1024) (local.get $n)))))
      (br $next))))
