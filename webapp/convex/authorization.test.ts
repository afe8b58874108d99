import type { FunctionReference } from "convex/server";
import { afterEach, beforeEach, describe, expect, test, vi } from "vitest";
import { api, internal } from "./_generated/api";
import * as access from "./access";
import { type Backend, expectRefused, newBackend, snapshot, world } from "./fixtures.testing";
import * as machines from "./machines";
import * as messages from "./messages";
import * as sessions from "./sessions";
import * as workers from "./workers";

// For every public function: a wrong, missing, malformed or revoked credential, and an id that is
// another user's (or malformed, or unknown), answer UNAUTHORIZED and change nothing; the same call
// with the right credential and the caller's own ids succeeds.

beforeEach(() => {
  vi.useFakeTimers();
  vi.setSystemTime(Date.UTC(2026, 0, 1));
});
afterEach(() => {
  vi.useRealTimers();
});

type Ids = { machineId: string; workerId: string; sessionId: string; claimed: string; cancelled: string };
type Args = Record<string, unknown>;

async function account(t: Backend, user: string) {
  const w = await world(t, user);
  const claimed = await w.send("claimed");
  await t.mutation(api.messages.claim, { ...w.worker, messageId: claimed });
  const cancelled = await w.send("cancelled");
  await t.mutation(api.messages.cancel, { accessKey: w.key, messageId: cancelled });
  const ids: Ids = { machineId: w.machine.machineId, workerId: w.workerId, sessionId: w.sessionId, claimed, cancelled };
  return { key: w.key, machine: w.machine, instanceId: w.worker.instanceId, ids };
}

async function setUp() {
  const t = newBackend();
  const me = await account(t, "me");
  const other = await account(t, "other");
  const revoked = (await t.mutation(internal.access.createKey, { user: "me", label: "old phone" })).key;
  await t.mutation(internal.access.revokeKey, { user: "me", label: "old phone" });
  return { t, me, other, revoked };
}

type Kind = "query" | "mutation";
type Entry = {
  kind: Kind;
  ref: FunctionReference<Kind, "public">;
  args: (ids: Ids) => Args;
  /** The id fields, checked with another user's value and with malformed ones. */
  idFields: (keyof Ids)[];
};

const CHUNKS = [{ sequence: 0, kind: "text", text: "x" }];

const WORKER: Record<string, Entry> = {
  "machines:connect": {
    kind: "mutation",
    ref: api.machines.connect,
    args: () => ({ version: "1", hostname: "h", platform: "linux", rootDirectory: "/r" }),
    idFields: [],
  },
  "machines:heartbeat": { kind: "mutation", ref: api.machines.heartbeat, args: () => ({ runningSessions: 1 }), idFields: [] },
  "machines:disconnect": { kind: "mutation", ref: api.machines.disconnect, args: () => ({}), idFields: [] },
  "machines:state": { kind: "query", ref: api.machines.state, args: () => ({}), idFields: [] },
  "messages:work": { kind: "query", ref: api.messages.work, args: () => ({}), idFields: [] },
  "workers:setStatus": {
    kind: "mutation",
    ref: api.workers.setStatus,
    args: (ids) => ({ workerId: ids.workerId, status: "error", error: "missing directory" }),
    idFields: ["workerId"],
  },
  "sessions:update": {
    kind: "mutation",
    ref: api.sessions.update,
    args: (ids) => ({ sessionId: ids.sessionId, status: "active", opencodeSessionId: "ses_abc" }),
    idFields: ["sessionId"],
  },
  "messages:claim": {
    kind: "mutation",
    ref: api.messages.claim,
    args: (ids) => ({ messageId: ids.claimed }),
    idFields: ["claimed"],
  },
  "messages:appendChunks": {
    kind: "mutation",
    ref: api.messages.appendChunks,
    args: (ids) => ({ messageId: ids.claimed, attempt: 1, chunks: CHUNKS }),
    idFields: ["claimed"],
  },
  "messages:complete": {
    kind: "mutation",
    ref: api.messages.complete,
    args: (ids) => ({ messageId: ids.claimed, attempt: 1, content: "c", reasoning: null, parts: null, usage: null }),
    idFields: ["claimed"],
  },
  "messages:fail": {
    kind: "mutation",
    ref: api.messages.fail,
    args: (ids) => ({ messageId: ids.claimed, attempt: 1, error: "e", retryable: false }),
    idFields: ["claimed"],
  },
};

