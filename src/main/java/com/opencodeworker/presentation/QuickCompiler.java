package com.opencodeworker.presentation;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import javax.management.JMException;
import javax.management.ObjectName;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Gives a worker started by plain {@code java -jar} the compiler the launcher and the service start it
 * with ({@code -XX:TieredStopAtLevel=1}, see {@link com.opencodeworker.presentation.service.DaemonJvmOptions}):
 * {@code java -jar} cannot carry JVM options, so at start the worker adds a HotSpot compiler directive
 * that excludes every method from the optimizing C2 compiler, through the JVM's own diagnostic command
 * ({@code jcmd PID Compiler.directives_add}). Methods then run compiled by the quick C1 compiler, as
 * with the launcher: in the benchmark, C2 otherwise spends 3 to 5 s of CPU over a worker's first
 * hundred replies, on the cores OpenCode answers on, for a daemon that needs no peak throughput.
 * Nothing is done when the JVM was given any compiler option of its own (the launcher's, or a user's in
 * {@code JAVA_TOOL_OPTIONS}), or where the command or the JVM's management module does not exist (a JVM
 * other than HotSpot, a trimmed runtime): the worker then runs with the JVM's defaults.
 */
final class QuickCompiler {
    private static final Logger LOG = LoggerFactory.getLogger(QuickCompiler.class);
    private static final String DIRECTIVE = "[{ match: \"*.*\", c2: { Exclude: true } }]";
    /** Options by which the JVM was told how to compile: their owner decided, and is not overruled. */
    private static final List<String> COMPILER_OPTIONS = List.of("TieredStopAtLevel", "TieredCompilation",
            "CompilerDirectives", "CompileCommand", "-Xint", "-Xcomp", "JVMCI");

    private QuickCompiler() {
    }

    /** Whether a JVM started with {@code jvmArguments} (its options, not the program's) should get the directive. */
    static boolean wanted(List<String> jvmArguments) {
        return jvmArguments.stream().noneMatch(argument -> COMPILER_OPTIONS.stream().anyMatch(argument::contains));
    }

    /** Adds the directive to this JVM if {@link #wanted}; says whether it did. Never fails the worker. */
    static boolean applyIfWanted() {
        Path file = null;
        try {
            if (!wanted(ManagementFactory.getRuntimeMXBean().getInputArguments())) {
                return false;
            }
            file = Files.createTempFile("opencode-worker-compiler", ".json");
            Files.writeString(file, DIRECTIVE);
            ManagementFactory.getPlatformMBeanServer().invoke(
                    new ObjectName("com.sun.management:type=DiagnosticCommand"), "compilerDirectivesAdd",
                    new Object[] {new String[] {file.toString()}}, new String[] {String[].class.getName()});
            LOG.debug("JIT: the C2 compiler excluded by a compiler directive (as -XX:TieredStopAtLevel=1)");
            return true;
        } catch (IOException | JMException | RuntimeException | LinkageError e) {
            LOG.debug("JIT: left at the JVM's defaults ({})", e.toString());
            return false;
        } finally {
            if (file != null) {
                try {
                    Files.deleteIfExists(file);
                } catch (IOException e) {
                    LOG.debug("could not delete {}: {}", file, e.getMessage());
                }
            }
        }
    }
}
