package com.opencodeworker.infrastructure.convex;

import com.opencodeworker.domain.port.Backend;
import com.opencodeworker.infrastructure.convex.client.ConvexException;
import com.opencodeworker.infrastructure.convex.client.ConvexFunctions;
import java.util.Objects;
import java.util.function.Consumer;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One subscribed contract query: decodes each snapshot and hands it on. A snapshot that cannot be
 * decoded, a failing query and a failing consumer are logged (once per change of error) and never end
 * the subscription. The consumer runs on the client's listener thread, outside this object's lock.
 * All mutable state is guarded by this.
 *
 * @param <T> the decoded snapshot
 */
final class SubscribedQuery<T> implements ConvexFunctions.QueryListener, Backend.Subscription {
    private static final Logger LOG = LoggerFactory.getLogger(SubscribedQuery.class);

    private final String function;
    private final Function<Object, T> decoder;
    private final Consumer<T> consumer;
    private final CallErrors errors;
    private final SecretScrubber scrubber;
    private final Consumer<SubscribedQuery<?>> onClose;
    private ConvexFunctions.QuerySubscription query;
    private boolean closed;
    private String lastProblem;

    SubscribedQuery(String function, Function<Object, T> decoder, Consumer<T> consumer, CallErrors errors,
                         SecretScrubber scrubber, Consumer<SubscribedQuery<?>> onClose) {
        this.function = function;
        this.decoder = decoder;
        this.consumer = Objects.requireNonNull(consumer, "consumer");
        this.errors = errors;
        this.scrubber = scrubber;
        this.onClose = onClose;
    }

    /** Binds the client's subscription, closing it at once if this was closed meanwhile. */
    void attach(ConvexFunctions.QuerySubscription subscription) {
        boolean closeNow;
        synchronized (this) {
            query = subscription;
            closeNow = closed;
        }
        if (closeNow) {
            subscription.close();
        }
    }

    @Override
    public void onUpdate(Object value) {
        T snapshot;
        synchronized (this) {
            if (closed) {
                return;
            }
            try {
                snapshot = decoder.apply(value);
            } catch (FormatException e) {
                problem("ignored a malformed snapshot: " + scrubber.scrub(e.getMessage()));
                return;
            }
            if (lastProblem != null) {
                LOG.info("{}: subscription delivers snapshots again", function);
                lastProblem = null;
            }
        }
        try {
            consumer.accept(snapshot);
        } catch (RuntimeException e) {
            LOG.warn("{}: the snapshot consumer failed", function, e);
        }
    }

    @Override
    public void onError(ConvexException.FunctionError error) {
        synchronized (this) {
            if (!closed) {
                problem("the query failed: " + errors.describe(function, error));
            }
        }
    }

    @Override
    public void close() {
        ConvexFunctions.QuerySubscription toClose;
        synchronized (this) {
            if (closed) {
                return;
            }
            closed = true;
            toClose = query;
        }
        if (toClose != null) {
            toClose.close();
        }
        onClose.accept(this);
    }

    private void problem(String problem) {
        if (!problem.equals(lastProblem)) {
            LOG.warn("{}: {}", function, problem);
            lastProblem = problem;
        }
    }
}
