package com.opencodeworker.infrastructure.convex.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

@Timeout(value = 10, unit = TimeUnit.SECONDS)
class ConvexValuesTest {

    @Test
    void int64IsWrittenAsLittleEndianBase64() {
        assertThat(ConvexValues.write(5L)).isEqualTo("{\"$integer\":\"BQAAAAAAAAA=\"}");
        assertThat(ConvexValues.write(-1L)).isEqualTo("{\"$integer\":\"//////////8=\"}");
        assertThat(ConvexValues.write(Long.MAX_VALUE)).isEqualTo("{\"$integer\":\"/////////38=\"}");
    }

    @Test
    void specialFloatsAreWrittenAsFloatObjects() {
        assertThat(ConvexValues.write(Double.NaN)).isEqualTo("{\"$float\":\"AAAAAAAA+H8=\"}");
        assertThat(ConvexValues.write(Double.POSITIVE_INFINITY)).isEqualTo("{\"$float\":\"AAAAAAAA8H8=\"}");
        assertThat(ConvexValues.write(Double.NEGATIVE_INFINITY)).isEqualTo("{\"$float\":\"AAAAAAAA8P8=\"}");
        assertThat(ConvexValues.write(-0.0)).isEqualTo("{\"$float\":\"AAAAAAAAAIA=\"}");
    }

    @Test
    void finiteDoublesAreBareNumbers() {
        assertThat(ConvexValues.write(1.5)).isEqualTo("1.5");
        assertThat(ConvexValues.write(0.0)).isEqualTo("0.0");
    }

    @ParameterizedTest
    @ValueSource(strings = {"1", "1.0", "5e3", "-7"})
    void everyBareNumberIsReadAsDouble(String json) {
        assertThat(ConvexValues.read(json)).isInstanceOf(Double.class).isEqualTo(Double.parseDouble(json));
    }

    @Test
    void specialValuesRoundTrip() {
        assertThat(ConvexValues.read(ConvexValues.write(Long.MIN_VALUE))).isEqualTo(Long.MIN_VALUE);
        assertThat((Double) ConvexValues.read(ConvexValues.write(-0.0))).isEqualTo(-0.0);
        assertThat(Double.doubleToRawLongBits((Double) ConvexValues.read("{\"$float\":\"AAAAAAAAAIA=\"}")))
                .isEqualTo(Long.MIN_VALUE);
        assertThat((Double) ConvexValues.read(ConvexValues.write(Double.NaN))).isNaN();
        assertThat((byte[]) ConvexValues.read(ConvexValues.write(new byte[] {1, 2, 3}))).containsExactly(1, 2, 3);
        assertThat(ConvexValues.write(new byte[] {1, 2, 3})).isEqualTo("{\"$bytes\":\"AQID\"}");
    }

    @Test
    void nestedValuesRoundTrip() {
        Map<String, Object> value = new LinkedHashMap<>();
        value.put("s", "text");
        value.put("n", 7L);
        value.put("f", 2.5);
        value.put("b", true);
        value.put("nothing", null);
        value.put("list", Arrays.asList(1.0, "two", null, false, List.of()));
        value.put("object", Map.of("inner", 1L));
        assertThat(ConvexValues.read(ConvexValues.write(value))).isEqualTo(value);
    }

    @Test
    void objectKeysAreWrittenSorted() {
        Map<String, Object> value = new LinkedHashMap<>();
        value.put("b", 1.0);
        value.put("a", Map.of("z", 1.0, "c", 2.0));
        assertThat(ConvexValues.write(value)).isEqualTo("{\"a\":{\"c\":2.0,\"z\":1.0},\"b\":1.0}");
    }

    @Test
    void keysStartingWithDollarAreRejectedBothWays() {
        assertThatThrownBy(() -> ConvexValues.write(Map.of("$bad", 1.0))).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> ConvexValues.read("{\"$bad\":1,\"other\":2}")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> ConvexValues.read("{\"$unknown\":\"AA==\"}")).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void malformedSpecialValuesAreRejected() {
        assertThatThrownBy(() -> ConvexValues.read("{\"$integer\":\"AQID\"}")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> ConvexValues.read("{\"$float\":\"AAAAAAAA+D8=\"}"))
                .hasMessageContaining("should be encoded as a number");
        assertThatThrownBy(() -> ConvexValues.read("{\"$bytes\":5}")).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void ambiguousOrUnknownJavaTypesAreRejected() {
        assertThatThrownBy(() -> ConvexValues.write(3)).hasMessageContaining("Long");
        assertThatThrownBy(() -> ConvexValues.write(new Object())).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> ConvexValues.write(Map.of(1, 2.0))).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void timestampsUseLittleEndianBase64() {
        assertThat(ConvexValues.fromBase64("gOTdgn366hg=")).isPositive();
        assertThat(ConvexValues.base64(ConvexValues.fromBase64("gOTdgn366hg="))).isEqualTo("gOTdgn366hg=");
        assertThat(ConvexValues.base64(0)).isEqualTo("AAAAAAAAAAA=");
    }
}
