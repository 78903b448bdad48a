package io.flotilla.http;

/** An outbox message not executed yet; executable once the commitment covering its level is cemented. */
public record OutboxPending(int outboxLevel, int index, byte[] message, boolean executable) {
    public OutboxPending {
        message = message.clone();
    }

    @Override
    public byte[] message() {
        return message.clone();
    }
}