const WEB: Record<string, Entry> = {
  "access:whoami": { kind: "query", ref: api.access.whoami, args: () => ({}), idFields: [] },
  "machines:create": { kind: "mutation", ref: api.machines.create, args: () => ({ name: "new" }), idFields: [] },
  "machines:list": { kind: "query", ref: api.machines.list, args: () => ({}), idFields: [] },
  "machines:rotateToken": {
    kind: "mutation",
    ref: api.machines.rotateToken,
    args: (ids) => ({ machineId: ids.machineId }),
    idFields: ["machineId"],
  },
  "machines:remove": {
    kind: "mutation",
    ref: api.machines.remove,
    args: (ids) => ({ machineId: ids.machineId }),
    idFields: ["machineId"],
  },
  "workers:create": {
    kind: "mutation",
    ref: api.workers.create,
    args: (ids) => ({ machineId: ids.machineId, name: "w", directory: "d" }),
    idFields: ["machineId"],
  },
  "workers:list": { kind: "query", ref: api.workers.list, args: (ids) => ({ machineId: ids.machineId }), idFields: ["machineId"] },
  "workers:remove": {
    kind: "mutation",
    ref: api.workers.remove,
    args: (ids) => ({ workerId: ids.workerId }),
    idFields: ["workerId"],
  },
  "sessions:create": {
    kind: "mutation",
    ref: api.sessions.create,
    args: (ids) => ({ workerId: ids.workerId, title: null }),
    idFields: ["workerId"],
  },
  "sessions:list": { kind: "query", ref: api.sessions.list, args: (ids) => ({ workerId: ids.workerId }), idFields: ["workerId"] },
  "sessions:close": {
    kind: "mutation",
    ref: api.sessions.close,
    args: (ids) => ({ sessionId: ids.sessionId }),
    idFields: ["sessionId"],
  },
  "messages:send": {
    kind: "mutation",
    ref: api.messages.send,
    args: (ids) => ({ sessionId: ids.sessionId, content: "hi", model: null }),
    idFields: ["sessionId"],
  },
  "messages:list": {
    kind: "query",
    ref: api.messages.list,
    args: (ids) => ({ sessionId: ids.sessionId, paginationOpts: { numItems: 10, cursor: null } }),
    idFields: ["sessionId"],
  },
  "messages:chunks": {
    kind: "query",
    ref: api.messages.chunks,
    args: (ids) => ({ messageId: ids.claimed, attempt: 1, fromSequence: 0 }),
    idFields: ["claimed"],
  },
  "messages:cancel": {
    kind: "mutation",
    ref: api.messages.cancel,
    args: (ids) => ({ messageId: ids.claimed }),
    idFields: ["claimed"],
  },
  "messages:retry": {
    kind: "mutation",
    ref: api.messages.retry,
    args: (ids) => ({ messageId: ids.cancelled }),
    idFields: ["cancelled"],
  },
};

// The tables hold functions of many signatures; their arguments are built to match at run time.
type AnyQuery = FunctionReference<"query", "public", Args, unknown>;
type AnyMutation = FunctionReference<"mutation", "public", Args, unknown>;

function call(t: Backend, entry: Entry, args: Args): Promise<unknown> {
  return entry.kind === "query"
    ? t.query(entry.ref as AnyQuery, args)
    : t.mutation(entry.ref as AnyMutation, args);
}

const MALFORMED_IDS = ["", "nope", "mch_unknown", "10000machines", "../x", "x".repeat(300)];

test("the tables below cover every public function, and no public function is left out", () => {
  const modules = { access, machines, messages, sessions, workers };
  const registered: string[] = [];
  for (const [module, exports] of Object.entries(modules)) {
    for (const [name, fn] of Object.entries(exports)) {
      if ((fn as { isPublic?: boolean }).isPublic) {
        registered.push(`${module}:${name}`);
      }
    }
  }
  expect(registered.sort()).toEqual([...Object.keys(WORKER), ...Object.keys(WEB)].sort());
});

describe("the worker's functions", () => {
  test.each(Object.keys(WORKER))("%s", async (name) => {
    const entry = WORKER[name];
    const { t, me, other } = await setUp();
    const credentials = (machineId: string | undefined, secret: string | undefined) => ({
      ...(machineId === undefined ? {} : { machineId }),
      ...(secret === undefined ? {} : { secret }),
      ...(entry.kind === "mutation" ? { instanceId: me.instanceId } : {}),
    });
    const before = await snapshot(t);
    const refusedCredentials = [
      credentials(me.machine.machineId, "sec_wrongwrongwrong"),
      credentials(me.machine.machineId, other.machine.secret),
      credentials(me.machine.machineId, undefined),
      credentials(undefined, me.machine.secret),
      credentials(undefined, undefined),
      credentials(me.machine.machineId, ""),
      credentials(me.machine.machineId, `${me.machine.secret} `),
      credentials(other.machine.machineId, me.machine.secret),
      credentials("mch_unknown", me.machine.secret),
    ];
    for (const refused of refusedCredentials) {
      await expectRefused(call(t, entry, { ...refused, ...entry.args(me.ids) }), "UNAUTHORIZED");
    }
    const mine = credentials(me.machine.machineId, me.machine.secret);
    for (const field of entry.idFields) {
      await expectRefused(call(t, entry, { ...mine, ...entry.args({ ...me.ids, [field]: other.ids[field] }) }), "UNAUTHORIZED");
      for (const malformed of MALFORMED_IDS) {
        await expectRefused(call(t, entry, { ...mine, ...entry.args({ ...me.ids, [field]: malformed }) }), "UNAUTHORIZED");
      }
    }
    expect(await snapshot(t)).toEqual(before);

    await call(t, entry, { ...mine, ...entry.args(me.ids) });
  });
});

describe("the web app's functions", () => {
  test.each(Object.keys(WEB))("%s", async (name) => {
    const entry = WEB[name];
    const { t, me, other, revoked } = await setUp();
    const before = await snapshot(t);
    const refusedKeys = [
      { accessKey: `ak_${"A".repeat(43)}` },
      { accessKey: revoked },
      {},
      { accessKey: "" },
      { accessKey: "hunter2" },
      { accessKey: me.key.slice(0, -1) },
      { accessKey: ` ${me.key}` },
    ];
    for (const refused of refusedKeys) {
      await expectRefused(call(t, entry, { ...refused, ...entry.args(me.ids) }), "UNAUTHORIZED");
    }
    for (const field of entry.idFields) {
      await expectRefused(call(t, entry, { accessKey: me.key, ...entry.args({ ...me.ids, [field]: other.ids[field] }) }), "UNAUTHORIZED");
      for (const malformed of MALFORMED_IDS) {
        await expectRefused(call(t, entry, { accessKey: me.key, ...entry.args({ ...me.ids, [field]: malformed }) }), "UNAUTHORIZED");
      }
    }
    expect(await snapshot(t)).toEqual(before);

    await call(t, entry, { accessKey: me.key, ...entry.args(me.ids) });
  });
});
