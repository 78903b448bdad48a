package io.flotilla.cluster;

import static org.junit.jupiter.api.Assertions.*;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.MappingIterator;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import io.flotilla.node.ClusterSetup;
import io.flotilla.node.Flotilla;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * The deployment files of cluster-config/ as a deployer would use them: every Kubernetes YAML document parses and has
 * the fields its kind needs, the references between them hold (service selectors, the StatefulSet's headless service,
 * ConfigMap keys), and the HOCON templates (and the ConfigMap's node.conf) are read by the node's own
 * {@link ClusterSetup} into the intended settings. Docker is not at hand in the build, so the image's Dockerfile is
 * checked against the manifests that run it (image tag, ports, paths, user, entrypoint and arguments) rather than
 * built.
 */
class DeploymentFilesTest {

    static final Path MODULE = Path.of(System.getProperty("user.dir"));
    static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());

    @TempDir
    Path tmp;

    static List<JsonNode> manifests() throws IOException {
        List<JsonNode> docs = new ArrayList<>();
        try (Stream<Path> files = Files.list(MODULE.resolve("k8s"))) {
            for (Path f : files.filter(p -> p.toString().endsWith(".yaml")).sorted().toList()) {
                try (MappingIterator<JsonNode> it = YAML.readerFor(JsonNode.class).readValues(f.toFile())) {
                    while (it.hasNext()) {
                        JsonNode d = it.next();
                        if (d != null && !d.isNull() && !d.isEmpty()) {
                            docs.add(d);
                        }
                    }
                }
            }
        }
        return docs;
    }

    private static String text(JsonNode n, String pointer, String what) {
        JsonNode v = n.at(pointer);
        assertTrue(v.isTextual() && !v.asText().isBlank(), what + ": " + pointer + " is missing");
        return v.asText();
    }

    @Test
    void everyManifestParsesAndHasWhatItsKindNeeds() throws Exception {
        List<JsonNode> docs = manifests();
        Map<String, JsonNode> byKindName = new HashMap<>();
        for (JsonNode d : docs) {
            String kind = text(d, "/kind", "a document");
            String name = text(d, "/metadata/name", kind);
            text(d, "/apiVersion", kind + " " + name);
            if (!kind.equals("Namespace")) {
                assertEquals("flotilla", text(d, "/metadata/namespace", kind + " " + name));
            }
            assertNull(byKindName.put(kind + "/" + name, d), "two " + kind + "s named " + name);
        }
        for (String want : List.of("Namespace/flotilla", "ConfigMap/flotilla-config", "Service/flotilla",
                "StatefulSet/flotilla", "Service/flotilla-api", "Deployment/flotilla-l1-sandbox")) {
            assertTrue(byKindName.containsKey(want), want + " missing; have " + byKindName.keySet());
        }

        JsonNode sts = byKindName.get("StatefulSet/flotilla");
        JsonNode headless = byKindName.get("Service/" + text(sts, "/spec/serviceName", "StatefulSet"));
        assertNotNull(headless, "the StatefulSet's serviceName names a Service");
        assertEquals("None", headless.at("/spec/clusterIP").asText(), "seed discovery needs a headless service");
        assertTrue(sts.at("/spec/replicas").asInt() >= 3, "three nodes at least (keep-majority)");
        JsonNode configMap = byKindName.get("ConfigMap/flotilla-config");

        for (JsonNode d : docs) {
            String kind = d.at("/kind").asText();
            if (kind.equals("StatefulSet") || kind.equals("Deployment")) {
                JsonNode match = d.at("/spec/selector/matchLabels");
                JsonNode labels = d.at("/spec/template/metadata/labels");
                assertFalse(match.isMissingNode() || match.isEmpty(), kind + ": spec.selector.matchLabels");
                match.fields().forEachRemaining(e -> assertEquals(e.getValue(), labels.get(e.getKey()),
                        kind + ": the template carries selector label " + e.getKey()));
                JsonNode containers = d.at("/spec/template/spec/containers");
                assertTrue(containers.isArray() && !containers.isEmpty(), kind + ": containers");
                for (JsonNode c : containers) {
                    text(c, "/name", kind + " container");
                    text(c, "/image", kind + " container");
                    for (JsonNode env : c.path("env")) {
                        JsonNode ref = env.at("/valueFrom/configMapKeyRef");
                        if (!ref.isMissingNode()) {
                            JsonNode cm = byKindName.get("ConfigMap/" + ref.path("name").asText());
                            assertNotNull(cm, "env " + env.path("name").asText() + " names a ConfigMap");
                            assertTrue(cm.path("data").has(ref.path("key").asText()),
                                    "ConfigMap key " + ref.path("key").asText());
                        }
                    }
                }
                for (JsonNode v : d.at("/spec/template/spec/volumes")) {
                    if (v.has("configMap")) {
                        assertTrue(byKindName.containsKey("ConfigMap/" + v.at("/configMap/name").asText()),
                                "volume " + v.path("name").asText() + " names a ConfigMap");
                    }
                }
            }
            if (kind.equals("Service")) {
                JsonNode sel = d.at("/spec/selector");
                boolean selects = docs.stream().filter(w -> w.path("kind").asText().matches("StatefulSet|Deployment"))
                        .anyMatch(w -> {
                            JsonNode labels = w.at("/spec/template/metadata/labels");
                            var it = sel.fields();
                            while (it.hasNext()) {
                                var e = it.next();
                                if (!e.getValue().equals(labels.get(e.getKey()))) {
                                    return false;
                                }
                            }
                            return true;
                        });
                assertTrue(selects, "Service " + d.at("/metadata/name").asText() + " selects a workload");
                assertTrue(d.at("/spec/ports").isArray() && !d.at("/spec/ports").isEmpty(), "Service ports");
            }
        }

        // the ConfigMap's node.conf is a cluster configuration the node accepts: seeds are the StatefulSet's pods
        String nodeConf = configMap.at("/data/node.conf").asText()
                .replace("${FLOTILLA_HOSTNAME}", "\"flotilla-0.flotilla.flotilla.svc.cluster.local\"")
                .replace("${FLOTILLA_CASSANDRA}", "\"" + configMap.at("/data/cassandra-contact-points").asText() + "\"");
        Path f = tmp.resolve("node.conf");
        Files.writeString(f, nodeConf, StandardCharsets.UTF_8);
        ClusterSetup setup = ClusterSetup.read(f);
        List<String> seeds = setup.config().getStringList("pekko.cluster.seed-nodes");
        assertEquals(sts.at("/spec/replicas").asInt(), seeds.size());
        for (int i = 0; i < seeds.size(); i++) {
            assertTrue(seeds.get(i).startsWith("pekko://flotilla@flotilla-" + i + "." + headless.at("/metadata/name")
                    .asText() + "."), seeds.get(i));
        }
        assertEquals(2, setup.cassandra().orElseThrow().contactPoints().size());
        assertEquals(3, setup.cassandra().orElseThrow().replicationFactor());
    }

    @Test
    void theHoconTemplatesGiveTheIntendedSettings() {
        ClusterSetup cluster = ClusterSetup.read(MODULE.resolve("conf/cluster.conf"));
        assertEquals(3, cluster.config().getStringList("pekko.cluster.seed-nodes").size());
        assertEquals("keep-majority", cluster.config().getString("pekko.cluster.split-brain-resolver.active-strategy"));
        assertEquals("org.apache.pekko.cluster.sbr.SplitBrainResolverProvider",
                cluster.config().getString("pekko.cluster.downing-provider-class"));
        assertEquals(100, cluster.config().getInt("pekko.cluster.sharding.number-of-shards"));
        assertEquals("127.0.0.1:9042", cluster.cassandra().orElseThrow().contactPointsText());
        assertEquals("flotilla", cluster.cassandra().orElseThrow().keyspace());

        ClusterSetup single = ClusterSetup.read(MODULE.resolve("conf/single-node.conf"));
        assertEquals(List.of(), single.config().getStringList("pekko.cluster.seed-nodes"));
        assertTrue(single.cassandra().isEmpty(), "one node: the embedded stores and journal");
    }

    /** What flotilla-local-cluster writes for each node: the template included, the node's port and rollups. */
    @Test
    void aPerNodeFileIncludingTheTemplateOverridesItsPort() throws Exception {
        Path node = tmp.resolve("node2.conf");
        Files.writeString(node, "include file(\"" + MODULE.resolve("conf/cluster.conf") + "\")\n"
                + "pekko.remote.artery.canonical.port = 2553\n"
                + "flotilla.cassandra.contact-points = \"127.0.0.1:19042\"\n"
                + "flotilla.rollups = [\n  { address = \"sr163Lv22CdE8QagCwf48PWDTquk6isQwv57\", mode = observer }\n]\n");
        ClusterSetup setup = ClusterSetup.read(node);
        assertEquals(2553, setup.config().getInt("pekko.remote.artery.canonical.port"));
        assertEquals(3, setup.config().getStringList("pekko.cluster.seed-nodes").size());
        assertEquals("127.0.0.1:19042", setup.cassandra().orElseThrow().contactPointsText());
        assertEquals(1, setup.rollups().size());
        assertEquals("observer", setup.rollups().get(0).mode().label());
    }

    @Test
    void aBadClusterFileGetsAClearError() throws Exception {
        Path bad = tmp.resolve("bad.conf");
        Files.writeString(bad, "flotilla.rollups = [ { address = \"not-an-address\" } ]\n");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> ClusterSetup.read(bad));
        assertTrue(e.getMessage().contains("not-an-address"), e.getMessage());
        Files.writeString(bad, "pekko.cluster.seed-nodes = [ \n");
        e = assertThrows(IllegalArgumentException.class, () -> ClusterSetup.read(bad));
        assertTrue(e.getMessage().contains(bad.toString()), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> ClusterSetup.read(tmp.resolve("missing.conf")));
        assertTrue(e.getMessage().contains("does not exist"), e.getMessage());
    }

    /** One instruction of a Dockerfile: its keyword (upper case) and the rest of its (joined) lines. */
    record Instruction(String keyword, String args) {}

    /** Parses a Dockerfile: comments and blank lines dropped, continuation lines joined. */
    static List<Instruction> dockerfile(Path f) throws IOException {
        List<Instruction> out = new ArrayList<>();
        StringBuilder current = new StringBuilder();
        for (String line : Files.readAllLines(f, StandardCharsets.UTF_8)) {
            String t = line.strip();
            if (current.isEmpty() && (t.isEmpty() || t.startsWith("#"))) {
                continue;
            }
            if (!current.isEmpty() && t.startsWith("#")) {
                continue; // a comment inside a continued instruction
            }
            if (t.endsWith("\\")) {
                current.append(t, 0, t.length() - 1).append(' ');
                continue;
            }
            current.append(t);
            String[] kv = current.toString().split("\\s+", 2);
            out.add(new Instruction(kv[0].toUpperCase(java.util.Locale.ROOT), kv.length > 1 ? kv[1].strip() : ""));
            current.setLength(0);
        }
        assertTrue(current.isEmpty(), "a continued last line in " + f);
        return out;
    }

    private static List<String> execForm(Instruction i) throws IOException {
        JsonNode a = new ObjectMapper().readTree(i.args());
        assertTrue(a != null && a.isArray(), i.keyword() + " must be in exec form (a JSON array): " + i.args());
        List<String> out = new ArrayList<>();
        a.forEach(e -> out.add(e.asText()));
        return out;
    }

    private static List<Instruction> all(List<Instruction> is, String keyword) {
        return is.stream().filter(i -> i.keyword().equals(keyword)).toList();
    }

    private static Instruction last(List<Instruction> is, String keyword) {
        List<Instruction> found = all(is, keyword);
        assertFalse(found.isEmpty(), "the Dockerfile's runtime stage has no " + keyword);
        return found.get(found.size() - 1);
    }

    /** The value following an option in an argument list, or null. */
    private static String option(List<String> args, String name) {
        int i = args.indexOf(name);
        return i >= 0 && i + 1 < args.size() ? args.get(i + 1) : null;
    }

    @Test
    void theDockerfileBuildsTheImageTheManifestsRun() throws Exception {
        List<Instruction> all = dockerfile(MODULE.resolve("Dockerfile"));
        List<Integer> froms = new ArrayList<>();
        for (int i = 0; i < all.size(); i++) {
            if (all.get(i).keyword().equals("FROM")) {
                froms.add(i);
            }
        }
        assertEquals(2, froms.size(), "two stages: the Maven build, then the runtime");
        List<Instruction> build = all.subList(froms.get(0), froms.get(1));
        List<Instruction> runtime = all.subList(froms.get(1), all.size());

        // build stage: a JDK 17 Maven image packaging the node module (its shade plugin names the jar flotilla.jar)
        Matcher buildFrom = Pattern.compile("(\\S*jdk\\S*|\\S*temurin-17\\S*)\\s+AS\\s+(\\w+)",
                Pattern.CASE_INSENSITIVE).matcher(build.get(0).args());
        assertTrue(buildFrom.matches() && build.get(0).args().contains("17"), "build stage on a JDK 17: "
                + build.get(0).args());
        String stage = buildFrom.group(2);
        assertTrue(all(build, "RUN").stream().anyMatch(r -> r.args().matches(".*mvn .*-pl node .*-am .*package.*")),
                "the build stage packages the node module and what it needs");
        String nodePom = Files.readString(MODULE.resolveSibling("node").resolve("pom.xml"));
        assertTrue(nodePom.contains("<finalName>flotilla</finalName>"), "the node module's jar is flotilla.jar");

        // runtime stage: a JRE 17 with the fat jar, as the entrypoint
        String runtimeFrom = runtime.get(0).args();
        assertTrue(runtimeFrom.contains("17") && runtimeFrom.contains("jre"), "runtime on a JRE 17: " + runtimeFrom);
        String jar = null;
        for (Instruction c : all(runtime, "COPY")) {
            Matcher m = Pattern.compile("--from=(\\w+)\\s+(\\S+)\\s+(\\S+)").matcher(c.args());
            if (m.matches() && m.group(1).equals(stage) && m.group(2).endsWith("/node/target/flotilla.jar")) {
                jar = m.group(3);
            }
        }
        assertNotNull(jar, "the runtime stage copies node/target/flotilla.jar from the build stage");
        List<String> entrypoint = execForm(last(runtime, "ENTRYPOINT"));
        assertEquals("java", entrypoint.get(0));
        assertEquals(List.of("-jar", jar), entrypoint.subList(entrypoint.size() - 2, entrypoint.size()),
                "the entrypoint runs the copied jar, so args are flotilla's: " + entrypoint);

        // non-root, with the data directory a volume it owns
        String user = last(runtime, "USER").args().split(":")[0];
        assertFalse(user.equals("root") || user.equals("0"), "the image runs as a non-root user");
        int uid = Integer.parseInt(user);
        List<String> volumes = execForm(last(runtime, "VOLUME"));
        Set<Integer> exposed = new HashSet<>();
        for (Instruction e : all(runtime, "EXPOSE")) {
            for (String p : e.args().split("\\s+")) {
                exposed.add(Integer.parseInt(p.replace("/tcp", "")));
            }
        }
        List<String> cmd = execForm(last(runtime, "CMD"));
        for (String v : volumes) {
            assertTrue(all(runtime, "RUN").stream().anyMatch(r -> r.args().matches(".*chown \\S+ " + v + "(\\s.*|$)")),
                    "the image's user owns " + v);
        }

        // the tag is the release the reactor builds (0.1.0 of 0.1.0-SNAPSHOT), also the image's version label
        Matcher pomVersion = Pattern.compile("<artifactId>flotilla</artifactId>\\s*<version>([^<]+)</version>")
                .matcher(Files.readString(MODULE.resolveSibling("pom.xml")));
        assertTrue(pomVersion.find(), "the root pom's version");
        String version = pomVersion.group(1).replace("-SNAPSHOT", "");
        assertTrue(last(runtime, "LABEL").args().contains("org.opencontainers.image.version=\"" + version + "\""),
                "the image's version label is " + version);
        String tag = "flotilla:" + version;
        for (JsonNode d : manifests()) {
            String kind = d.at("/kind").asText();
            if (!kind.equals("StatefulSet") && !kind.equals("Deployment")) {
                continue;
            }
            String name = kind + " " + d.at("/metadata/name").asText();
            JsonNode pod = d.at("/spec/template/spec");
            assertTrue(pod.at("/securityContext/runAsNonRoot").asBoolean(), name + ": runAsNonRoot");
            assertEquals(uid, pod.at("/securityContext/runAsUser").asInt(), name + ": the image's uid");
            assertEquals(uid, pod.at("/securityContext/fsGroup").asInt(), name + ": volumes writable by the uid");
            Map<String, String> volumeKinds = new HashMap<>();
            pod.path("volumes").forEach(v -> volumeKinds.put(v.path("name").asText(),
                    v.has("configMap") ? "configMap:" + v.at("/configMap/name").asText() : "other"));
            for (JsonNode c : pod.path("containers")) {
                assertEquals(tag, c.path("image").asText(), name + ": the tag the Dockerfile's README command builds");
                c.path("ports").forEach(p -> assertTrue(exposed.contains(p.path("containerPort").asInt()),
                        name + ": the image exposes port " + p.path("containerPort").asInt() + ", have " + exposed));
                assertTrue(c.path("command").isMissingNode(), name + ": the image's entrypoint runs, args follow it");
                List<String> args = new ArrayList<>();
                c.path("args").forEach(a -> args.add(a.asText().replaceAll("\\$\\((\\w+)\\)", "http://l1.example:1")));
                // the arguments are a command line flotilla accepts (picocli, the jar's own parser)
                CommandLine.ParseResult parsed = new CommandLine(new Flotilla()).parseArgs(args.toArray(String[]::new));
                assertTrue(parsed.hasSubcommand(), name + ": " + args);
                Map<String, String> mounts = new HashMap<>();
                c.path("volumeMounts").forEach(m -> mounts.put(m.path("mountPath").asText(), m.path("name").asText()));
                String dataDir = option(args, "--data-dir");
                assertNotNull(dataDir, name + ": --data-dir");
                assertTrue(mounts.containsKey(dataDir), name + ": --data-dir " + dataDir + " is a mounted volume");
                if (args.get(0).equals("run")) {
                    // the StatefulSet's node: every default of the image's CMD is what the StatefulSet passes
                    assertEquals("run", cmd.get(0));
                    for (int i = 1; i < cmd.size(); i += 2) {
                        assertEquals(cmd.get(i + 1), option(args, cmd.get(i)), name + ": " + cmd.get(i)
                                + " as in the image's CMD");
                    }
                    assertTrue(volumes.contains(dataDir), name + ": the image's VOLUME is the data directory");
                    Path conf = Path.of(option(args, "--cluster-config"));
                    String mount = conf.getParent().toString();
                    assertEquals("configMap:flotilla-config", volumeKinds.get(mounts.get(mount)),
                            name + ": --cluster-config lies in the ConfigMap's mount");
                    assertTrue(byKey(conf.getFileName().toString()), "the ConfigMap has key " + conf.getFileName());
                    assertTrue(String.valueOf(option(args, "--rpc-addr")).endsWith(":" + c.at("/readinessProbe/httpGet/port")
                            .asInt()), name + ": the HTTP API listens where the probes look");
                }
            }
        }

        // the build command documented beside the manifests makes that tag from the repository root
        String readme = Files.readString(MODULE.resolve("README.md"));
        assertTrue(readme.contains("docker build -f cluster-config/Dockerfile -t " + tag + " ."),
                "cluster-config/README.md documents how to build " + tag);
        assertTrue(Files.readString(MODULE.resolve("Dockerfile")).contains("docker build -f cluster-config/Dockerfile -t "
                + tag + " ."), "the Dockerfile's header shows the same command");
        assertTrue(Files.isRegularFile(MODULE.resolve("Dockerfile.dockerignore")),
                "the build context leaves out target/ and .git");
    }

    private static boolean byKey(String key) throws IOException {
        for (JsonNode d : manifests()) {
            if (d.at("/kind").asText().equals("ConfigMap") && d.at("/metadata/name").asText().equals("flotilla-config")) {
                return d.path("data").has(key);
            }
        }
        return false;
    }
}
