;; The compute-heavy kernel of the fleet benchmark (issue 6): one kernel_run per level (no reboot).
;; It folds its rollup address (reveal_metadata, so rollups with the same inbox still differ) and
;; every input of the level into a 64-bit state (FNV-1a over the bytes), then makes ROUNDS passes
;; of integer mixing over a 16 KB buffer (2,048 i64 words at 8192), and keeps the state at /state
;; and the buffer's first 2 KB at /buffer, so every level stores new durable values.
;; ROUNDS = 320: about 10 million metered instructions per level (an echo level is a few thousand).
(module
  (import "smart_rollup_core" "read_input" (func $read_input (param i32 i32 i32) (result i32)))
  (import "smart_rollup_core" "store_read" (func $store_read (param i32 i32 i32 i32 i32) (result i32)))
  (import "smart_rollup_core" "store_write" (func $store_write (param i32 i32 i32 i32 i32) (result i32)))
  (import "smart_rollup_core" "reveal_metadata" (func $reveal_metadata (param i32 i32) (result i32)))
  (memory (export "memory") 1)
  (data (i32.const 0) "/state")
  (data (i32.const 8) "/buffer")
  (func (export "kernel_run")
    (local $n i32) (local $i i32) (local $r i32) (local $p i32) (local $h i64) (local $w i64)
    ;; the state of the previous level; -3 (none yet) leaves zeros
    (drop (call $store_read (i32.const 0) (i32.const 6) (i32.const 0) (i32.const 16) (i32.const 8)))
    (drop (call $store_read (i32.const 8) (i32.const 7) (i32.const 0) (i32.const 8192) (i32.const 2048)))
    (local.set $h (i64.xor (i64.load (i32.const 16)) (i64.const 0xcbf29ce484222325)))
    ;; the metadata (address 20 bytes + origination level) first, then every input of the level, byte by byte
    (local.set $n (call $reveal_metadata (i32.const 1024) (i32.const 24)))
    (block $done
      (loop $inputs
        (br_if $done (i32.le_s (local.get $n) (i32.const 0)))
        (local.set $i (i32.const 0))
        (block $end
          (loop $bytes
            (br_if $end (i32.eq (local.get $i) (local.get $n)))
            (local.set $h (i64.mul (i64.xor (local.get $h)
                                            (i64.load8_u (i32.add (i32.const 1024) (local.get $i))))
                                   (i64.const 0x100000001b3)))
            (local.set $i (i32.add (local.get $i) (i32.const 1)))
            (br $bytes)))
        (local.set $n (call $read_input (i32.const 32) (i32.const 1024) (i32.const 4096)))
        (br $inputs)))
    ;; the compute: ROUNDS passes over the buffer
    (local.set $r (i32.const 0))
    (block $rounds_done
      (loop $rounds
        (br_if $rounds_done (i32.eq (local.get $r) (i32.const 320)))
        (local.set $p (i32.const 8192))
        (block $pass_done
          (loop $pass
            (br_if $pass_done (i32.eq (local.get $p) (i32.const 24576)))
            (local.set $w (i64.add (i64.mul (i64.xor (i64.load (local.get $p)) (local.get $h))
                                            (i64.const 0x9e3779b97f4a7c15))
                                   (i64.extend_i32_u (local.get $r))))
            (i64.store (local.get $p) (local.get $w))
            (local.set $h (i64.rotl (i64.xor (local.get $h) (local.get $w)) (i64.const 27)))
            (local.set $p (i32.add (local.get $p) (i32.const 8)))
            (br $pass)))
        (local.set $r (i32.add (local.get $r) (i32.const 1)))
        (br $rounds)))
    (i64.store (i32.const 16) (local.get $h))
    (drop (call $store_write (i32.const 0) (i32.const 6) (i32.const 0) (i32.const 16) (i32.const 8)))
    (drop (call $store_write (i32.const 8) (i32.const 7) (i32.const 0) (i32.const 8192) (i32.const 2048)))))
