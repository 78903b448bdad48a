  ;; ---- included by TestKernels (";;@include results"): the results recorder.
  ;; $rec appends one i64 (little-endian) to the value /results, so /results holds
  ;; every recorded value in order. The kernel must import $store_write. Uses
  ;; memory 65008..65023; tests keep clear of it.
  (global $rn (mut i32) (i32.const 0))
  (data (i32.const 65008) "/results")
  (func $rec (param $v i64)
    (i64.store (i32.const 65016) (local.get $v))
    (drop (call $store_write (i32.const 65008) (i32.const 8)
                             (i32.mul (global.get $rn) (i32.const 8)) (i32.const 65016) (i32.const 8)))
    (global.set $rn (i32.add (global.get $rn) (i32.const 1))))
  (func $r32 (param $v i32) (call $rec (i64.extend_i32_s (local.get $v))))
  ;; ---- end of include
