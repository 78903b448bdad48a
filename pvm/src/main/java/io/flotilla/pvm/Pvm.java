package io.flotilla.pvm;

import io.flotilla.pvm.host.RollupMetadata;
import io.flotilla.pvm.reveal.PreimageSource;
import java.util.function.Consumer;

/**
 * The PVM of one rollup: turns a state and a level's inbox into the next state. Stateless between
 * levels (everything lives in {@link PvmState}); kernels run on {@link PvmThreads}.
 */
public final class Pvm {
    private final PvmConfig config;
    private final PreimageSource preimages;
    private final RollupMetadata metadata;
    private final PvmThreads threads;
    private Consumer<byte[]> debugSink;

    public Pvm(PvmConfig config, PreimageSource preimages, RollupMetadata metadata) {
        this(config, preimages, metadata, PvmThreads.SHARED);
    }

    public Pvm(PvmConfig config, PreimageSource preimages, RollupMetadata metadata, PvmThreads threads) {
        this.config = config;
        this.preimages = preimages;
        this.metadata = metadata;
        this.threads = threads;
    }

    public PvmConfig config() {
        return config;
    }

    public RollupMetadata metadata() {
        return metadata;
    }

    /** Where kernels' write_debug output goes (null, the default, discards it). */
    public Pvm debugSink(Consumer<byte[]> sink) {
        this.debugSink = sink;
        return this;
    }

    /** Collects the level's inbox; the caller then steps through kernel_run calls. */
    public LevelExecution begin(PvmState state, LevelInput input) {
        return new LevelExecution(this, state, input.level(), input.inbox());
    }

    /** Collects a ready-made inbox (already framed with Start/Info/End of level), as the debugger does. */
    public LevelExecution beginWithInbox(PvmState state, int level, java.util.List<byte[]> inbox) {
        return new LevelExecution(this, state, level, inbox);
    }

    /** Evaluates a whole level. */
    public LevelResult runLevel(PvmState state, LevelInput input) {
        return threads.call(() -> begin(state, input).finish());
    }

    PreimageSource preimages() {
        return preimages;
    }

    PvmThreads threads() {
        return threads;
    }

    Consumer<byte[]> debugSink() {
        return debugSink;
    }
}
