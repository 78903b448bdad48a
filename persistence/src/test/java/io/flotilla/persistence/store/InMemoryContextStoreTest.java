package io.flotilla.persistence.store;

class InMemoryContextStoreTest extends ContextStoreContract {
    @Override
    protected ContextStore createOrOpen() {
        return new InMemoryContextStore();
    }

    @Override
    protected boolean persistent() {
        return false;
    }
}
