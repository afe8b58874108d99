// Which subscriptions a commit re-runs: those that read a table it wrote (Convex re-runs the queries
// whose read set a commit touched), all of them after a write the server did not start itself; and
// the watched status field recorded from the documents a commit wrote.
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import WebSocket from "ws";
import { Access, tableOfId } from "./lib/access.mjs";
import { startTestDeployment } from "./lib/server.mjs";

type Frame = Record<string, any>;
type Started = Awaited<ReturnType<typeof startTestDeployment>>;
const functionsDir = fileURLToPath(new URL("./fixture/convex/", import.meta.url));
let deployment: Started;

beforeAll(async () => {
  deployment = await startTestDeployment({ functionsDir, watch: "notes.status" });
});

afterAll(async () => {
  await deployment?.close();
});

async function control(path: string, body?: unknown) {
  const response = await fetch(`${deployment.controlUrl}${path}`, body === undefined ? {} : { method: "POST", body: JSON.stringify(body) });
  expect(response.status).toBe(200);
  return response.json();
}

const executions = async (path: string): Promise<number> => (await control("/_test/state")).executions[path] ?? 0;

/** A raw sync socket subscribed to notes:list (query 0) and ticks:count (query 1), past its first Transition. */
async function subscribed() {
  const ws = new WebSocket(`${deployment.url.replace("http", "ws")}/api/1.48.0/sync`);
  const frames: Frame[] = [];
  ws.on("message", (data) => frames.push(JSON.parse(data.toString())));
  await new Promise((resolve) => ws.on("open", resolve));
  const send = (message: Frame) => ws.send(JSON.stringify(message));
  const transitions = async (count: number) => {
    await expect.poll(() => frames.filter((f) => f.type === "Transition").length, { timeout: 5_000 }).toBeGreaterThanOrEqual(count);
    return frames.filter((f) => f.type === "Transition");
  };
  send({ connectionCount: 0, lastCloseReason: "InitialConnect", clientTs: Date.now(), type: "Connect", sessionId: crypto.randomUUID() });
  send({
    type: "ModifyQuerySet",
    baseVersion: 0,
    newVersion: 1,
    modifications: [
      { type: "Add", queryId: 0, udfPath: "notes:list", args: [{}] },
      { type: "Add", queryId: 1, udfPath: "ticks:count", args: [{}] },
    ],
  });
  await transitions(1);
  return { ws, send, transitions };
}

