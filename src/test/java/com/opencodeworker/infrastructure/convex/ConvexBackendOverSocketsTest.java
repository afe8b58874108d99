package com.opencodeworker.infrastructure.convex;

import static com.opencodeworker.infrastructure.convex.ConvexBackendFixture.appended;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import com.opencodeworker.domain.Chunk;
import com.opencodeworker.domain.ChunkKind;
import com.opencodeworker.domain.InstanceId;
import com.opencodeworker.domain.MachineToken;
import com.opencodeworker.domain.MessageId;
import com.opencodeworker.domain.WorkItem;
import com.opencodeworker.domain.port.Backend;
import com.opencodeworker.domain.port.BackendException;
import com.opencodeworker.domain.port.Clock;
import com.opencodeworker.infrastructure.convex.client.ConvexClient;
import com.opencodeworker.infrastructure.convex.client.ConvexClientOptions;
import com.opencodeworker.testing.convex.FakeBackend;
import com.opencodeworker.testing.convex.FakeConvexServer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Supplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The backend adapter on the real Convex client, over real sockets, against the contract's fake deployment. */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class ConvexBackendOverSocketsTest {
    private static final Duration WAIT = Duration.ofSeconds(10);

    private final FakeConvexServer server = FakeConvexServer.start();
    private final FakeBackend contract = new FakeBackend(Clock.system());
    private final List<ConvexClient> clients = new ArrayList<>();
    private MachineToken token;
    private String sessionId;

    @BeforeEach
    void setUp() {
        contract.installOn(server);
        token = MachineToken.parse(change(() -> contract.createMachine("Laptop")));
        String worker = change(() -> contract.createWorker(token.machineId().value(), "Project", "project"));
        sessionId = change(() -> contract.createSession(worker));
    }

    @AfterEach
    void tearDown() {
        clients.forEach(ConvexClient::close);
        server.close();
    }

    private <T> T change(Supplier<T> change) {
        AtomicReference<T> result = new AtomicReference<>();
        server.update(() -> result.set(change.get()));
        return result.get();
    }

    private ConvexBackend connected(InstanceId instance) {
        ConvexClient client = ConvexClient.connect(ConvexClientOptions.defaults(server.url())
                .withMutationTimeout(Duration.ofSeconds(5)));
        clients.add(client);
        ConvexBackend backend = new ConvexBackend(client, token, instance);
        backend.connect(new Backend.ConnectRequest("0.1.0", "host", "linux-amd64", "/root"));
        return backend;
    }

    @Test
    void aMessageGoesFromTheWorkSubscriptionThroughClaimAndChunksToComplete() {
        ConvexBackend backend = connected(InstanceId.random());
        List<List<WorkItem>> snapshots = new CopyOnWriteArrayList<>();
        backend.subscribeWork(snapshots::add);
        String id = change(() -> contract.sendMessage(sessionId, "hello", "fake/model"));
        await().atMost(WAIT).until(() -> !snapshots.isEmpty() && !snapshots.get(snapshots.size() - 1).isEmpty());
        WorkItem item = snapshots.get(snapshots.size() - 1).get(0);
        assertThat(item.content()).isEqualTo("hello");
        assertThat(item.model()).contains("fake/model");

        Backend.ClaimResult claim = backend.claim(item.messageId());
        appended(backend.appendChunks(item.messageId(), 1, List.of(new Chunk(0, ChunkKind.TEXT, "Hi"))));
        backend.complete(item.messageId(), 1, new Backend.CompletedReply("Hi there", Optional.empty(),
                Optional.empty(), Optional.empty()));

        assertThat(claim).isInstanceOf(Backend.Claimed.class);
        assertThat(contract.message(id).status()).isEqualTo("completed");
        assertThat(contract.message(id).content()).isEqualTo("Hi there");
        await().atMost(WAIT).until(() -> snapshots.get(snapshots.size() - 1).isEmpty());
    }

    @Test
    void chunksWhoseAnswerWasLostAreStoredOnce() {
        ConvexBackend backend = connected(InstanceId.random());
        MessageId id = new MessageId(change(() -> contract.sendMessage(sessionId, "hello", null)));
        backend.claim(id);
        server.dropSocketOnMutation("messages:appendChunks", 1, true);

        Backend.AppendResult result = appended(backend.appendChunks(id, 1, List.of(new Chunk(0, ChunkKind.TEXT, "once"))));

        assertThat(result.cancelRequested()).isFalse();
        assertThat(server.executions("messages:appendChunks")).isEqualTo(1);
        assertThat(contract.chunks(id.value(), 1)).extracting(FakeBackend.ChunkView::text).containsExactly("once");
    }

    @Test
    void aSupersededInstanceHearsSupersededAndItsClaimGoesBackToPending() {
        ConvexBackend first = connected(InstanceId.random());
        MessageId id = new MessageId(change(() -> contract.sendMessage(sessionId, "hello", null)));
        first.claim(id);

        ConvexBackend second = connected(InstanceId.random());

        assertThatThrownBy(() -> appended(first.appendChunks(id, 1, List.of(new Chunk(0, ChunkKind.TEXT, "late")))))
                .isInstanceOf(BackendException.Superseded.class)
                .hasMessageContaining("another worker connected").hasMessageNotContaining(token.secret());
        assertThat(contract.message(id.value()).status()).isEqualTo("pending");
        assertThat(second.claim(id)).isEqualTo(new Backend.Claimed(2, contract.message(id.value()).leaseExpiresAt()));
    }

    @Test
    void aStaleAttemptIsFencedWithLeaseLost() {
        ConvexBackend backend = connected(InstanceId.random());
        MessageId id = new MessageId(change(() -> contract.sendMessage(sessionId, "hello", null)));
        backend.claim(id);
        change(() -> {
            contract.claimAs(id.value(), InstanceId.random().value());
            return null;
        });

        assertThatThrownBy(() -> backend.complete(id, 1, new Backend.CompletedReply("stale", Optional.empty(),
                Optional.empty(), Optional.empty()))).isInstanceOf(BackendException.LeaseLost.class);
        assertThatThrownBy(() -> backend.fail(id, 1, "stale", true)).isInstanceOf(BackendException.LeaseLost.class);
    }

    @Test
    void aWrongSecretIsUnauthorizedWithoutTheSecretInTheMessage() {
        ConvexClient client = ConvexClient.connect(ConvexClientOptions.defaults(server.url()));
        clients.add(client);
        MachineToken wrong = MachineToken.parse(token.machineId().value() + ":sec_wrongwrongwrong");
        ConvexBackend backend = new ConvexBackend(client, wrong, InstanceId.random());

        assertThatThrownBy(backend::fetchState).isInstanceOf(BackendException.Unauthorized.class)
                .hasMessageNotContaining("sec_wrongwrongwrong");
        assertThatThrownBy(() -> backend.connect(new Backend.ConnectRequest("0.1.0", "h", "p", "/")))
                .isInstanceOf(BackendException.Unauthorized.class);
    }

    @Test
    void stateAndWorkAreReadOnceOverHttp() {
        ConvexBackend backend = connected(InstanceId.random());
        change(() -> contract.sendMessage(sessionId, "hello", null));

        assertThat(backend.fetchState().sessions()).extracting(s -> s.id().value()).containsExactly(sessionId);
        assertThat(backend.fetchWork()).extracting(WorkItem::content).containsExactly("hello");
    }
}
