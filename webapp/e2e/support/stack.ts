import { existsSync, mkdirSync, mkdtempSync, readFileSync, statSync } from "node:fs";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { homedir, tmpdir } from "node:os";
import { extname, join, normalize, resolve, sep } from "node:path";
import { build } from "vite";
import { Child } from "./processes";

// What the browser test runs against: the built web app served from a local port, the test
// deployment serving the project's Convex functions, and the worker jar.

export const WEBAPP_DIR = resolve(import.meta.dirname, "../..");
export const REPO_DIR = resolve(WEBAPP_DIR, "..");
export const SCREENSHOTS_DIR = join(REPO_DIR, "docs", "screenshots");

export function scratchDir(prefix: string): string {
  return mkdtempSync(join(tmpdir(), `webapp-e2e-${prefix}-`));
}

/** Debian's chromium unless CHROMIUM_PATH names another. */
export function chromiumPath(): string {
  const path = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";
  if (!existsSync(path)) {
    throw new Error(
      `Chromium not found at ${path}: install Debian's chromium (apt-get install chromium) or set CHROMIUM_PATH`,
    );
  }
  return path;
}

export const CHROMIUM_FLAGS = [
  "--headless",
  "--no-sandbox",
  "--disable-gpu",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
  "--no-first-run",
];

/** The OpenCode Maven installed: OPENCODE_BIN (set by the build), else its install location. */
export function openCodePath(): string {
  const path =
    process.env.OPENCODE_BIN ??
    join(homedir(), ".cache", "opencode-worker", "opencode-ai-1.18.33", "node_modules", ".bin", "opencode");
  if (!existsSync(path)) {
    throw new Error(`OpenCode not found at ${path}: run ./mvnw -B verify once (it installs it) or set OPENCODE_BIN`);
  }
  return path;
}

/** The shaded worker jar of this checkout (target/worker.jar next to webapp/), or WORKER_JAR. */
export function workerJarPath(): string {
  const path = process.env.WORKER_JAR ?? join(REPO_DIR, "target", "worker.jar");
  if (!existsSync(path)) {
    throw new Error(`Worker jar not found at ${path}: build it with ./mvnw -B -DskipTests package`);
  }
  return path;
}

/** The test deployment with a seeded access key. */
export async function startDeployment(logDir: string): Promise<{ url: string; accessKey: string; child: Child }> {
  const child = Child.start(
    "test deployment",
    process.execPath,
    ["test-deployment/cli.mjs", "--seed-access-key", "--exit-with-stdin"],
    {
      cwd: WEBAPP_DIR,
      env: process.env,
      logFile: join(logDir, "deployment.log"),
    },
  );
  try {
    const [, url] = await child.waitForLine(/^READY (\S+)/, 60_000);
    const [, accessKey] = await child.waitForLine(/^ACCESS_KEY (\S+)/, 10_000);
    return { url, accessKey, child };
  } catch (error) {
    await child.stop();
    throw error;
  }
}

const CONTENT_TYPES: Record<string, string> = {
  ".html": "text/html; charset=utf-8",
  ".js": "text/javascript",
  ".css": "text/css",
  ".svg": "image/svg+xml",
  ".png": "image/png",
};

/** Builds the app as `npm run build` does (no VITE_CONVEX_URL: the page asks) and serves it. */
export async function serveBuiltApp(outDir: string): Promise<{ url: string; close: () => Promise<void> }> {
  delete process.env.VITE_CONVEX_URL;
  // vitest sets NODE_ENV=test, which would bundle React's development build: build for production.
  const nodeEnv = process.env.NODE_ENV;
  process.env.NODE_ENV = "production";
  try {
    await build({ root: WEBAPP_DIR, mode: "production", logLevel: "warn", build: { outDir, emptyOutDir: true } });
  } finally {
    process.env.NODE_ENV = nodeEnv;
  }
  const server: Server = createServer((request, response) => {
    const path = decodeURIComponent(new URL(request.url ?? "/", "http://app").pathname);
    const file = normalize(join(outDir, path === "/" ? "index.html" : path));
    if (!file.startsWith(outDir + sep) || !existsSync(file) || !statSync(file).isFile()) {
      response.writeHead(404).end("not found");
      return;
    }
    response.writeHead(200, { "Content-Type": CONTENT_TYPES[extname(file)] ?? "application/octet-stream" });
    response.end(readFileSync(file));
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/**
 * The worker as a user runs it (`java -jar worker.jar --convex-url …`), the token in
 * MACHINE_TOKEN, OpenCode's home and config isolated in `home` and pointed at the fake model.
 */
export function startWorker(options: {
  name: string;
  deploymentUrl: string;
  token: string;
  root: string;
  home: string;
  openCodeConfig: string;
}): Child {
  const { home } = options;
  for (const dir of ["data", "config", "state", "cache"]) mkdirSync(join(home, dir), { recursive: true });
  return Child.start(
    options.name,
    "java",
    [
      "-Xmx256m",
      "-jar",
      workerJarPath(),
      "--convex-url",
      options.deploymentUrl,
      "--root",
      options.root,
      "--config",
      join(home, "worker-config.json"),
      "--opencode-bin",
      openCodePath(),
      "--sync-interval",
      "5000",
      ...(process.env.E2E_WORKER_VERBOSE ? ["--verbose"] : []),
    ],
    {
      cwd: options.root,
      env: {
        ...process.env,
        MACHINE_TOKEN: options.token,
        HOME: home,
        XDG_DATA_HOME: join(home, "data"),
        XDG_CONFIG_HOME: join(home, "config"),
        XDG_STATE_HOME: join(home, "state"),
        XDG_CACHE_HOME: join(home, "cache"),
        npm_config_registry: "http://127.0.0.1:9/",
        OPENCODE_CONFIG_CONTENT: options.openCodeConfig,
      },
      logFile: join(home, "worker.log"),
    },
  );
}
