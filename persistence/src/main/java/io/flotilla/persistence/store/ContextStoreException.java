package io.flotilla.persistence.store;

/** The context store cannot be opened (locked, corrupt, unreadable) or a stored node cannot be read back intact. */
public class ContextStoreException extends RuntimeException {
    public ContextStoreException(String message) {
        super(message);
    }

    public ContextStoreException(String message, Throwable cause) {
        super(message, cause);
    }
}
