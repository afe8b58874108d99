package com.opencodeworker.infrastructure.convex;

import com.opencodeworker.domain.InstanceId;
import com.opencodeworker.domain.MachineToken;
import com.opencodeworker.domain.port.Backend;
import com.opencodeworker.infrastructure.convex.client.ConvexFunctions;
import com.opencodeworker.testing.convex.FakeBackend;
import com.opencodeworker.testing.convex.InProcessConvex;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The adapter's test world: the fake contract on an in-process Convex, a manual clock, one machine
 * with a worker and a session, and adapters that record the arguments they send.
 */
final class ConvexBackendFixture implements AutoCloseable {
    static final Backend.ConnectRequest REQUEST = new Backend.ConnectRequest("1.2.3", "devbox", "linux-x64", "/srv/code");
    static final long START = 1_700_000_000_000L;

    final AtomicLong millis = new AtomicLong(START);
    final FakeBackend backend = new FakeBackend(() -> Instant.ofEpochMilli(millis.get()));
    final InProcessConvex convex = new InProcessConvex();
    final String token;
    final String machineId;
    final String workerId;
    final String sessionId;
    private final List<Sent> sent = new CopyOnWriteArrayList<>();
    private final List<ConvexBackend> adapters = new ArrayList<>();

    ConvexBackendFixture() {
        backend.installOn(convex);
        token = backend.createMachine("laptop");
        machineId = token.substring(0, token.indexOf(':'));
        workerId = backend.createWorker(machineId, "api", "projects/api");
        sessionId = backend.createSession(workerId);
    }

    String secret() {
        return token.substring(token.indexOf(':') + 1);
    }

    ConvexBackend adapter() {
        return adapter(token, InstanceId.random());
    }

    ConvexBackend adapter(String machineToken, InstanceId instance) {
        ConvexBackend adapter = new ConvexBackend(new Recording(), MachineToken.parse(machineToken), instance);
        adapters.add(adapter);
        return adapter;
    }

    /** A new adapter that already called connect. */
    ConvexBackend connected() {
        ConvexBackend adapter = adapter();
        adapter.connect(REQUEST);
        return adapter;
    }

    String send(String content) {
        return convex.updateAndGet(() -> backend.sendMessage(sessionId, content, null));
    }

    void advance(long ms) {
        millis.addAndGet(ms);
    }

    long now() {
        return millis.get();
    }

    /** The arguments of the last call of {@code path} an adapter sent. */
    Map<String, Object> lastArgs(String path) {
        return last(path).args();
    }

    private Sent last(String path) {
        for (int i = sent.size() - 1; i >= 0; i--) {
            if (sent.get(i).path().equals(path)) {
                return sent.get(i);
            }
        }
        throw new AssertionError("no call of " + path);
    }

    @Override
    public void close() {
        adapters.forEach(ConvexBackend::close);
        convex.close();
    }

    /** How a call waited: a query, a mutation done once subscriptions see it, or one done on its answer. */
    enum Wait { QUERY, SUBSCRIPTIONS, ANSWER }

    /** How the last call of {@code path} an adapter sent waited. */
    /** Waits for an appendChunks call's answer (5 s at most); throws its BackendException as the call's own. */
    static Backend.AppendResult appended(CompletableFuture<Backend.AppendResult> call) {
        try {
            return call.get(5, TimeUnit.SECONDS);
        } catch (ExecutionException e) {
            if (e.getCause() instanceof RuntimeException failure) {
                throw failure;
            }
            throw new AssertionError(e.getCause());
        } catch (InterruptedException | TimeoutException e) {
            throw new AssertionError("no answer to appendChunks", e);
        }
    }

    Wait lastWait(String path) {
        return last(path).waiting();
    }

    private record Sent(String path, Map<String, Object> args, Wait waiting) {
    }

    /** Passes calls to the in-process Convex, remembering each call's arguments and how it waited. */
    private final class Recording implements ConvexFunctions {
        @Override
        public Object query(String path, Map<String, Object> args) {
            sent.add(new Sent(path, new HashMap<>(args), Wait.QUERY));
            return convex.query(path, args);
        }

        @Override
        public Object mutation(String path, Map<String, Object> args) {
            sent.add(new Sent(path, new HashMap<>(args), Wait.SUBSCRIPTIONS));
            return convex.mutation(path, args);
        }

        @Override
        public Object mutationAnswered(String path, Map<String, Object> args) {
            sent.add(new Sent(path, new HashMap<>(args), Wait.ANSWER));
            return convex.mutationAnswered(path, args);
        }

        @Override
        public QuerySubscription subscribe(String path, Map<String, Object> args, QueryListener listener) {
            return convex.subscribe(path, args, listener);
        }

        @Override
        public void addConnectionListener(ConnectionListener listener) {
            convex.addConnectionListener(listener);
        }
    }
}
