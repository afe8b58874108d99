import { afterEach, beforeEach, describe, expect, test, vi } from "vitest";
import { api, internal } from "./_generated/api";
import {
  accessKey,
  type Backend,
  connect,
  expectRefused,
  INSTANCE_A,
  machine,
  newBackend,
  refusal,
  TABLES,
  world,
} from "./fixtures.testing";

const T0 = Date.UTC(2026, 0, 1, 12, 0, 0);

beforeEach(() => {
  vi.useFakeTimers();
  vi.setSystemTime(T0);
});
afterEach(() => {
  vi.useRealTimers();
  vi.unstubAllEnvs();
});

async function statusOf(t: Backend, key: string) {
  return (await t.query(api.machines.list, { accessKey: key }))[0].status;
}

describe("machines of the web app", () => {
  test("create returns a token of the contract's form, shown once and stored only as its SHA-256", async () => {
    const t = newBackend();
    const key = await accessKey(t);

    const { machineId, token } = await t.mutation(api.machines.create, { accessKey: key, name: "  laptop  " });

    expect(machineId).toMatch(/^mch_[A-Za-z0-9_-]{3,64}$/);
    expect(token).toMatch(/^mch_[A-Za-z0-9_-]{3,64}:sec_[A-Za-z0-9_-]{8,128}$/);
    expect(token.startsWith(`${machineId}:`)).toBe(true);
    const secret = token.split(":")[1];
    const hash = Array.from(new Uint8Array(await crypto.subtle.digest("SHA-256", new TextEncoder().encode(secret))))
      .map((b) => b.toString(16).padStart(2, "0"))
      .join("");
    const everything = JSON.stringify(
      await t.run(async (ctx) => Promise.all(TABLES.map((table) => ctx.db.query(table).collect()))),
    );
    expect(everything).not.toContain(secret);
    expect(everything).not.toContain(secret.slice(4));
    expect(everything).toContain(hash);
    expect(await t.query(api.machines.list, { accessKey: key })).toEqual([
      {
        machineId,
        name: "laptop",
        status: "offline",
        lastHeartbeat: null,
        hostname: null,
        version: null,
        platform: null,
        rootDirectory: null,
        createdAt: T0,
      },
    ]);
  });

  test("two machines get different ids and secrets", async () => {
    const t = newBackend();
    const key = await accessKey(t);
    const a = await machine(t, key, "a");
    const b = await machine(t, key, "b");
    expect(a.machineId).not.toBe(b.machineId);
    expect(a.secret).not.toBe(b.secret);
  });

  test("list shows the user's machines by name, with what connect reported", async () => {
    const t = newBackend();
    const key = await accessKey(t);
    const zeta = await machine(t, key, "zeta");
    await machine(t, key, "alpha");
    await machine(t, await accessKey(t, "someone else"), "beta");
    await connect(t, zeta);

    const listed = await t.query(api.machines.list, { accessKey: key });

    expect(listed.map((m) => m.name)).toEqual(["alpha", "zeta"]);
    expect(listed[1]).toMatchObject({
      status: "online",
      lastHeartbeat: T0,
      hostname: "host-1111",
      version: "1.0.0",
      platform: "linux",
      rootDirectory: "/home/me/code",
    });
  });

  test("rotating the token makes the old secret UNAUTHORIZED at once; the new one works", async () => {
    const t = newBackend();
    const w = await world(t);

    const { token } = await t.mutation(api.machines.rotateToken, { accessKey: w.key, machineId: w.machine.machineId });

    const [machineId, secret] = token.split(":");
    expect(machineId).toBe(w.machine.machineId);
    expect(secret).not.toBe(w.machine.secret);
    await expectRefused(t.query(api.machines.state, { machineId, secret: w.machine.secret }), "UNAUTHORIZED");
    await expectRefused(t.mutation(api.machines.heartbeat, { ...w.worker, runningSessions: 0 }), "UNAUTHORIZED");
    const state = await t.query(api.machines.state, { machineId, secret });
    expect(state.workers).toHaveLength(1);
  });

  test("remove deletes the machine and everything under it", async () => {
    const t = newBackend();
    const w = await world(t);
    const other = await world(t, "other");
    for (let i = 0; i < 3; i++) {
      const messageId = await w.send(`m${i}`);
      await t.mutation(api.messages.claim, { ...w.worker, messageId });
      await t.mutation(api.messages.appendChunks, {
        ...w.worker,
        messageId,
        attempt: 1,
        chunks: Array.from({ length: 300 }, (_, sequence) => ({ sequence, kind: "text" as const, text: "t" })),
      });
      await t.mutation(api.messages.complete, {
        ...w.worker,
        messageId,
        attempt: 1,
        content: "c".repeat(3 * 1024 * 1024),
        reasoning: null,
        parts: null,
        usage: null,
      });
    }
    await other.send("kept");

    await t.mutation(api.machines.remove, { accessKey: w.key, machineId: w.machine.machineId });

    expect(await t.query(api.machines.list, { accessKey: w.key })).toEqual([]);
    await expectRefused(t.query(api.machines.state, { machineId: w.machine.machineId, secret: w.machine.secret }), "UNAUTHORIZED");
    await expectRefused(t.query(api.sessions.list, { accessKey: w.key, workerId: w.workerId }), "UNAUTHORIZED");
    await t.finishAllScheduledFunctions(vi.runAllTimers);
    const left = await t.run(async (ctx) => ({
      machines: (await ctx.db.query("machines").collect()).length,
      workers: (await ctx.db.query("workers").collect()).length,
      sessions: (await ctx.db.query("sessions").collect()).length,
      messages: (await ctx.db.query("messages").collect()).map((m) => m.content),
      chunks: (await ctx.db.query("chunks").collect()).length,
      replyPieces: (await ctx.db.query("replyPieces").collect()).length,
    }));
    expect(left).toEqual({ machines: 1, workers: 1, sessions: 1, messages: ["kept"], chunks: 0, replyPieces: 0 });
    // 9 MiB of reply pieces are more than one mutation may read (and so delete).
    const purges = await t.run(async (ctx) =>
      (await ctx.db.system.query("_scheduled_functions").collect()).filter((job) => job.name.includes("purge")),
    );
    expect(purges.length).toBeGreaterThanOrEqual(2);
  });
});