describe("after a commit", () => {
  test("only the subscriptions that read a table the commit wrote run again", async () => {
    const s = await subscribed();
    try {
      const [lists, counts] = [await executions("notes:list"), await executions("ticks:count")];

      s.send({ type: "Mutation", requestId: 0, udfPath: "notes:add", args: [{ body: "read sets" }] });
      const afterNote = (await s.transitions(2))[1];
      expect(afterNote.modifications.map((m: Frame) => m.queryId)).toEqual([0]);
      expect(await executions("notes:list")).toBe(lists + 1);
      expect(await executions("ticks:count")).toBe(counts);

      await control("/_test/run", { path: "ticks:tick", args: {} });
      const afterTick = (await s.transitions(3))[2];
      expect(afterTick.modifications).toEqual([expect.objectContaining({ queryId: 1, value: expect.any(Number) })]);
      expect(await executions("notes:list")).toBe(lists + 1);
      expect(await executions("ticks:count")).toBe(counts + 1);
    } finally {
      s.ws.close();
    }
  });

  test("a write the deployment did not start itself (a scheduled job) runs every subscription again", async () => {
    const s = await subscribed();
    try {
      const counts = await executions("ticks:count");
      s.send({ type: "Mutation", requestId: 0, udfPath: "notes:addLater", args: [{ body: "later", delayMs: 0 }] });
      await expect
        .poll(async () => (await s.transitions(1)).some((t) => t.modifications.some((m: Frame) => m.queryId === 0 && JSON.stringify(m.value).includes("later"))), { timeout: 5_000 })
        .toBe(true);
      expect(await executions("ticks:count")).toBeGreaterThan(counts);
    } finally {
      s.ws.close();
    }
  });

  test("a changed environment variable runs every subscription again, one that reads no table too", async () => {
    const s = await subscribed();
    try {
      s.send({ type: "ModifyQuerySet", baseVersion: 1, newVersion: 2, modifications: [{ type: "Add", queryId: 2, udfPath: "notes:env", args: [{}] }] });
      await s.transitions(2);
      await control("/_test/env", { HEARTBEAT_INTERVAL_MS: "4321" });
      await expect
        .poll(async () => (await s.transitions(2)).flatMap((t) => t.modifications).filter((m: Frame) => m.queryId === 2).at(-1)?.value, { timeout: 5_000 })
        .toEqual({ heartbeat: "4321" });
    } finally {
      await control("/_test/env", { HEARTBEAT_INTERVAL_MS: null });
      s.ws.close();
    }
  });

  test("the watched field's changes are recorded, from a client's write and from a scheduled job's", async () => {
    const mutation = async (path: string, args: Frame) =>
      (await (await fetch(`${deployment.url}/api/mutation`, { method: "POST", body: JSON.stringify({ path, args: [args], format: "convex_encoded_json" }) })).json()).value;
    const changes = async () => (await control("/_test/changes")) as Frame[];
    const id = await mutation("notes:add", { body: "watched" });
    expect(await changes()).toContainEqual(expect.objectContaining({ id, from: null, to: "new" }));

    await mutation("notes:addLater", { body: "watched later", delayMs: 0 });
    await expect.poll(async () => ((await control("/_test/tables/notes")) as Frame[]).some((n) => n.body === "watched later"), { timeout: 5_000 }).toBe(true);
    const later = ((await control("/_test/tables/notes")) as Frame[]).find((n) => n.body === "watched later")!._id;
    await expect.poll(changes, { timeout: 5_000 }).toContainEqual(expect.objectContaining({ id: later, from: null, to: "scheduled" }));
  });
});

describe("Access", () => {
  const db = () => {
    const calls: string[] = [];
    const record = (name: string) => async (...args: unknown[]) => {
      calls.push(`${name} ${JSON.stringify(args)}`);
      return name === "insert" ? "12notes" : null;
    };
    return { calls, db: { get: record("get"), query: record("query"), insert: record("insert"), patch: record("patch"), replace: record("replace"), delete: record("delete"), normalizeId: record("normalizeId"), system: {} } };
  };

  test("names the table of a convex-test id", () => {
    expect(tableOfId("10042messages")).toBe("messages");
    expect(tableOfId(7)).toBeNull();
  });

  test("tracks reads and writes with or without the table name, and passes every call on", async () => {
    const fake = db();
    const access = new Access();
    const tracked = access.track(fake.db);
    await tracked.get("3notes");
    await tracked.get("ticks", "4ticks");
    await tracked.query("users");
    await tracked.normalizeId("notes", "x");
    await tracked.patch("5notes", { a: 1 });
    await tracked.delete("chunks", "6chunks");
    expect(await tracked.insert("notes", { b: 2 })).toBe("12notes");
    expect([...access.reads].sort()).toEqual(["notes", "ticks", "users"]);
    expect(Object.fromEntries([...access.writes].map(([table, ids]) => [table, [...ids!].sort()]))).toEqual({ notes: ["12notes", "5notes"], chunks: ["6chunks"] });
    expect(fake.calls).toHaveLength(7);
    expect(access.dependsOn(new Set(["ticks"]))).toBe(true);
    expect(access.dependsOn(new Set(["chunks"]))).toBe(false);
    expect(access.dependsOn(null)).toBe(true);
    expect([...access.tablesWritten!].sort()).toEqual(["chunks", "notes"]);
  });

  test("anything it does not know counts as reading and writing everything", () => {
    const access = new Access();
    void access.track(db().db).system;
    expect(access.dependsOn(new Set(["anything"]))).toBe(true);
    expect(access.tablesWritten).toBeNull();
  });
});
