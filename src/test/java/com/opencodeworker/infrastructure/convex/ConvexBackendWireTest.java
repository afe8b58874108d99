package com.opencodeworker.infrastructure.convex;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import com.opencodeworker.domain.Session;
import com.opencodeworker.domain.SessionStatus;
import com.opencodeworker.domain.WorkItem;
import com.opencodeworker.domain.port.Backend.MachineState;
import com.opencodeworker.domain.port.BackendException;
import java.time.Duration;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** Strict decoding of the contract's records: a bad record is skipped with one warning, never the whole snapshot. */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class ConvexBackendWireTest {
    private static final Duration WAIT = Duration.ofSeconds(3);

    private ConvexBackendFixture world;
    private ConvexBackendLogCapture logs;
    private ConvexBackend adapter;
    private final AtomicReference<Object> work = new AtomicReference<>(List.of());
    private final AtomicReference<Object> state = new AtomicReference<>();

    @BeforeEach
    void setUp() {
        world = new ConvexBackendFixture();
        logs = new ConvexBackendLogCapture();
        adapter = world.adapter();
        world.convex.registerQuery("messages:work", args -> work.get());
        world.convex.registerQuery("machines:state", args -> state.get());
    }

    @AfterEach
    void tearDown() {
        logs.close();
        world.close();
    }

    @Test
    void aWorkItemWithAMissingFieldIsSkippedWithOneWarningNamingIt() {
        Map<String, Object> broken = item("msg_bad");
        broken.remove("content");
        work.set(List.of(item("msg_a"), broken, item("msg_b")));

        List<WorkItem> items = adapter.fetchWork();

        assertThat(items).extracting(i -> i.messageId().value()).containsExactly("msg_a", "msg_b");
        assertThat(logs.warnings()).singleElement().asString().contains("msg_bad").contains("content");
    }

    @Test
    void theSameBadItemInLaterSnapshotsIsWarnedAboutOnce() {
        Map<String, Object> broken = item("msg_bad");
        broken.put("attempt", "one");
        work.set(List.of(broken));
        AtomicInteger snapshots = new AtomicInteger();
        adapter.subscribeWork(items -> snapshots.incrementAndGet());
        await().atMost(WAIT).until(() -> snapshots.get() == 1);

        world.convex.update(() -> work.set(List.of(broken, item("msg_new"))));
        await().atMost(WAIT).until(() -> snapshots.get() == 2);
        adapter.fetchWork();

        assertThat(logs.warnings()).singleElement().asString().contains("msg_bad");
    }

    static Stream<Arguments> invalidWorkItems() {
        return Stream.of(
                Arguments.of("status", "running"),
                Arguments.of("attempt", 1.5),
                Arguments.of("attempt", -1.0),
                Arguments.of("createdAt", "yesterday"),
                Arguments.of("createdAt", Double.NaN),
                Arguments.of("cancelRequested", null),
                Arguments.of("opencodeSessionId", "not-an-opencode-session"),
                Arguments.of("opencodeSessionId", 7.0),
                Arguments.of("sessionId", "has spaces"),
                Arguments.of("workerId", null),
                Arguments.of("directory", 3.0),
                Arguments.of("model", false),
                Arguments.of("leaseExpiresAt", "later"));
    }

    @ParameterizedTest(name = "{0} = {1}")
    @MethodSource("invalidWorkItems")
    void aWorkItemWithAnInvalidFieldIsSkipped(String field, Object value) {
        Map<String, Object> broken = item("msg_bad");
        broken.put(field, value);
        work.set(List.of(broken, item("msg_ok")));

        assertThat(adapter.fetchWork()).extracting(i -> i.messageId().value()).containsExactly("msg_ok");
        assertThat(logs.warnings()).singleElement().asString().contains("msg_bad");
    }

    @Test
    void aClaimedItemWithoutAHolderIsSkipped() {
        Map<String, Object> broken = item("msg_bad");
        broken.put("status", "claimed");
        work.set(List.of(broken));

        assertThat(adapter.fetchWork()).isEmpty();
        assertThat(logs.warnings()).singleElement().asString().contains("claimedBy");
    }

    @Test
    void aWorkItemWithoutAMessageIdIsNamedByItsPosition() {
        Map<String, Object> broken = item("msg_bad");
        broken.put("messageId", "bad id!");
        work.set(List.of(item("msg_ok"), broken, "not even an object"));

        assertThat(adapter.fetchWork()).hasSize(1);
        assertThat(logs.warnings()).hasSize(2).anySatisfy(line -> assertThat(line).contains("#1 (no valid messageId)"))
                .anySatisfy(line -> assertThat(line).contains("#2"));
    }

    @Test
    void nullableFieldsMayBeAbsent() {
        Map<String, Object> sparse = item("msg_a");
        sparse.remove("opencodeSessionId");
        sparse.remove("model");
        sparse.remove("claimedBy");
        sparse.remove("leaseExpiresAt");
        work.set(List.of(sparse));

        WorkItem item = adapter.fetchWork().get(0);

        assertThat(item.openCodeSessionId()).isEmpty();
        assertThat(item.model()).isEmpty();
        assertThat(item.leaseExpiresAt()).isEmpty();
    }

    @Test
    void fractionalTimesAreCutToTheMillisecondAndInt64NumbersAreAccepted() {
        Map<String, Object> item = item("msg_a");
        item.put("createdAt", 1_712_345_678_901.75);
        item.put("attempt", 2L);
        work.set(List.of(item));

        WorkItem decoded = adapter.fetchWork().get(0);

        assertThat(decoded.createdAt()).isEqualTo(1_712_345_678_901L);
        assertThat(decoded.attempt()).isEqualTo(2);
    }

    @Test
    void aClaimedItemKeepsItsHolderAndLease() {
        Map<String, Object> item = item("msg_a");
        item.put("status", "claimed");
        item.put("claimedBy", "00000000-0000-4000-8000-000000000000");
        item.put("leaseExpiresAt", 5_000.0);
        item.put("attempt", 1.0);
        item.put("cancelRequested", true);
        work.set(List.of(item));

        WorkItem decoded = adapter.fetchWork().get(0);

        assertThat(decoded.status()).isEqualTo(WorkItem.Status.CLAIMED);
        assertThat(decoded.claimedBy()).contains("00000000-0000-4000-8000-000000000000");
        assertThat(decoded.leaseExpiresAt()).contains(5_000L);
        assertThat(decoded.cancelRequested()).isTrue();
    }

    @Test
    void aWorkSnapshotThatIsNotAListIsRejectedByAFetch() {
        work.set(Map.of("items", List.of()));

        assertThatThrownBy(adapter::fetchWork).isInstanceOf(BackendException.Rejected.class);
    }

    @Test
    void aMalformedSnapshotIsIgnoredAndTheSubscriptionGoesOn() {
        work.set("garbage");
        AtomicReference<List<WorkItem>> latest = new AtomicReference<>();
        adapter.subscribeWork(latest::set);
        await().atMost(WAIT).until(() -> !logs.warnings().isEmpty());

        world.convex.update(() -> work.set(List.of(item("msg_a"))));

        await().atMost(WAIT).until(() -> latest.get() != null && latest.get().size() == 1);
        assertThat(logs.warnings()).singleElement().asString().contains("malformed snapshot");
    }

    @Test
    void aFailingConsumerDoesNotEndTheSubscription() {
        AtomicInteger calls = new AtomicInteger();
        adapter.subscribeWork(items -> {
            calls.incrementAndGet();
            throw new IllegalStateException("consumer bug");
        });
        await().atMost(WAIT).until(() -> calls.get() == 1);

        world.convex.update(() -> work.set(List.of(item("msg_a"))));

        await().atMost(WAIT).until(() -> calls.get() == 2);
        assertThat(logs.warnings()).hasSize(2).allSatisfy(line -> assertThat(line).contains("consumer bug"));
    }

    @Test
    void aBadWorkerOrSessionIsSkippedAndTheRestKept() {
        Map<String, Object> badWorker = worker("wrk_bad");
        badWorker.remove("directory");
        Map<String, Object> badSession = session("chat_bad");
        badSession.put("status", "sleeping");
        state.set(Map.of("workers", List.of(worker("wrk_ok"), badWorker),
                "sessions", List.of(badSession, session("chat_ok"))));

        MachineState decoded = adapter.fetchState();

        assertThat(decoded.workers()).extracting(w -> w.id().value()).containsExactly("wrk_ok");
        assertThat(decoded.sessions()).extracting(s -> s.id().value()).containsExactly("chat_ok");
        assertThat(logs.warnings()).hasSize(2).anySatisfy(line -> assertThat(line).contains("worker wrk_bad"))
                .anySatisfy(line -> assertThat(line).contains("session chat_bad"));
    }

    @Test
    void aSessionDecodesItsStatusAndOpenCodeSession() {
        Map<String, Object> closed = session("chat_a");
        closed.put("status", "closed");
        closed.put("opencodeSessionId", "ses_x");
        state.set(Map.of("workers", List.of(), "sessions", List.of(closed)));

        Session decoded = adapter.fetchState().sessions().get(0);

        assertThat(decoded.status()).isEqualTo(SessionStatus.CLOSED);
        assertThat(decoded.openCodeSessionId()).hasValueSatisfying(id -> assertThat(id.value()).isEqualTo("ses_x"));
    }

    private static Map<String, Object> item(String messageId) {
        Map<String, Object> item = new LinkedHashMap<>();
        item.put("messageId", messageId);
        item.put("sessionId", "chat_1");
        item.put("workerId", "wrk_1");
        item.put("directory", "projects/api");
        item.put("opencodeSessionId", null);
        item.put("content", "hello");
        item.put("model", null);
        item.put("createdAt", 1_000.0);
        item.put("status", "pending");
        item.put("claimedBy", null);
        item.put("leaseExpiresAt", null);
        item.put("attempt", 0.0);
        item.put("cancelRequested", false);
        return item;
    }

    private static Map<String, Object> worker(String workerId) {
        Map<String, Object> worker = new HashMap<>();
        worker.put("workerId", workerId);
        worker.put("name", "api");
        worker.put("directory", "projects/api");
        worker.put("createdAt", 1.0);
        return worker;
    }

    private static Map<String, Object> session(String sessionId) {
        Map<String, Object> session = new HashMap<>();
        session.put("sessionId", sessionId);
        session.put("workerId", "wrk_ok");
        session.put("status", "idle");
        session.put("opencodeSessionId", null);
        session.put("lastActivity", 2.0);
        return session;
    }
}
