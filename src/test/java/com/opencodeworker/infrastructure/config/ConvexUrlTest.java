package com.opencodeworker.infrastructure.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

@Timeout(value = 10, unit = TimeUnit.SECONDS)
class ConvexUrlTest {

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "https://happy-otter-123.convex.cloud    | https://happy-otter-123.convex.cloud",
        "'  https://happy-otter-123.convex.cloud/ ' | https://happy-otter-123.convex.cloud",
        "HTTPS://Happy-Otter-123.Convex.Cloud//  | https://happy-otter-123.convex.cloud",
        "http://127.0.0.1:3210                   | http://127.0.0.1:3210",
        "http://localhost:3210/                  | http://localhost:3210",
        "https://example.com/convex/             | https://example.com/convex",
    })
    void validUrlIsNormalised(String raw, String expected) {
        assertThat(ConvexUrl.normalise(raw)).isEqualTo(expected);
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "ws://happy-otter-123.convex.cloud     | the scheme must be http or https, not ws",
        "wss://happy-otter-123.convex.cloud    | the scheme must be http or https, not wss",
        "happy-otter-123.convex.cloud          | the scheme is missing",
        "localhost:3210                        | the scheme is missing",
        "https://happy otter.convex.cloud      | it contains whitespace",
        "''                                    | it is empty",
        "https://                              | ",
        "https:///path                         | the host is missing",
        "https://user:pw@x.convex.cloud        | it must not contain a user name or password",
        "https://x.convex.cloud/?a=b           | it must not have a query or fragment",
        "https://x.convex.cloud/#top           | it must not have a query or fragment",
        "https://x.convex.cloud:99999999999    | ",
    })
    void invalidUrlIsRejectedWithTheReason(String raw, String reason) {
        assertThatThrownBy(() -> ConvexUrl.normalise(raw))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("Invalid Convex URL \"" + raw.strip() + "\": ")
                .hasMessageContaining(reason == null ? "" : reason);
    }
}
