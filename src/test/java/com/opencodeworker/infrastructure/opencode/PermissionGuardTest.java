package com.opencodeworker.infrastructure.opencode;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.opencodeworker.domain.PermissionPolicy;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(value = 10, unit = TimeUnit.SECONDS)
class PermissionGuardTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    @Test
    void defaultPolicyDeniesOutsideTheDirectoryOnly() {
        PermissionGuard guard = new PermissionGuard(PermissionPolicy.DEFAULT);

        assertThat(guard.allows("external_directory")).isFalse();
        assertThat(guard.allows("edit")).isTrue();
        assertThat(guard.allows("bash")).isTrue();
    }

    @Test
    void readOnlyPolicyDeniesEditsAndCommands() {
        PermissionGuard guard = new PermissionGuard(PermissionPolicy.READ_ONLY);

        assertThat(guard.allows("edit")).isFalse();
        assertThat(guard.allows("bash")).isFalse();
        assertThat(guard.allows("read")).isTrue();
    }

    @Test
    void allowAllPolicyAllowsOutsideTheDirectory() {
        assertThat(new PermissionGuard(PermissionPolicy.ALLOW_ALL).allows("external_directory")).isTrue();
    }

    @Test
    void configAsksForWhatThePolicyDeniesAndDeniesQuestions() throws Exception {
        assertThat(JSON.readTree(new PermissionGuard(PermissionPolicy.READ_ONLY).configJson(JSON)))
                .isEqualTo(JSON.readTree("{\"question\":\"deny\",\"external_directory\":\"ask\",\"doom_loop\":\"ask\","
                        + "\"edit\":\"ask\",\"bash\":\"ask\"}"));
    }

    @Test
    void deniedLineNamesThePermissionThePathAndThePolicy() throws Exception {
        String line = new PermissionGuard(PermissionPolicy.DEFAULT).deniedLine(JSON.readTree(
                "{\"permission\":\"external_directory\",\"patterns\":[\"/outside/*\"],"
                        + "\"metadata\":{\"filepath\":\"/outside/x.txt\",\"parentDir\":\"/outside\"}}"));

        assertThat(line).isEqualTo("denied external_directory /outside/x.txt (permission policy: default)");
    }

    @Test
    void deniedCommandIsShownByItsCommand() throws Exception {
        String line = new PermissionGuard(PermissionPolicy.READ_ONLY).deniedLine(JSON.readTree(
                "{\"permission\":\"bash\",\"patterns\":[\"rm *\"],\"metadata\":{\"command\":\"rm -rf build\"}}"));

        assertThat(line).isEqualTo("denied bash rm -rf build (permission policy: read-only)");
    }
}
