package io.flotilla.cluster;

import static org.junit.jupiter.api.Assertions.*;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.MappingIterator;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import io.flotilla.node.ClusterSetup;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The deployment files of cluster-config/ as a deployer would use them: every Kubernetes YAML document parses and has
 * the fields its kind needs, the references between them hold (service selectors, the StatefulSet's headless service,
 * ConfigMap keys), and the HOCON templates (and the ConfigMap's node.conf) are read by the node's own
 * {@link ClusterSetup} into the intended settings.
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
}
