package io.flotilla.persistence.cassandra;

/** A Cassandra store could not connect, read or write; the message says which store, where and why. */
public class CassandraStoreException extends RuntimeException {
    public CassandraStoreException(String message, Throwable cause) {
        super(message, cause);
    }

    public CassandraStoreException(String message) {
        super(message);
    }
}
