package io.flotilla.loadtests;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;

/**
 * Appends a dated section to {@code load-tests/RESULTS.md} (or the file named by the system property
 * {@code fleetbench.results}): a title, the command that produced it, the machine's state, then the tables.
 */
public final class Results {
    private Results() {}

    /** The file results go to. */
    public static Path file() {
        return Path.of(System.getProperty("fleetbench.results", "load-tests/RESULTS.md"));
    }

    /** The section header line's context: cores, load average now, max heap, Java version. */
    public static String machine() {
        String load;
        try {
            load = Files.readString(Path.of("/proc/loadavg")).trim();
        } catch (IOException e) {
            load = "unknown";
        }
        return "Machine: " + Runtime.getRuntime().availableProcessors() + " cores, shared (load average at the end: "
                + load + "), max heap " + Runtime.getRuntime().maxMemory() / 1048576 + " MB, Java "
                + System.getProperty("java.version") + ".";
    }

    /** Appends {@code ## title — date (`command`)}, the machine line and {@code body}; returns the file. */
    public static Path append(String title, String command, String body) throws IOException {
        Path results = file();
        String section = "\n## " + title + " — "
                + LocalDateTime.now().format(DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm"))
                + " (`" + command.trim() + "`)\n\n" + machine() + "\n\n" + body;
        Files.writeString(results, section, StandardCharsets.UTF_8, StandardOpenOption.CREATE,
                StandardOpenOption.APPEND);
        return results;
    }
}
