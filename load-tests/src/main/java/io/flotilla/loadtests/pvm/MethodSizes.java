package io.flotilla.loadtests.pvm;

import com.dylibso.chicory.compiler.InterpreterFallback;
import com.dylibso.chicory.compiler.internal.Compiler;
import com.dylibso.chicory.wasm.Parser;
import io.flotilla.pvm.PvmVersion;
import io.flotilla.pvm.wasm.Instrumenter;
import io.flotilla.pvm.wasm.KernelValidator;
import io.flotilla.pvm.wasm.ValidatedKernel;
import java.io.DataInputStream;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Bytecode sizes of the JVM methods Chicory's compiler generates for a kernel, unmetered and
 * metered: HotSpot leaves methods over 8000 bytes of bytecode in its interpreter
 * ({@code -XX:+DontCompileHugeMethods}, the default) and inlines by bytecode size
 * ({@code -XX:MaxInlineSize=35}, {@code -XX:FreqInlineSize=325}).
 *
 * {@code MethodSizes bench|huge|big|FILE.wasm [dumpDir]}; prints the wasm functions' methods
 * ({@code func_N}) sorted by size, and the count above 325 and 8000 bytes.
 */
public final class MethodSizes {
    private MethodSizes() {}

    public static void main(String[] args) throws IOException {
        String what = args.length > 0 ? args[0] : "bench";
        byte[] wasm = switch (what) {
            case "bench" -> BenchKernel.wasm();
            case "huge" -> io.flotilla.pvm.KernelFiles.fromText(HugeKernel.wat(), "huge.wat");
            case "big" -> BigKernel.wasm();
            default -> Files.readAllBytes(Path.of(what));
        };
        ValidatedKernel vk = KernelValidator.validate(wasm, PvmVersion.DEFAULT);
        byte[] metered = Instrumenter.instrument(vk, PvmVersion.DEFAULT.maxCallDepth() - 1).wasm();
        report("unmetered", vk.bytes(), args.length > 1 ? Path.of(args[1], "unmetered") : null);
        report("metered", metered, args.length > 1 ? Path.of(args[1], "metered") : null);
    }

    private static void report(String label, byte[] wasm, Path dump) throws IOException {
        List<int[]> funcs = funcSizes(wasm, dump);
        long total = funcs.stream().mapToLong(f -> f[1]).sum();
        long over325 = funcs.stream().filter(f -> f[1] > 325).count();
        long over8000 = funcs.stream().filter(f -> f[1] > 8000).count();
        StringBuilder top = new StringBuilder();
        for (int i = 0; i < Math.min(8, funcs.size()); i++) {
            top.append(" func_").append(funcs.get(i)[0]).append('=').append(funcs.get(i)[1]);
        }
        System.out.printf("%-9s %d methods, %d bytes of bytecode, %d > 325 (FreqInlineSize), %d > 8000 (huge);"
                + " largest:%s%n", label, funcs.size(), total, over325, over8000, top);
    }

    /**
     * {wasm function index, bytecode size} of the method Chicory's compiler generates for each
     * compiled wasm function, largest first; the classes are written under {@code dump} if not null.
     */
    static List<int[]> funcSizes(byte[] wasm, Path dump) throws IOException {
        Map<String, byte[]> classes = Compiler.builder(Parser.parse(wasm))
                .withInterpreterFallback(InterpreterFallback.SILENT).build().compile().classBytes();
        List<int[]> funcs = new ArrayList<>();
        for (var e : classes.entrySet()) {
            if (dump != null) {
                Path p = dump.resolve(e.getKey().replace('.', '/') + ".class");
                Files.createDirectories(p.getParent());
                Files.write(p, e.getValue());
            }
            for (var m : codeLengths(e.getValue())) {
                if (m.name.matches("func_\\d+")) {
                    funcs.add(new int[] {Integer.parseInt(m.name.substring(5)), m.length});
                }
            }
        }
        funcs.sort((a, b) -> b[1] - a[1]);
        return funcs;
    }

    private record Method(String name, int length) {}

    /** The code_length of every method of a class file (JVMS 4.7.3). */
    static List<Method> codeLengths(byte[] cls) throws IOException {
        var in = new DataInputStream(new ByteArrayInputStream(cls));
        in.readInt();
        in.readUnsignedShort();
        in.readUnsignedShort();
        int cpCount = in.readUnsignedShort();
        String[] utf8 = new String[cpCount];
        for (int i = 1; i < cpCount; i++) {
            int tag = in.readUnsignedByte();
            switch (tag) {
                case 1 -> utf8[i] = in.readUTF();
                case 3, 4 -> in.skipNBytes(4);
                case 5, 6 -> { in.skipNBytes(8); i++; }
                case 7, 8, 16, 19, 20 -> in.skipNBytes(2);
                case 9, 10, 11, 12, 17, 18 -> in.skipNBytes(4);
                case 15 -> in.skipNBytes(3);
                default -> throw new IOException("constant pool tag " + tag);
            }
        }
        in.skipNBytes(6);
        in.skipNBytes(2L * in.readUnsignedShort());
        int fields = in.readUnsignedShort();
        for (int i = 0; i < fields; i++) {
            in.skipNBytes(6);
            skipAttributes(in);
        }
        List<Method> out = new ArrayList<>();
        int methods = in.readUnsignedShort();
        for (int i = 0; i < methods; i++) {
            in.skipNBytes(2);
            String name = utf8[in.readUnsignedShort()];
            in.skipNBytes(2);
            int attrs = in.readUnsignedShort();
            for (int a = 0; a < attrs; a++) {
                String an = utf8[in.readUnsignedShort()];
                int len = in.readInt();
                if (an.equals("Code")) {
                    in.skipNBytes(4);
                    int codeLength = in.readInt();
                    out.add(new Method(name, codeLength));
                    in.skipNBytes(len - 8);
                } else {
                    in.skipNBytes(len);
                }
            }
        }
        return out;
    }

    private static void skipAttributes(DataInputStream in) throws IOException {
        int n = in.readUnsignedShort();
        for (int i = 0; i < n; i++) {
            in.skipNBytes(2);
            in.skipNBytes(in.readInt());
        }
    }
}
