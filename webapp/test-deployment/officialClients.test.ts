// The official `convex` clients (1.48.0) against the test deployment: subscribe, mutate, see the
// update, errors with ConvexError data, internal functions refused, reconnect after a dropped socket.
import { ConvexClient, ConvexHttpClient } from "convex/browser";
import { anyApi } from "convex/server";
import { ConvexError } from "convex/values";
import { fileURLToPath } from "node:url";
import { afterAll, afterEach, beforeAll, describe, expect, test, vi } from "vitest";
import { startTestDeployment } from "./lib/server.mjs";

type Started = Awaited<ReturnType<typeof startTestDeployment>>;
type Note = { body: string; status: string };

const functionsDir = fileURLToPath(new URL("./fixture/convex/", import.meta.url));
let deployment: Started;
const clients: ConvexClient[] = [];

beforeAll(async () => {
  deployment = await startTestDeployment({ functionsDir, env: { HEARTBEAT_INTERVAL_MS: 1234 } });
});

afterAll(async () => {
  await deployment?.close();
});

afterEach(async () => {
  await Promise.all(clients.splice(0).map((c) => c.close()));
});

function client() {
  const c = new ConvexClient(deployment.url);
  clients.push(c);
  return c;
}

async function control(path: string, body: unknown = {}) {
  const response = await fetch(`${deployment.controlUrl}${path}`, { method: "POST", body: JSON.stringify(body) });
  expect(response.status).toBe(200);
  return response.json();
}

async function state() {
  return (await (await fetch(`${deployment.controlUrl}/_test/state`)).json()) as { connections: number; openSockets: number };
}

/** Subscribes to notes:list and keeps the newest result. */
function watchNotes(c: ConvexClient) {
  const seen: { notes: Note[] | undefined } = { notes: undefined };
  c.onUpdate(anyApi.notes.list, {}, (notes: Note[]) => {
    seen.notes = notes;
  });
  return seen;
}

describe("ConvexHttpClient", () => {
  test("runs queries and mutations, and reports ConvexError data", async () => {
    const http = new ConvexHttpClient(deployment.url);
    const id = await http.mutation(anyApi.notes.add, { body: "over http" });
    expect(typeof id).toBe("string");
    expect(await http.query(anyApi.notes.list, {})).toContainEqual({ body: "over http", status: "new" });

    const error = await http.mutation(anyApi.notes.add, { body: " " }).catch((e) => e);
    expect(error).toBeInstanceOf(ConvexError);
    expect(error.data).toEqual({ code: "INVALID_ARGUMENT", message: "empty note" });
  });

  test("answers an internal function exactly as a function that does not exist", async () => {
    const http = new ConvexHttpClient(deployment.url);
    const internal = await http.mutation(anyApi.notes.addQuietly, { body: "sneaky" }).catch((e) => e);
    const missing = await http.mutation(anyApi.notes.nothingHere, { body: "sneaky" }).catch((e) => e);
    expect(internal.message).toContain("Could not find public function for 'notes:addQuietly'");
    expect(missing.message).toContain("Could not find public function for 'notes:nothingHere'");
    expect(await http.query(anyApi.notes.list, {})).not.toContainEqual({ body: "sneaky", status: "scheduled" });
  });

  test("functions read the deployment's environment variables", async () => {
    expect(await new ConvexHttpClient(deployment.url).query(anyApi.notes.env, {})).toEqual({ heartbeat: "1234" });
  });
});

describe("ConvexClient", () => {
  test("a mutation resolves once its subscription shows the write", async () => {
    const c = client();
    const seen = watchNotes(c);
    await vi.waitFor(() => expect(seen.notes).toBeDefined());

    await c.mutation(anyApi.notes.add, { body: "visible before the promise resolves" });

    expect(seen.notes).toContainEqual({ body: "visible before the promise resolves", status: "new" });
  });

  test("a failing query reaches the subscriber as a ConvexError with its data", async () => {
    const c = client();
    const error = await new Promise<Error & { data?: unknown }>((resolve) => {
      c.onUpdate(anyApi.notes.failing, {}, () => undefined, resolve);
    });
    expect(error).toBeInstanceOf(ConvexError);
    expect(error.data).toEqual({ code: "NOPE", message: "this query always fails" });
  });

  test("an action answers, and the writes of the mutations it ran reach subscribers", async () => {
    const c = client();
    const seen = watchNotes(c);
    expect(await c.action(anyApi.notes.echo, { x: 7 })).toEqual({ echoed: 7 });
    await vi.waitFor(() => expect(seen.notes).toContainEqual({ body: "echo 7", status: "scheduled" }));
  });

  test("a scheduled function runs on real time and its write reaches subscribers", async () => {
    const c = client();
    const seen = watchNotes(c);
    await c.mutation(anyApi.notes.addLater, { body: "later", delayMs: 50 });
    await vi.waitFor(() => expect(seen.notes).toContainEqual({ body: "later", status: "scheduled" }));
  });

  test("crons run on real time", async () => {
    const c = client();
    let count = 0;
    c.onUpdate(anyApi.ticks.count, {}, (n: number) => {
      count = n;
    });
    await vi.waitFor(() => expect(count).toBeGreaterThanOrEqual(2), { timeout: 5_000 });
  });

  test("reconnects after a dropped socket and keeps its subscription live", async () => {
    const c = client();
    const seen = watchNotes(c);
    await vi.waitFor(() => expect(seen.notes).toBeDefined());
    const before = (await state()).connections;

    await control("/_test/drop-sockets", { code: 1011, reason: "InternalServerError" });
    await c.mutation(anyApi.notes.add, { body: "after the drop" });

    expect(seen.notes).toContainEqual({ body: "after the drop", status: "new" });
    expect((await state()).connections).toBeGreaterThan(before);
  });

  test("a mutation whose socket dropped after the commit is re-sent and applied once", async () => {
    const c = client();
    const seen = watchNotes(c);
    await vi.waitFor(() => expect(seen.notes).toBeDefined());
    await control("/_test/drop-on-mutation", { path: "notes:add", times: 1, afterCommit: true });

    await c.mutation(anyApi.notes.add, { body: "exactly once" });

    expect(seen.notes!.filter((n) => n.body === "exactly once")).toHaveLength(1);
  });
});
