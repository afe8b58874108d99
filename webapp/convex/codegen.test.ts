// @vitest-environment node
import { execFile } from "node:child_process";
import { cp, mkdtemp, readdir, readFile, rm, symlink, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { basename, join } from "node:path";
import { promisify } from "node:util";
import { afterAll, expect, test } from "vitest";

// `convex/_generated` is committed and must match the functions. `npm run codegen` regenerates it
// offline (`--system-udfs` skips the deployment; CI=1 turns off the CLI's error reporting); this
// test runs it on a copy of convex/ and compares. Outbound HTTP goes to a closed local port, so the
// test also fails if the CLI ever tries to reach the network.

const webapp = join(import.meta.dirname, "..");
let scratch: string | undefined;

afterAll(async () => {
  if (scratch !== undefined) {
    await rm(scratch, { recursive: true, force: true });
  }
});

async function filesOf(dir: string): Promise<Record<string, string>> {
  const files: Record<string, string> = {};
  for (const name of (await readdir(dir)).sort()) {
    files[name] = await readFile(join(dir, name), "utf8");
  }
  return files;
}

test("the committed convex/_generated is what `npm run codegen` makes of the current functions", async () => {
  scratch = await mkdtemp(join(tmpdir(), "convex-codegen-"));
  await cp(join(webapp, "convex"), join(scratch, "convex"), {
    recursive: true,
    filter: (source) => basename(source) !== "_generated",
  });
  await writeFile(join(scratch, "package.json"), await readFile(join(webapp, "package.json")));
  await symlink(join(webapp, "node_modules"), join(scratch, "node_modules"), "dir");
  const closedPort = "http://127.0.0.1:9";

  await promisify(execFile)("npm", ["run", "--silent", "codegen"], {
    cwd: scratch,
    env: { ...process.env, HTTP_PROXY: closedPort, HTTPS_PROXY: closedPort, CONVEX_DEPLOYMENT: "" },
    timeout: 60_000,
  });

  const expected = await filesOf(join(scratch, "convex", "_generated"));
  expect(Object.keys(expected).length).toBeGreaterThan(0);
  expect(await filesOf(join(webapp, "convex", "_generated")), "convex/_generated is stale: run `npm run codegen` in webapp/").toEqual(expected);
}, 60_000);
