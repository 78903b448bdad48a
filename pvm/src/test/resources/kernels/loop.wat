;; Hostile: an infinite loop. The metering budget (PvmConfig.gasPerKernelRun) runs out and the
;; PVM is stuck for good with Too_many_ticks.
(module
  (memory (export "memory") 1)
  (func (export "kernel_run")
    (loop $forever (br $forever))))
