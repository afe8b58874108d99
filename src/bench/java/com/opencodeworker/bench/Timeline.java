package com.opencodeworker.bench;

import com.opencodeworker.testing.deployment.TestDeployment;
import java.time.Duration;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.Set;
import java.util.concurrent.TimeoutException;

/**
 * When things happened to messages, on the deployment's own clock: a message's commit by
 * {@code messages:send} (its first status change), its claim, its first stored chunk and its end.
 * Read from the deployment's records after the fact, so that measuring adds no work to the
 * deployment while the worker runs (a poll of the tables would compete with it for the cores).
 */
final class Timeline {
    private static final Set<String> TERMINAL = Set.of("completed", "failed", "cancelled");
    /**
     * How often {@link #awaitEnded} looks. Only how soon an end is noticed depends on it (the times come
     * from the records): one message at a time is looked for often, so the next is sent as soon as the
     * last ended, as OpenCode direct is; a load seldom, so that reading the growing list of changes
     * does not compete with the worker for the deployment.
     */
    static final Duration ONE_AT_A_TIME = Duration.ofMillis(25);
    static final Duration UNDER_LOAD = Duration.ofMillis(500);

    private final Map<String, Long> committed = new HashMap<>();
    private final Map<String, Long> claimed = new HashMap<>();
    private final Map<String, Long> firstChunk = new HashMap<>();
    private final Map<String, Long> backendMillis = new HashMap<>();
    private final Map<String, Long> ended = new HashMap<>();
    private final Map<String, String> outcome = new HashMap<>();
    private final Map<String, Integer> endings = new HashMap<>();

    private Timeline(List<TestDeployment.StatusChange> changes, List<TestDeployment.Call> calls) {
        for (TestDeployment.StatusChange change : changes) {
            if (change.from() == null) {
                committed.putIfAbsent(change.id(), change.atMillis());
            }
            if (TERMINAL.contains(change.to())) {
                ended.putIfAbsent(change.id(), change.atMillis());
                outcome.putIfAbsent(change.id(), change.to());
                endings.merge(change.id(), 1, Integer::sum);
            }
        }
        for (TestDeployment.Call call : calls) {
            if (call.messageId() == null || !call.outcome().equals("ok")) {
                continue;
            }
            boolean first = false;
            if (call.function().equals("messages:claim")) {
                first = claimed.putIfAbsent(call.messageId(), call.atMillis()) == null;
            } else if (call.function().equals("messages:appendChunks")) {
                first = firstChunk.putIfAbsent(call.messageId(), call.atMillis()) == null;
            }
            if (first) {
                backendMillis.merge(call.messageId(), call.atMillis() - call.startedAtMillis(), Long::sum);
            }
        }
    }

    static Timeline of(TestDeployment deployment) {
        return new Timeline(deployment.statusChanges(), deployment.calls());
    }

    /** Waits until every message of {@code ids} has ended, reading only the list of status changes. */
    static Timeline awaitEnded(TestDeployment deployment, Collection<String> ids, Duration poll, Duration timeout)
            throws InterruptedException, TimeoutException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            Set<String> done = new HashSet<>();
            deployment.statusChanges().stream().filter(c -> TERMINAL.contains(c.to())).forEach(c -> done.add(c.id()));
            if (done.containsAll(ids)) {
                return of(deployment);
            }
            if (System.nanoTime() > deadline) {
                long count = ids.stream().filter(done::contains).count();
                throw new TimeoutException(count + " of " + ids.size() + " messages ended within "
                        + timeout.toSeconds() + " s");
            }
            Waits.pause(poll);
        }
    }

    /** Milliseconds from the message's commit to its first stored chunk. */
    OptionalLong sendToFirstChunk(String id) {
        return between(committed, firstChunk, id);
    }

    /** Milliseconds from the message's commit to the worker's claim of it (push, the worker's reaction, the claim). */
    OptionalLong sendToClaim(String id) {
        return between(committed, claimed, id);
    }

    /** Milliseconds from the claim to the first stored chunk (the prompt, OpenCode's first delta, the append). */
    OptionalLong claimToFirstChunk(String id) {
        return between(claimed, firstChunk, id);
    }

    /** Milliseconds the deployment spent running the message's first claim and first appendChunks. */
    OptionalLong deploymentRunningClaimAndFirstAppend(String id) {
        Long spent = backendMillis.get(id);
        return spent == null || !firstChunk.containsKey(id) ? OptionalLong.empty() : OptionalLong.of(spent);
    }

    /** Milliseconds from the first commit of {@code ids} to the last end. */
    long span(Collection<String> ids) {
        long first = ids.stream().mapToLong(committed::get).min().orElseThrow();
        long last = ids.stream().mapToLong(ended::get).max().orElseThrow();
        return last - first;
    }

    boolean completed(String id) {
        return "completed".equals(outcome.get(id));
    }

    int endings(String id) {
        return endings.getOrDefault(id, 0);
    }

    private static OptionalLong between(Map<String, Long> from, Map<String, Long> to, String id) {
        Long start = from.get(id);
        Long end = to.get(id);
        return start == null || end == null ? OptionalLong.empty() : OptionalLong.of(end - start);
    }
}
