;; The state-heavy kernel of the snapshot benchmark (issue 7): a token ledger. Its state is a set of
;; 1,024 accounts in durable storage, /accounts/<3 hex digits>/balance and /nonce (int64 LE each; an
;; account never written holds 1,000,000 and nonce 0), and /ledger/transfers, the number of transfers
;; applied so far. Each external message is a batch of 72-byte transfers, as a batcher packs
;; them: from (u16 LE), to (u16 LE), amount (u32 LE), then a 64-byte signature that this kernel does
;; not verify (real ledgers do; the bytes are there so the inbox is as large as a real one). Account
;; numbers are taken modulo 1,024. A transfer moves the amount when the sender holds it and always
;; bumps the sender's nonce: up to three values rewritten per transfer. One kernel_run per level
;; reads every input (no reboot), like compute.wat.
(module
  (import "smart_rollup_core" "read_input" (func $read_input (param i32 i32 i32) (result i32)))
  (import "smart_rollup_core" "store_read" (func $store_read (param i32 i32 i32 i32 i32) (result i32)))
  (import "smart_rollup_core" "store_write" (func $store_write (param i32 i32 i32 i32 i32) (result i32)))
  (memory (export "memory") 1)
  (data (i32.const 0) "/accounts/000/balance")   ;; 21 bytes, digits at 10..12
  (data (i32.const 32) "/accounts/000/nonce")    ;; 19 bytes, digits at 42..44
  (data (i32.const 64) "/ledger/transfers")      ;; 17 bytes
  (data (i32.const 96) "0123456789abcdef")
  ;; 112: read_input's level/id; 128: an int64 value; 1024: the input (4,096 bytes)

  ;; both account keys name account $a
  (func $account (param $a i32)
    (local $d i32) (local $i i32)
    (local.set $i (i32.const 2))
    (loop $digits
      (local.set $d (i32.load8_u (i32.add (i32.const 96) (i32.and (local.get $a) (i32.const 15)))))
      (i32.store8 (i32.add (i32.const 10) (local.get $i)) (local.get $d))
      (i32.store8 (i32.add (i32.const 42) (local.get $i)) (local.get $d))
      (local.set $a (i32.shr_u (local.get $a) (i32.const 4)))
      (local.set $i (i32.sub (local.get $i) (i32.const 1)))
      (br_if $digits (i32.ge_s (local.get $i) (i32.const 0)))))

  ;; the int64 at $key, or $default when it has no value
  (func $get (param $key i32) (param $len i32) (param $default i64) (result i64)
    (if (result i64) (i32.eq (call $store_read (local.get $key) (local.get $len) (i32.const 0) (i32.const 128)
                                               (i32.const 8))
                             (i32.const 8))
      (then (i64.load (i32.const 128)))
      (else (local.get $default))))

  (func $put (param $key i32) (param $len i32) (param $v i64)
    (i64.store (i32.const 128) (local.get $v))
    (drop (call $store_write (local.get $key) (local.get $len) (i32.const 0) (i32.const 128) (i32.const 8))))

  (func (export "kernel_run")
    (local $n i32) (local $p i32) (local $end i32) (local $from i32) (local $to i32)
    (local $amount i64) (local $balance i64) (local $count i64)
    (block $done
      (loop $inputs
        (local.set $n (call $read_input (i32.const 112) (i32.const 1024) (i32.const 4096)))
        (br_if $done (i32.le_s (local.get $n) (i32.const 0)))
        ;; external messages (01 ++ payload) only
        (if (i32.eq (i32.load8_u (i32.const 1024)) (i32.const 1))
          (then
            (local.set $p (i32.const 1025))
            (local.set $end (i32.add (i32.const 1024) (local.get $n)))
            (block $batch_done
              (loop $batch
                (br_if $batch_done (i32.gt_u (i32.add (local.get $p) (i32.const 72)) (local.get $end)))
                (local.set $from (i32.and (i32.load16_u (local.get $p)) (i32.const 1023)))
                (local.set $to (i32.and (i32.load16_u (i32.add (local.get $p) (i32.const 2))) (i32.const 1023)))
                (local.set $amount (i64.extend_i32_u (i32.load (i32.add (local.get $p) (i32.const 4)))))
                (call $account (local.get $from))
                (local.set $balance (call $get (i32.const 0) (i32.const 21) (i64.const 1000000)))
                (if (i32.and (i64.ge_u (local.get $balance) (local.get $amount))
                             (i32.ne (local.get $from) (local.get $to)))
                  (then
                    (call $put (i32.const 0) (i32.const 21) (i64.sub (local.get $balance) (local.get $amount)))
                    (call $account (local.get $to))
                    (call $put (i32.const 0) (i32.const 21)
                          (i64.add (call $get (i32.const 0) (i32.const 21) (i64.const 1000000)) (local.get $amount)))
                    (call $account (local.get $from))))
                (call $put (i32.const 32) (i32.const 19)
                      (i64.add (call $get (i32.const 32) (i32.const 19) (i64.const 0)) (i64.const 1)))
                (local.set $count (i64.add (local.get $count) (i64.const 1)))
                (local.set $p (i32.add (local.get $p) (i32.const 72)))
                (br $batch)))))
        (br $inputs)))
    (call $put (i32.const 64) (i32.const 17)
          (i64.add (call $get (i32.const 64) (i32.const 17) (i64.const 0)) (local.get $count)))))