describe("the worker's machine functions", () => {
  test("connect returns the machine's name and the default intervals", async () => {
    const t = newBackend();
    const key = await accessKey(t);
    const box = await machine(t, key, "studio");

    const answer = await t.mutation(api.machines.connect, {
      machineId: box.machineId,
      secret: box.secret,
      instanceId: INSTANCE_A,
      version: "2.0.0",
      hostname: "studio.local",
      platform: "darwin",
      rootDirectory: "/Users/me",
    });

    expect(answer).toEqual({ machineName: "studio", heartbeatIntervalMs: 30_000, leaseMs: 90_000 });
  });

  test("a worker that has not connected is told so; connect refuses an empty instance id", async () => {
    const t = newBackend();
    const key = await accessKey(t);
    const box = await machine(t, key);
    const credentials = { machineId: box.machineId, secret: box.secret };

    const { code, message } = await refusal(
      t.mutation(api.machines.heartbeat, { ...credentials, instanceId: INSTANCE_A, runningSessions: 0 }),
    );
    expect({ code, message }).toEqual({ code: "INVALID_ARGUMENT", message: "this instance has not called machines:connect" });
    await expectRefused(
      t.mutation(api.machines.connect, {
        ...credentials,
        instanceId: " ",
        version: "1",
        hostname: "h",
        platform: "linux",
        rootDirectory: "/",
      }),
      "INVALID_ARGUMENT",
    );
    expect(await statusOf(t, key)).toBe("offline");
  });

  test("the deployment's HEARTBEAT_INTERVAL_MS and LEASE_MS set the intervals", async () => {
    vi.stubEnv("HEARTBEAT_INTERVAL_MS", "1000");
    vi.stubEnv("LEASE_MS", "3000");
    const t = newBackend();
    const w = await world(t);
    const messageId = await w.send();

    const answer = await t.mutation(api.machines.connect, {
      ...w.worker,
      version: "1",
      hostname: "h",
      platform: "linux",
      rootDirectory: "/",
    });
    const claim = await t.mutation(api.messages.claim, { ...w.worker, messageId });

    expect(answer).toMatchObject({ heartbeatIntervalMs: 1000, leaseMs: 3000 });
    expect(claim).toMatchObject({ leaseExpiresAt: T0 + 3000 });
  });

  test("state lists the machine's workers and sessions, and follows changes made in the web app", async () => {
    const t = newBackend();
    const w = await world(t);
    await world(t, "someone else");
    const state = () => t.query(api.machines.state, { machineId: w.machine.machineId, secret: w.machine.secret });

    expect(await state()).toEqual({
      workers: [{ workerId: w.workerId, name: "api", directory: "projects/api", createdAt: T0 }],
      sessions: [{ sessionId: w.sessionId, workerId: w.workerId, status: "idle", opencodeSessionId: null, lastActivity: T0 }],
    });

    await t.mutation(api.sessions.close, { accessKey: w.key, sessionId: w.sessionId });
    expect((await state()).sessions[0].status).toBe("closed");

    await t.mutation(api.workers.remove, { accessKey: w.key, workerId: w.workerId });
    expect(await state()).toEqual({ workers: [], sessions: [] });
  });

  test("a machine shows offline after 3 heartbeat intervals without a heartbeat, written by the cron", async () => {
    const t = newBackend();
    const w = await world(t);
    const markOffline = () => t.mutation(internal.machines.markOffline, {});
    vi.setSystemTime(T0 + 30_000);
    await t.mutation(api.machines.heartbeat, { ...w.worker, runningSessions: 1 });

    vi.setSystemTime(T0 + 30_000 + 89_999);
    expect(await markOffline()).toEqual({ markedOffline: 0 });
    expect(await statusOf(t, w.key)).toBe("online");

    vi.setSystemTime(T0 + 30_000 + 90_001);
    expect(await markOffline()).toEqual({ markedOffline: 1 });
    expect(await statusOf(t, w.key)).toBe("offline");

    await t.mutation(api.machines.heartbeat, { ...w.worker, runningSessions: 1 });
    expect(await statusOf(t, w.key)).toBe("online");
  });

  test("the scheduled offline check marks a silent machine offline 3 intervals after its last heartbeat", async () => {
    vi.stubEnv("HEARTBEAT_INTERVAL_MS", "1000");
    const t = newBackend();
    const w = await world(t); // connected at T0
    vi.advanceTimersByTime(2000);
    await t.mutation(api.machines.heartbeat, { ...w.worker, runningSessions: 0 }); // at T0 + 2 s

    vi.advanceTimersByTime(1000); // T0 + 3 s: the check scheduled at connect runs and looks again at T0 + 5 s
    await t.finishInProgressScheduledFunctions();
    expect(await statusOf(t, w.key)).toBe("online");

    vi.advanceTimersByTime(2000); // T0 + 5 s
    await t.finishInProgressScheduledFunctions();
    expect(await statusOf(t, w.key)).toBe("offline");
    const pending = await t.run(async (ctx) =>
      (await ctx.db.system.query("_scheduled_functions").collect()).filter((job) => job.state.kind === "pending"),
    );
    expect(pending).toEqual([]); // a machine that is offline has no check pending
  });
});
