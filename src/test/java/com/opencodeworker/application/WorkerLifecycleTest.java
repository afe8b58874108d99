package com.opencodeworker.application;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.opencodeworker.application.WorkerLifecycle.Phase;
import com.opencodeworker.domain.ExitCode;
import com.opencodeworker.domain.WorkerException;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

@Timeout(value = 10, unit = TimeUnit.SECONDS)
class WorkerLifecycleTest {
    /** Longer than the class timeout: a sleep given it returns only when woken. */
    private static final Duration UNTIL_WOKEN = Duration.ofMinutes(1);

    private final WorkerLifecycle lifecycle = new WorkerLifecycle();
    private final ExecutorService executor = Executors.newCachedThreadPool();

    @AfterEach
    void tearDown() {
        executor.shutdownNow();
    }

    /** Waits for a stop request on another thread. */
    private CompletableFuture<Void> awaitingStop() {
        return CompletableFuture.runAsync(() -> {
            try {
                lifecycle.awaitStopRequest();
            } catch (InterruptedException e) {
                throw new IllegalStateException(e);
            }
        }, executor);
    }

    @Test
    void aNewWorkerRunsAndAcceptsWork() {
        assertThat(lifecycle.phase()).isEqualTo(Phase.RUNNING);
        assertThat(lifecycle.accepting()).isTrue();
        assertThat(lifecycle.forced()).isFalse();
        assertThat(lifecycle.failure()).isEmpty();
    }

    @Test
    void theFirstStopDrainsAndTakesNoNewWork() {
        lifecycle.requestStop();

        assertThat(lifecycle.phase()).isEqualTo(Phase.DRAINING);
        assertThat(lifecycle.accepting()).isFalse();
        assertThat(lifecycle.forced()).isFalse();
    }

    @Test
    void theSecondStopForcesAndALaterOneChangesNothing() {
        lifecycle.requestStop();
        lifecycle.requestStop();
        assertThat(lifecycle.phase()).isEqualTo(Phase.FORCED);

        lifecycle.requestStop();

        assertThat(lifecycle.phase()).isEqualTo(Phase.FORCED);
        assertThat(lifecycle.forced()).isTrue();
    }

    @Test
    void aWaitForAStopRequestLastsUntilOneComes() throws Exception {
        CompletableFuture<Void> waiting = awaitingStop();
        assertThatThrownBy(() -> waiting.get(200, TimeUnit.MILLISECONDS)).isInstanceOf(TimeoutException.class);

        lifecycle.requestStop();

        waiting.get(5, TimeUnit.SECONDS);
    }

    @Test
    void forcingEndsAWaitForAStopRequest() throws Exception {
        CompletableFuture<Void> waiting = awaitingStop();

        lifecycle.force();

        waiting.get(5, TimeUnit.SECONDS);
        assertThat(lifecycle.phase()).isEqualTo(Phase.FORCED);
    }

    @Test
    void aFailureForcesTheStopAndEndsAWaitForIt() throws Exception {
        CompletableFuture<Void> waiting = awaitingStop();
        WorkerException error = new WorkerException(ExitCode.FAILURE, "boom");

        lifecycle.fail(error);

        waiting.get(5, TimeUnit.SECONDS);
        assertThat(lifecycle.forced()).isTrue();
        assertThat(lifecycle.failure()).containsSame(error);
    }

    @Test
    void theFirstFailureWins() {
        WorkerException first = new WorkerException(ExitCode.FAILURE, "first");

        lifecycle.fail(first);
        lifecycle.supersede();

        assertThat(lifecycle.failure()).containsSame(first);
        assertThat(lifecycle.superseded()).isFalse();
        assertThat(lifecycle.cutOff()).isFalse();
    }

    @Test
    void aSupersededWorkerIsCutOffWithExitCode4() {
        lifecycle.supersede();

        assertThat(lifecycle.superseded()).isTrue();
        assertThat(lifecycle.revoked()).isFalse();
        assertThat(lifecycle.cutOff()).isTrue();
        assertThat(lifecycle.forced()).isTrue();
        assertThat(lifecycle.failure()).hasValueSatisfying(e -> {
            assertThat(e.exitCode()).isEqualTo(ExitCode.SUPERSEDED);
            assertThat(e.getMessage()).isEqualTo("Stopped: another worker connected with this machine token");
        });
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
        "Uncaught Error: SUPERSEDED: another worker connected from host b at 12:00"
                + " | Stopped: another worker connected from host b at 12:00",
        "another worker connected from host b | Stopped: another worker connected from host b",
        "SUPERSEDED | Stopped: another worker connected with this machine token"})
    void theSupersedingMessageIsQuotedFromWhereItNamesTheOtherWorkerElseTheGenericOne(String backendSays,
                                                                                      String stoppedWith) {
        lifecycle.supersede(backendSays);

        assertThat(lifecycle.failure()).map(WorkerException::getMessage).hasValue(stoppedWith);
    }

    @Test
    void aRevokedTokenCutsTheWorkerOffWithExitCode3() {
        lifecycle.revoke();

        assertThat(lifecycle.revoked()).isTrue();
        assertThat(lifecycle.superseded()).isFalse();
        assertThat(lifecycle.cutOff()).isTrue();
        assertThat(lifecycle.forced()).isTrue();
        assertThat(lifecycle.failure()).map(WorkerException::exitCode).hasValue(ExitCode.AUTH_REJECTED);
    }

    @Test
    void aFailureOfAnotherKindIsNeitherSupersededNorRevoked() {
        lifecycle.fail(new WorkerException(ExitCode.FAILURE, "boom"));

        assertThat(lifecycle.superseded()).isFalse();
        assertThat(lifecycle.revoked()).isFalse();
        assertThat(lifecycle.cutOff()).isFalse();
    }

    @Test
    void theInterruptibleSleeperWakesWhenAStopIsRequested() throws Exception {
        Sleeper sleeper = lifecycle.interruptibleSleeper();
        CompletableFuture<Void> sleeping = CompletableFuture.runAsync(() -> {
            try {
                sleeper.sleep(UNTIL_WOKEN);
            } catch (InterruptedException e) {
                throw new IllegalStateException(e);
            }
        }, executor);
        assertThatThrownBy(() -> sleeping.get(200, TimeUnit.MILLISECONDS)).isInstanceOf(TimeoutException.class);

        lifecycle.requestStop();

        sleeping.get(5, TimeUnit.SECONDS);
    }

    @Test
    void theInterruptibleSleeperSleepsItsDurationWhileRunning() throws InterruptedException {
        long start = System.nanoTime();

        lifecycle.interruptibleSleeper().sleep(Duration.ofMillis(50));

        assertThat(System.nanoTime() - start).isGreaterThanOrEqualTo(TimeUnit.MILLISECONDS.toNanos(50));
    }
}
