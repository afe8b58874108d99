package com.opencodeworker.infrastructure.convex.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.opencodeworker.infrastructure.convex.client.ServerMessage.TransitionChunk;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(value = 10, unit = TimeUnit.SECONDS)
class TransitionChunksTest {
    private final TransitionChunks chunks = new TransitionChunks();

    @Test
    void partsInOrderFormTheWholeText() {
        assertThat(chunks.add(new TransitionChunk("{\"type\":", 0, 3, "t"))).isEmpty();
        assertThat(chunks.add(new TransitionChunk("\"Ping\"", 1, 3, "t"))).isEmpty();
        assertThat(chunks.add(new TransitionChunk("}", 2, 3, "t"))).contains("{\"type\":\"Ping\"}");
        assertThat(chunks.inProgress()).isFalse();
    }

    @Test
    void aGapIsRejected() {
        chunks.add(new TransitionChunk("a", 0, 3, "t"));
        assertThatThrownBy(() -> chunks.add(new TransitionChunk("c", 2, 3, "t"))).isInstanceOf(IllegalArgumentException.class);
        assertThat(chunks.inProgress()).isFalse();
    }

    @Test
    void anotherTransitionIdIsRejected() {
        chunks.add(new TransitionChunk("a", 0, 2, "t"));
        assertThatThrownBy(() -> chunks.add(new TransitionChunk("b", 1, 2, "u"))).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void aSequenceMustStartAtPartZero() {
        assertThatThrownBy(() -> chunks.add(new TransitionChunk("b", 1, 2, "t"))).isInstanceOf(IllegalArgumentException.class);
    }
}
