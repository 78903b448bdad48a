package io.flotilla.actors.journal;

import com.typesafe.config.Config;
import io.flotilla.actors.node.EmbeddedJournal;
import java.nio.file.Path;

/** The journal contract on the H2 journal (pekko-persistence-jdbc; data directories created before RocksDB). */
class H2JournalContractTest extends JournalContractTest {
    @Override
    Config journalConfig(Path dataDir) {
        EmbeddedJournal.createSchema(dataDir);
        return EmbeddedJournal.h2Config(dataDir);
    }
}
