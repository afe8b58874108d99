package com.opencodeworker.infrastructure.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.opencodeworker.domain.MachineToken;
import com.opencodeworker.domain.PermissionPolicy;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(value = 10, unit = TimeUnit.SECONDS)
class WorkerConfigTest {
    private static final Path ROOT = Path.of("/srv/code").toAbsolutePath();

    private static WorkerConfig config(Duration idle, int maxSessions) {
        return new WorkerConfig(MachineToken.parse("mch_abc123:sec_xyz789AB"), "https://x.convex.cloud", ROOT,
                ROOT.resolve(".worker-config.json"), idle, Duration.ofSeconds(30), Optional.empty(), maxSessions,
                Duration.ofSeconds(30), PermissionPolicy.DEFAULT, false);
    }

    @Test
    void toStringDoesNotRevealTheSecret() {
        assertThat(config(Duration.ofMinutes(5), 8).toString())
                .contains("mch_abc123:sec_***")
                .doesNotContain("xyz789AB");
    }

    @Test
    void nonPositiveDurationIsRejected() {
        assertThatThrownBy(() -> config(Duration.ZERO, 8)).hasMessage("idleTimeout must be positive");
    }

    @Test
    void sessionLimitOutsideOneToSixtyFourIsRejected() {
        assertThatThrownBy(() -> config(Duration.ofMinutes(5), 0)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> config(Duration.ofMinutes(5), 65)).isInstanceOf(IllegalArgumentException.class);
    }
}
