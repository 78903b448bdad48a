package io.flotilla.node;

import static org.junit.jupiter.api.Assertions.*;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Drives {@code flotilla debugger} through its command line, as a kernel developer would in CI. */
class DebuggerCommandTest {

    @TempDir
    Path dir;

    private record Run(int exit, String out, String err) {}

    private Run run(String... args) {
        PrintStream oldOut = System.out;
        PrintStream oldErr = System.err;
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        try {
            System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
            System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
            int code = Flotilla.execute(args);
            return new Run(code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
        } finally {
            System.setOut(oldOut);
            System.setErr(oldErr);
        }
    }

    private Path echoKernel() throws Exception {
        Path k = dir.resolve("echo.wat");
        try (var in = getClass().getResourceAsStream("/kernels/echo.wat")) {
            Files.write(k, in.readAllBytes());
        }
        return k;
    }

    @Test
    void scriptedSessionRunsTheEchoKernel() throws Exception {
        Path inputs = dir.resolve("inputs.json");
        // an external message carrying an encoded outbox transaction (tag 0 batch, one transaction:
        // parameters Unit, destination KT1 (all zero), entrypoint "default"), and a transfer
        Files.writeString(inputs, """
                [ [ { "external": "0000000023030b010000000000000000000000000000000000000000000000000764656661756c74" },
                    { "payload": "Pair Unit False" } ],
                  [ ] ]
                """);
        Path script = dir.resolve("session.dbg");
        Files.writeString(script, String.join("\n",
                "show status", "load inputs", "show inbox", "step kernel_run", "step inbox",
                "show outbox at level 0", "show key /readonly/kernel/env/reboot_counter as i32",
                "show subkeys /kernel", "profile", "show key /nope", "frobnicate", "stop", "show status"));

        Run r = run("debugger", "--kernel", echoKernel().toString(), "--inputs", inputs.toString(),
                "--script", script.toString(), "--preimage-dir", dir.resolve("pre").toString());

        assertEquals(0, r.exit(), r.err());
        String out = r.out();
        assertTrue(out.startsWith("Status: Waiting for input\nInternal_status: Collect\n"), out);
        assertTrue(out.contains("Loaded 2 inputs at level 0"), out);
        assertTrue(out.contains("Inbox has 5 messages:"), out);
        assertTrue(out.contains("payload: Transfer{payload=Pair Unit False"), out);
        // one kernel_run after collection: 2 periods of 50T ticks
        assertTrue(out.contains("Evaluation took 100000000000000 ticks so far\nStatus: Evaluating"), out);
        // 5 inputs: 5 kernel_run calls + collection
        assertTrue(out.contains("Evaluation took 300000000000000 ticks so far\nStatus: Waiting for input"), out);
        assertTrue(out.contains("Outbox has 2 messages:"), out);
        assertTrue(out.contains("AtomicTransactionBatch[Transaction{destination=KT18amZmM5W7qDWVt2pH6uj7sCEd3kbzLrHT, entrypoint=default, parameters=Unit}]"), out);
        assertTrue(out.contains("1001\n"), out);
        assertTrue(out.contains("/boot.wasm\n/env\n"), out);
        assertTrue(out.contains("Level 1: 3 kernel_run calls"), out);
        assertTrue(out.contains("Key not found"), out);
        assertTrue(out.contains("Unknown command `frobnicate`"), out);
        // nothing after stop runs
        assertEquals(2, out.split("Status: Waiting for input", -1).length - 1 - 1, out);
    }

    @Test
    void refusesAFloatingPointKernelWithAClearError() throws Exception {
        Path k = dir.resolve("float.wat");
        Files.writeString(k, """
                (module (memory (export "memory") 1)
                  (func $f (result f32) (f32.add (f32.const 1) (f32.const 2)))
                  (func (export "kernel_run") (drop (call $f))))
                """);
        Run r = run("debugger", "--kernel", k.toString());
        assertEquals(2, r.exit());
        assertTrue(r.err().contains("refused (FORBIDDEN_FEATURE)"), r.err());
        assertTrue(r.err().contains("f32"), r.err());
    }

    @Test
    void reportsBadInputsFiles() throws Exception {
        Path inputs = dir.resolve("bad.json");
        Files.writeString(inputs, "[ [ { \"external\": \"zz\" } ] ]");
        Run r = run("debugger", "--kernel", echoKernel().toString(), "--inputs", inputs.toString());
        assertEquals(2, r.exit());
        assertTrue(r.err().contains("level 0, message 0"), r.err());
    }
}
