// `npm run test-deployment`: starts on a free port, prints READY (and the seeded key), stops on
// SIGTERM; bad flags get one line and exit code 2.
import { spawn, spawnSync } from "node:child_process";
import { fileURLToPath } from "node:url";
import { expect, test } from "vitest";

const cli = fileURLToPath(new URL("./cli.mjs", import.meta.url));
const functionsDir = fileURLToPath(new URL("./fixture/convex/", import.meta.url));

test("prints the seeded access key and READY with the URL, serves it, and stops on SIGTERM", async () => {
  const child = spawn(process.execPath, [cli, "--functions", functionsDir, "--seed-access-key", "--heartbeat-interval-ms", "500"]);
  let output = "";
  child.stdout.on("data", (d) => (output += d));
  const exited = new Promise<number | null>((resolve) => child.on("exit", resolve));
  await expect.poll(() => /^READY (\S+)$/m.test(output), { timeout: 20_000 }).toBe(true);

  expect(output).toMatch(/^ACCESS_KEY ak_fixture_test_test-deployment$/m);
  const url = /^READY (\S+)$/m.exec(output)![1];
  const answer = await fetch(`${url}/api/query`, { method: "POST", body: JSON.stringify({ path: "notes:env", args: [{}], format: "convex_encoded_json" }) });
  expect(await answer.json()).toEqual({ status: "success", value: { heartbeat: "500" } });

  child.kill("SIGTERM");
  expect(await exited).toBe(0);
});

test("a bad flag value is one clear line and exit code 2", () => {
  const run = spawnSync(process.execPath, [cli, "--port", "abc"], { encoding: "utf8" });
  expect(run.status).toBe(2);
  expect(run.stderr.split("\n")[0]).toBe('test-deployment: --port must be a whole number, got "abc"');
});
