package com.opencodeworker.presentation;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.opencodeworker.domain.WorkerException;
import com.opencodeworker.infrastructure.config.ConfigResolver;
import com.opencodeworker.infrastructure.config.EnvironmentSource;
import com.opencodeworker.infrastructure.config.InstanceLock;
import com.opencodeworker.infrastructure.config.SettingKey;
import com.opencodeworker.presentation.status.StatusFile;
import com.opencodeworker.presentation.status.StatusText;
import java.io.IOException;
import java.io.PrintWriter;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code opencode-worker status}: asks the worker running with a config file what it is doing. */
@Command(name = "status", mixinStandardHelpOptions = true, versionProvider = WorkerVersion.class, usageHelpWidth = 100,
        description = "Shows what the worker running with the config file is doing: connection, machine, workers,"
                + " OpenCode sessions and the replies in progress.",
        footerHeading = "%nExit codes:%n",
        footer = {
            "  0  a worker runs and answered",
            "  1  a worker runs but did not answer",
            "  2  invalid input",
            "  3  no worker runs with this config file"})
public final class StatusCommand implements Callable<Integer> {
    static final int NOT_RUNNING = 3;
    private static final Duration TIMEOUT = Duration.ofSeconds(5);
    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    @Option(names = "--config", paramLabel = "<file>",
            description = "Config file of the worker to ask (env CONFIG_PATH; default: as the worker's).")
    private String config;

    @Option(names = "--json", description = "Print the status as JSON.")
    private boolean json;

    @Spec
    private CommandSpec spec;

    private final Map<String, String> environment;
    private final Path workingDirectory;

    public StatusCommand(Map<String, String> environment, Path workingDirectory) {
        this.environment = Map.copyOf(environment);
        this.workingDirectory = workingDirectory.toAbsolutePath().normalize();
    }

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        Path configFile;
        try {
            configFile = new ConfigResolver(config == null ? Map.of() : Map.of(SettingKey.CONFIG_PATH, config),
                    EnvironmentSource.load(environment, workingDirectory), workingDirectory).configPath();
        } catch (WorkerException e) {
            err.println(e.getMessage());
            err.flush();
            return e.exitCode().code();
        }
        Optional<Long> running = InstanceLock.holder(configFile);
        if (running.isEmpty()) {
            err.println("No worker is running with the config file " + configFile);
            err.flush();
            return NOT_RUNNING;
        }
        Optional<StatusFile.Address> address = StatusFile.forConfig(configFile).read();
        if (address.isEmpty()) {
            err.println("The worker with pid " + running.get() + " runs, but has written no status endpoint to "
                    + StatusFile.forConfig(configFile).path() + " (it may be starting)");
            err.flush();
            return 1;
        }
        try {
            String body = fetch(address.get());
            Map<String, Object> status = JSON.readValue(body, new TypeReference<Map<String, Object>>() { });
            if (json) {
                out.println(JSON.writeValueAsString(status));
            } else {
                StatusText.lines(status).forEach(out::println);
            }
            out.flush();
            return 0;
        } catch (IOException e) {
            err.println("The worker with pid " + running.get() + " did not answer on its status endpoint: "
                    + e.getMessage());
            err.flush();
            return 1;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return 1;
        }
    }

    private static String fetch(StatusFile.Address address) throws IOException, InterruptedException {
        HttpClient client = HttpClient.newBuilder().connectTimeout(TIMEOUT).build();
        HttpRequest request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + address.port() + "/status"))
                .header("Authorization", "Bearer " + address.secret()).timeout(TIMEOUT).GET().build();
        HttpResponse<String> response = client.send(request, HttpResponse.BodyHandlers.ofString());
        if (response.statusCode() != 200) {
            throw new IOException("HTTP " + response.statusCode());
        }
        return response.body();
    }
}
