// The official client against the project's own functions (webapp/convex), as the web app uses
// them: a seeded access key, a live machines:list, machines:create, and internal functions refused.
import { ConvexClient, ConvexHttpClient } from "convex/browser";
import { anyApi } from "convex/server";
import { ConvexError } from "convex/values";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, expect, test, vi } from "vitest";
import { startTestDeployment } from "./lib/server.mjs";

let deployment: Awaited<ReturnType<typeof startTestDeployment>>;
let accessKey: string;

beforeAll(async () => {
  deployment = await startTestDeployment({ functionsDir: fileURLToPath(new URL("../convex/", import.meta.url)) });
  accessKey = await deployment.seedAccessKey("ada", "laptop");
});

afterAll(async () => {
  await deployment?.close();
});

test("a machine created with the seeded key shows in a live machines:list", async () => {
  const client = new ConvexClient(deployment.url);
  try {
    let machines: { name: string; status: string }[] | undefined;
    client.onUpdate(anyApi.machines.list, { accessKey }, (list) => {
      machines = list;
    });
    await vi.waitFor(() => expect(machines).toEqual([]));

    const created = await client.mutation(anyApi.machines.create, { accessKey, name: "workstation" });

    expect(created.token).toMatch(new RegExp(`^${created.machineId}:sec_`));
    expect(machines).toEqual([expect.objectContaining({ name: "workstation", status: "offline" })]);
  } finally {
    await client.close();
  }
});

test("a wrong key is UNAUTHORIZED and the internal key functions are not reachable", async () => {
  const http = new ConvexHttpClient(deployment.url);
  const wrong = await http.query(anyApi.access.whoami, { accessKey: `ak_${"x".repeat(43)}` }).catch((e) => e);
  expect(wrong).toBeInstanceOf(ConvexError);
  expect(wrong.data.code).toBe("UNAUTHORIZED");
  expect(await http.query(anyApi.access.whoami, { accessKey })).toEqual({ user: "ada", label: "laptop" });
  const internal = await http.mutation(anyApi.access.createKey, { user: "mallory", label: "x" }).catch((e) => e);
  expect(internal.message).toContain("Could not find public function for 'access:createKey'");
});
