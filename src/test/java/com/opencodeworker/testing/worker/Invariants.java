package com.opencodeworker.testing.worker;

import static org.assertj.core.api.Assertions.assertThat;

import com.opencodeworker.testing.convex.FakeBackend;
import java.util.List;
import java.util.stream.IntStream;

/** The reliability promises, checked through the backend's store after a fault. */
public final class Invariants {
    private Invariants() {
    }

    /**
     * Every message ended in exactly one terminal state; the chunks of its final attempt are
     * contiguous from 0; after the claim of its final attempt no other instance wrote anything.
     */
    public static void assertReliable(FakeBackend backend, List<String> messages, String context) {
        for (String id : messages) {
            FakeBackend.MessageView view = backend.message(id);
            assertThat(view.terminalOutcomes()).as("%s: terminal states of %s (%s)", context, id, view)
                    .hasSize(1);
            List<Integer> sequences = backend.chunks(id, view.attempt()).stream()
                    .map(FakeBackend.ChunkView::sequence).toList();
            assertThat(sequences).as("%s: chunk sequences of %s attempt %d", context, id, view.attempt())
                    .isEqualTo(IntStream.range(0, sequences.size()).boxed().toList());
            assertNoStaleWrites(backend.calls(), id, context);
        }
    }

    private static void assertNoStaleWrites(List<FakeBackend.CallView> calls, String message, String context) {
        List<FakeBackend.CallView> mine = calls.stream().filter(c -> message.equals(c.messageId())
                && c.outcome().equals("ok")).toList();
        String finisher = mine.stream().filter(c -> c.function().equals("messages:complete")
                || c.function().equals("messages:fail")).map(FakeBackend.CallView::instanceId).findFirst().orElse(null);
        if (finisher == null) {
            return;
        }
        int lastClaim = -1;
        for (int i = 0; i < mine.size(); i++) {
            if (mine.get(i).function().equals("messages:claim") && finisher.equals(mine.get(i).instanceId())) {
                lastClaim = i;
            }
        }
        assertThat(mine.subList(Math.max(lastClaim, 0), mine.size()))
                .as("%s: writes for %s after the final claim", context, message)
                .filteredOn(c -> !c.function().equals("messages:claim"))
                .allSatisfy(c -> assertThat(c.instanceId()).isEqualTo(finisher));
    }
}
