package com.opencodeworker.application;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.mockito.ArgumentMatchers.any;
import static org.mockito.Mockito.mock;
import static org.mockito.Mockito.never;
import static org.mockito.Mockito.verify;
import static org.mockito.Mockito.when;

import com.opencodeworker.domain.ExitCode;
import com.opencodeworker.domain.MachineId;
import com.opencodeworker.domain.WorkerException;
import com.opencodeworker.domain.port.Backend;
import com.opencodeworker.domain.port.BackendException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(value = 10, unit = TimeUnit.SECONDS)
class ConnectMachineTest {
    private static final MachineId MACHINE = new MachineId("mch_abc123");
    private static final Backend.ConnectRequest REQUEST = new Backend.ConnectRequest("0.1.0", "host", "linux", "/r");
    private static final Backend.MachineState EMPTY = new Backend.MachineState(List.of(), List.of());

    private final Backend backend = mock(Backend.class);
    private final List<Duration> sleeps = new ArrayList<>();
    private final ConnectMachine connect = new ConnectMachine(backend,
            new Retry(new RetryBackoff(Duration.ofMillis(100), Duration.ofSeconds(1), () -> 0.5), sleeps::add),
            "https://x.convex.cloud");

    @Test
    void connectsAndReturnsTheMachineWithTheBackendsIntervals() throws InterruptedException {
        when(backend.fetchState()).thenReturn(EMPTY);
        when(backend.connect(REQUEST)).thenReturn(new Backend.ConnectResult("Laptop", 30_000, 90_000));

        Optional<ConnectMachine.Connected> connected = connect.connect(MACHINE, Path.of("/r"), REQUEST, () -> false);

        assertThat(connected).get().satisfies(c -> {
            assertThat(c.machine().name()).isEqualTo("Laptop");
            assertThat(c.machine().leaseMs()).isEqualTo(90_000);
            assertThat(c.state()).isEqualTo(EMPTY);
        });
    }

    @Test
    void anUnreachableBackendIsRetriedWithBackoffUntilItAnswers() throws InterruptedException {
        when(backend.fetchState()).thenThrow(new BackendException.Transient("Connection refused", null),
                new BackendException.Transient("Connection refused", null),
                new BackendException.Transient("timeout", null)).thenReturn(EMPTY);
        when(backend.connect(REQUEST)).thenReturn(new Backend.ConnectResult("Laptop", 30_000, 90_000));

        assertThat(connect.connect(MACHINE, Path.of("/r"), REQUEST, () -> false)).isPresent();
        assertThat(sleeps).containsExactly(Duration.ofMillis(100), Duration.ofMillis(200), Duration.ofMillis(400));
    }

    @Test
    void aRejectedTokenEndsWithExitCode3() {
        when(backend.fetchState()).thenThrow(new BackendException.Unauthorized("UNAUTHORIZED"));

        assertThatThrownBy(() -> connect.connect(MACHINE, Path.of("/r"), REQUEST, () -> false))
                .isInstanceOf(WorkerException.class)
                .hasMessage("Machine token rejected by https://x.convex.cloud: check the token of machine mch_abc123 in the web app")
                .satisfies(e -> assertThat(((WorkerException) e).exitCode()).isEqualTo(ExitCode.AUTH_REJECTED));
        verify(backend, never()).connect(any());
    }

    @Test
    void aPermanentRefusalEndsWithExitCode1() {
        when(backend.fetchState()).thenReturn(EMPTY);
        when(backend.connect(REQUEST)).thenThrow(new BackendException.Rejected("Could not find public function"));

        assertThatThrownBy(() -> connect.connect(MACHINE, Path.of("/r"), REQUEST, () -> false))
                .isInstanceOf(WorkerException.class).hasMessageContaining("refused the connection")
                .satisfies(e -> assertThat(((WorkerException) e).exitCode()).isEqualTo(ExitCode.FAILURE));
    }

    @Test
    void aStopWhileRetryingGivesUpQuietly() throws InterruptedException {
        when(backend.fetchState()).thenThrow(new BackendException.Transient("Connection refused", null));

        assertThat(connect.connect(MACHINE, Path.of("/r"), REQUEST, () -> sleeps.size() >= 2)).isEmpty();
    }
}
