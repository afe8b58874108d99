#!/usr/bin/env node
// `npm run test-deployment`: the project's Convex functions on a local test deployment, for tests and
// for trying the web app without a Convex account. A test tool: one process, nothing persisted.
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { startTestDeployment } from "./lib/server.mjs";

const USAGE = `Usage: npm run test-deployment -- [options]
  --port N                    port of the deployment (default 0: a free port)
  --control-port N            port of the control channel for tests (default 0: a free port)
  --functions DIR             the Convex functions folder (default: the package's convex/)
  --seed-access-key           create an access key and print it on a line "ACCESS_KEY <key>"
  --heartbeat-interval-ms N   HEARTBEAT_INTERVAL_MS of the deployment (the worker's heartbeat)
  --lease-ms N                LEASE_MS of the deployment (how long a claim holds)
  --exit-with-stdin          stop when standard input ends (for a parent process that may die)
  --help                      show this help`;

function fail(message) {
  process.stderr.write(`test-deployment: ${message}\n${USAGE}\n`);
  process.exit(2);
}

function positiveInteger(name, text, allowZero = false) {
  if (text === undefined) return undefined;
  const value = Number(text);
  if (!Number.isInteger(value) || value < (allowZero ? 0 : 1)) fail(`--${name} must be a whole number${allowZero ? "" : " above 0"}, got "${text}"`);
  return value;
}

let options;
try {
  options = parseArgs({
    options: {
      port: { type: "string" },
      "control-port": { type: "string" },
      functions: { type: "string" },
      "seed-access-key": { type: "boolean" },
      "heartbeat-interval-ms": { type: "string" },
      "lease-ms": { type: "string" },
      "exit-with-stdin": { type: "boolean" },
      help: { type: "boolean" },
    },
  }).values;
} catch (error) {
  fail(error.message);
}
if (options.help) {
  process.stdout.write(`${USAGE}\n`);
  process.exit(0);
}

const deployment = await startTestDeployment({
  functionsDir: options.functions ?? fileURLToPath(new URL("../convex/", import.meta.url)),
  port: positiveInteger("port", options.port ?? "0", true),
  controlPort: positiveInteger("control-port", options["control-port"] ?? "0", true),
  env: {
    HEARTBEAT_INTERVAL_MS: positiveInteger("heartbeat-interval-ms", options["heartbeat-interval-ms"]),
    LEASE_MS: positiveInteger("lease-ms", options["lease-ms"]),
  },
}).catch((error) => {
  process.stderr.write(`test-deployment: cannot start: ${error.message}\n`);
  process.exit(1);
});

if (options["seed-access-key"]) {
  const key = await deployment.seedAccessKey().catch((error) => {
    process.stderr.write(`test-deployment: cannot seed an access key: ${error.message}\n`);
    process.exit(1);
  });
  process.stdout.write(`ACCESS_KEY ${key}\n`);
}
process.stdout.write(`CONTROL ${deployment.controlUrl}\n`);
process.stdout.write(`READY ${deployment.url}\n`);

const stop = async () => {
  await deployment.close();
  process.exit(0);
};
process.on("SIGTERM", stop);
process.on("SIGINT", stop);
if (options["exit-with-stdin"]) {
  // The parent's end of stdin closing means the test that started us is gone.
  process.stdin.on("end", stop);
  process.stdin.resume();
}
