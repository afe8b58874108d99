package com.opencodeworker.presentation;

import com.opencodeworker.domain.MessageId;
import com.opencodeworker.domain.OpenCodeSessionId;
import com.opencodeworker.domain.port.AssistantProcess;
import com.opencodeworker.domain.port.AssistantRuntime;
import com.opencodeworker.domain.port.Reply;
import com.opencodeworker.domain.port.ReplyListener;
import com.opencodeworker.domain.port.ReplyResult;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Says what a person waiting on a reply needs to know: a reply that gets nothing from OpenCode for
 * {@link #QUIET} is logged as waiting (once per quiet spell), and a model provider that cannot be
 * reached fails the message with a line naming the provider and the model, instead of OpenCode's
 * bare "Cannot connect to API".
 */
final class ReplyDiagnostics implements AssistantRuntime {
    static final Duration QUIET = Duration.ofSeconds(20);
    private static final Logger LOG = LoggerFactory.getLogger(ReplyDiagnostics.class);

    private final AssistantRuntime runtime;
    private final ScheduledExecutorService timer;
    private final Duration quiet;

    ReplyDiagnostics(AssistantRuntime runtime, ScheduledExecutorService timer, Duration quiet) {
        this.runtime = Objects.requireNonNull(runtime, "runtime");
        this.timer = Objects.requireNonNull(timer, "timer");
        this.quiet = Objects.requireNonNull(quiet, "quiet");
    }

    @Override
    public void verifyAvailable() {
        runtime.verifyAvailable();
    }

    @Override
    public AssistantProcess start(Path directory, String label) {
        return new Diagnosed(runtime.start(directory, label), directory);
    }

    /** "provider/model" as the message names it, or OpenCode's default. */
    static String describeModel(Optional<String> model) {
        return model.map(m -> {
            int slash = m.indexOf('/');
            return slash > 0 ? "provider " + m.substring(0, slash) + ", model " + m.substring(slash + 1) : "model " + m;
        }).orElse("OpenCode's default provider and model");
    }

    /** OpenCode's words for a provider it could not reach. */
    static boolean unreachable(String message) {
        String lower = message.toLowerCase(Locale.ROOT);
        return lower.contains("cannot connect to api") || lower.contains("unable to connect")
                || lower.contains("econnrefused") || lower.contains("enotfound") || lower.contains("fetch failed");
    }

    static ReplyResult explained(ReplyResult result, Optional<String> model) {
        return result.failure().filter(f -> f.kind() == ReplyResult.Failure.Kind.MODEL_ERROR && unreachable(f.message()))
                .map(f -> new ReplyResult(result.text(), result.reasoning(), result.partsJson(), result.usage(),
                        Optional.of(new ReplyResult.Failure(f.kind(), "Cannot reach the model provider ("
                                + describeModel(model) + "): " + f.message()
                                + "; check its API key, base URL and network in your OpenCode configuration"))))
                .orElse(result);
    }

    private final class Diagnosed extends ForwardingAssistantProcess {
        private final Path directory;

        Diagnosed(AssistantProcess process, Path directory) {
            super(process);
            this.directory = directory;
        }

        @Override
        public Reply prompt(OpenCodeSessionId session, MessageId message, String text, Optional<String> model,
                            ReplyListener listener) {
            QuietWatch watch = new QuietWatch(message, model);
            Reply reply = delegate().prompt(session, message, text, model, event -> {
                watch.heard();
                listener.onEvent(event);
            });
            CompletableFuture<ReplyResult> result = reply.result().whenComplete((r, e) -> watch.stop())
                    .thenApply(r -> explained(r, model));
            return new Reply() {
                @Override
                public void abort() {
                    reply.abort();
                }

                @Override
                public CompletableFuture<ReplyResult> result() {
                    return result;
                }
            };
        }

        /**
         * Logs once when a reply has been quiet for {@code quiet}. An event only records when it came (one
         * volatile write, as events come many a second); the timer checks that time when it fires and sets
         * itself for the end of the current quiet spell. The other fields are guarded by {@code this}.
         */
        private final class QuietWatch {
            private final MessageId message;
            private final Optional<String> model;
            private final long started = System.nanoTime();
            private volatile long lastHeard = started;
            /** The quiet spell last logged, by its start; at first a time before the prompt, when none starts. */
            private long reportedSpell = started - 1;
            private ScheduledFuture<?> pending;
            private boolean stopped;

            QuietWatch(MessageId message, Optional<String> model) {
                this.message = message;
                this.model = model;
                scheduleIn(quiet.toNanos());
            }

            void heard() {
                lastHeard = System.nanoTime();
            }

            synchronized void stop() {
                stopped = true;
                if (pending != null) {
                    pending.cancel(false);
                }
            }

            private synchronized void scheduleIn(long nanos) {
                if (!stopped) {
                    pending = timer.schedule(this::check, nanos, TimeUnit.NANOSECONDS);
                }
            }

            private void check() {
                long spell = lastHeard;
                long now = System.nanoTime();
                long quietFor = now - spell;
                if (quietFor < quiet.toNanos()) {
                    scheduleIn(quiet.toNanos() - quietFor);
                    return;
                }
                synchronized (this) {
                    if (stopped) {
                        return;
                    }
                    if (reportedSpell != spell) {
                        reportedSpell = spell;
                        LOG.info("Still waiting for OpenCode's reply to {} in {} ({}): nothing for {} s, {} s since the"
                                + " prompt", message, directory, describeModel(model), quiet.toSeconds(),
                                TimeUnit.NANOSECONDS.toSeconds(now - started));
                    }
                }
                scheduleIn(quiet.toNanos());
            }
        }
    }
}
