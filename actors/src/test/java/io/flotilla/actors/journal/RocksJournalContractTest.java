package io.flotilla.actors.journal;

import com.typesafe.config.Config;
import io.flotilla.actors.node.EmbeddedJournal;
import java.nio.file.Path;

/** The journal contract on the RocksDB journal (the default of new data directories). */
class RocksJournalContractTest extends JournalContractTest {
    @Override
    Config journalConfig(Path dataDir) {
        return EmbeddedJournal.rocksConfig(dataDir);
    }
}
