package io.flotilla.actors.chain;

import static org.junit.jupiter.api.Assertions.*;

import io.flotilla.actors.TestJournal;
import io.flotilla.actors.l1.L1Block;
import io.flotilla.actors.l1.L1Codec;
import io.flotilla.actors.l1.SandboxL1;
import io.flotilla.persistence.chain.InMemoryL1BlockStore;
import io.flotilla.persistence.serialization.KryoSerializer;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.typed.javadsl.Adapter;
import org.apache.pekko.serialization.Serialization;
import org.apache.pekko.serialization.SerializationExtension;
import org.apache.pekko.serialization.Serializer;
import org.apache.pekko.serialization.Serializers;
import org.junit.jupiter.api.Test;

/** Journaled heads as they cross nodes: their Kryo format, and a node keeping only newer heads. */
class L1HeadsTest {

    @Test
    void journaledHeadRoundTripsThroughKryo() {
        ActorTestKit kit = ActorTestKit.create(TestJournal.config());
        try (SandboxL1 l1 = SandboxL1.manual()) {
            l1.produceBlock();
            L1Block b = l1.head();
            Serialization serialization = SerializationExtension.get(Adapter.toClassic(kit.system()));
            L1Heads.Journaled j = new L1Heads.Journaled(42, L1Codec.encodeBlock(b));
            Serializer s = serialization.findSerializerFor(j);
            assertInstanceOf(KryoSerializer.class, s);
            L1Heads.Journaled back = (L1Heads.Journaled) serialization.deserialize(serialization.serialize(j).get(),
                    s.identifier(), Serializers.manifestFor(s, j)).get();
            assertEquals(42, back.sequenceNr());
            assertArrayEquals(j.block(), back.block());
            assertEquals(b.hashHex(), L1Codec.decodeBlock(back.block()).hashHex());
        } finally {
            kit.shutdownTestKit();
        }
    }

    @Test
    void aHeadIsTakenOnlyIfNewerThanTheLastOne() throws Exception {
        try (SandboxL1 l1 = SandboxL1.manual()) {
            l1.produceBlock();
            L1Block one = l1.head();
            l1.produceBlock();
            L1Block two = l1.head();
            L1Blocks blocks = new L1Blocks(new InMemoryL1BlockStore());
            blocks.put(one);
            blocks.put(two);
            try (JournaledL1Source source = new JournaledL1Source(blocks, l1)) {
                List<Integer> heard = new CopyOnWriteArrayList<>();
                source.subscribe(b -> heard.add(b.level()));
                source.journaled(two, 5);
                source.journaled(one, 4); // late: an older head never replaces a newer one
                source.journaled(two, 5); // twice: announced again by an idle chain actor
                assertTrue(source.awaitLevel(two.level(), TimeUnit.SECONDS.toMillis(10)));
                assertEquals(two.level(), source.head().level());
                source.journaled(one, 6); // a revert is a newer event with a lower block
                assertEquals(one.level(), source.head().level());
                long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
                while (heard.size() < 2 && System.nanoTime() < deadline) {
                    Thread.sleep(20);
                }
                // deliveries run in order on one thread: a wrongly taken head would sit between these two
                assertEquals(List.of(two.level(), one.level()), heard);
            }
        }
    }
}
