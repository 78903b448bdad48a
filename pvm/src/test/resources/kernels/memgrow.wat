;; Hostile: a memory.grow bomb. Grows one page at a time until memory.grow returns -1 (at
;; PvmConfig.maxMemoryPages), then asks for 65,536 pages and for 0xffffffff pages (both -1)
;; and 0 pages (the current size). Records: pages gained, memory.size, and the three results.
(module
  (import "smart_rollup_core" "store_write" (func $store_write (param i32 i32 i32 i32 i32) (result i32)))
  (memory (export "memory") 1)
;;@include results
  (func (export "kernel_run")
    (local $gained i32)
    (block $full
      (loop $more
        (br_if $full (i32.eq (memory.grow (i32.const 1)) (i32.const -1)))
        (local.set $gained (i32.add (local.get $gained) (i32.const 1)))
        (br $more)))
    (call $r32 (local.get $gained))
    (call $r32 (memory.size))
    (call $r32 (memory.grow (i32.const 65536)))
    (call $r32 (memory.grow (i32.const -1)))
    (call $r32 (memory.grow (i32.const 0)))))
