package com.opencodeworker.testing.worker;

import static org.assertj.core.api.Assertions.assertThat;

import com.opencodeworker.testing.deployment.TestDeployment;
import java.util.List;
import java.util.stream.IntStream;

/** The reliability promises, checked through the deployment's answers and records after a fault. */
public final class Invariants {
    private Invariants() {
    }

    /**
     * Every message ended in exactly one terminal state; the chunks of its final attempt are
     * contiguous from 0; after the claim of its final attempt no other instance wrote anything.
     */
    public static void assertReliable(Deployment deployment, List<String> messages, String context) {
        List<TestDeployment.Call> calls = deployment.calls();
        for (String id : messages) {
            Deployment.MessageView view = deployment.message(id);
            assertThat(view.terminalOutcomes()).as("%s: terminal states of %s (%s)", context, id, view)
                    .hasSize(1);
            assertContiguousChunks(deployment, id, view.attempt(), context);
            assertNoStaleWrites(calls, id, context);
        }
    }

    /** The chunks of the attempt count 0, 1, 2, ... without a gap or a repeat. */
    public static void assertContiguousChunks(Deployment deployment, String id, int attempt, String context) {
        List<Integer> sequences = deployment.chunks(id, attempt).stream().map(Deployment.ChunkView::sequence).toList();
        assertThat(sequences).as("%s: chunk sequences of %s attempt %d", context, id, attempt)
                .isEqualTo(IntStream.range(0, sequences.size()).boxed().toList());
    }

    private static void assertNoStaleWrites(List<TestDeployment.Call> calls, String message, String context) {
        // The worker's calls: the web app's (a cancel, say) carry no instance.
        List<TestDeployment.Call> mine = calls.stream().filter(c -> message.equals(c.messageId())
                && c.instanceId() != null && c.outcome().equals("ok")).toList();
        String finisher = mine.stream().filter(c -> c.function().equals("messages:complete")
                || c.function().equals("messages:fail")).map(TestDeployment.Call::instanceId).findFirst().orElse(null);
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
