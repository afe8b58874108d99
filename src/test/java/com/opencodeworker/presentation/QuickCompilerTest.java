package com.opencodeworker.presentation;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(value = 10, unit = TimeUnit.SECONDS)
class QuickCompilerTest {

    @Test
    void aJvmWithoutCompilerOptionsGetsTheQuickCompiler() {
        assertThat(QuickCompiler.wanted(List.of())).isTrue();
        assertThat(QuickCompiler.wanted(List.of("-Xmx256m", "-Dlogback.configurationFile=logback.xml",
                "-javaagent:/somewhere/jacocoagent.jar=destfile=jacoco.exec", "-XX:+UseSerialGC"))).isTrue();
    }

    @Test
    void anyCompilerOptionOfItsOwnIsLeftAlone() {
        for (String option : List.of("-XX:TieredStopAtLevel=1", "-XX:TieredStopAtLevel=4", "-XX:-TieredCompilation",
                "-XX:+UnlockDiagnosticVMOptions -XX:CompilerDirectivesFile=d.json", "-XX:CompileCommand=quiet",
                "-Xint", "-Xcomp", "-XX:+UseJVMCICompiler")) {
            assertThat(QuickCompiler.wanted(List.of("-Xmx256m", option))).as(option).isFalse();
        }
    }
}
