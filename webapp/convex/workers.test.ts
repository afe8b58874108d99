import { afterEach, beforeEach, describe, expect, test, vi } from "vitest";
import { api } from "./_generated/api";
import { expectRefused, newBackend, snapshot, world } from "./fixtures.testing";

const T0 = Date.UTC(2026, 0, 1, 12, 0, 0);

beforeEach(() => {
  vi.useFakeTimers();
  vi.setSystemTime(T0);
});
afterEach(() => {
  vi.useRealTimers();
});

describe("workers", () => {
  test("a new worker is pending until the daemon reports it ready or in error", async () => {
    const t = newBackend();
    const w = await world(t);
    const list = () => t.query(api.workers.list, { accessKey: w.key, machineId: w.machine.machineId });
    expect(await list()).toEqual([
      { workerId: w.workerId, name: "api", directory: "projects/api", status: "pending", error: null, createdAt: T0 },
    ]);

    await t.mutation(api.workers.setStatus, { ...w.worker, workerId: w.workerId, status: "error", error: "no such directory" });
    expect((await list())[0]).toMatchObject({ status: "error", error: "no such directory" });

    await t.mutation(api.workers.setStatus, { ...w.worker, workerId: w.workerId, status: "ready", error: null });
    expect((await list())[0]).toMatchObject({ status: "ready", error: null });
  });

  test("workers are listed by name", async () => {
    const t = newBackend();
    const w = await world(t);
    await t.mutation(api.workers.create, { accessKey: w.key, machineId: w.machine.machineId, name: "zz", directory: "z" });
    await t.mutation(api.workers.create, { accessKey: w.key, machineId: w.machine.machineId, name: "aa", directory: "/abs/a" });

    const names = (await t.query(api.workers.list, { accessKey: w.key, machineId: w.machine.machineId })).map((x) => x.name);

    expect(names).toEqual(["aa", "api", "zz"]);
  });

  test("a worker needs a name and a directory", async () => {
    const t = newBackend();
    const w = await world(t);
    const before = await snapshot(t);
    const create = (name: string, directory: string) =>
      t.mutation(api.workers.create, { accessKey: w.key, machineId: w.machine.machineId, name, directory });

    await expectRefused(create("  ", "d"), "INVALID_ARGUMENT");
    await expectRefused(create("n", ""), "INVALID_ARGUMENT");
    await expectRefused(create("n", "a\0b"), "INVALID_ARGUMENT");
    expect(await snapshot(t)).toEqual(before);
  });

  test("removing a worker removes its sessions and messages from the web app and the daemon at once", async () => {
    const t = newBackend();
    const w = await world(t);
    const messageId = await w.send();

    await t.mutation(api.workers.remove, { accessKey: w.key, workerId: w.workerId });

    expect(await t.query(api.workers.list, { accessKey: w.key, machineId: w.machine.machineId })).toEqual([]);
    expect(await t.query(api.messages.work, { machineId: w.machine.machineId, secret: w.machine.secret })).toEqual([]);
    await expectRefused(t.query(api.messages.list, { accessKey: w.key, sessionId: w.sessionId, paginationOpts: { numItems: 5, cursor: null } }), "UNAUTHORIZED");
    expect(await t.mutation(api.messages.claim, { ...w.worker, messageId })).toEqual({ claimed: false, reason: "not_found" });
    await t.finishAllScheduledFunctions(vi.runAllTimers);
    const left = await t.run(async (ctx) => [
      ...(await ctx.db.query("sessions").collect()),
      ...(await ctx.db.query("messages").collect()),
    ]);
    expect(left).toEqual([]);
  });
});

describe("sessions", () => {
  test("sessions are listed newest activity first; one without a title shows its first message's first 60 characters", async () => {
    const t = newBackend();
    const w = await world(t); // its session is untitled
    vi.advanceTimersByTime(1000);
    const titled = await t.mutation(api.sessions.create, { accessKey: w.key, workerId: w.workerId, title: "Refactor" });
    vi.advanceTimersByTime(1000);
    await w.send("x".repeat(50) + "0123456789" + "overflow");
    await w.send("second message");
    const list = () => t.query(api.sessions.list, { accessKey: w.key, workerId: w.workerId });

    const sessions = await list();

    expect(sessions.map((s) => [s.sessionId, s.title])).toEqual([
      [w.sessionId, "x".repeat(50) + "0123456789"],
      [titled, "Refactor"],
    ]);
    expect(sessions[0]).toEqual({
      sessionId: w.sessionId,
      workerId: w.workerId,
      title: "x".repeat(50) + "0123456789",
      status: "idle",
      opencodeSessionId: null,
      lastActivity: T0 + 2000,
      createdAt: T0,
    });
  });

  test("the worker stores the OpenCode session id and the lifecycle; omitted fields stay as they were", async () => {
    const t = newBackend();
    const w = await world(t);
    const session = async () => (await t.query(api.sessions.list, { accessKey: w.key, workerId: w.workerId }))[0];

    await t.mutation(api.sessions.update, { ...w.worker, sessionId: w.sessionId, status: "active", opencodeSessionId: "ses_123" });
    expect(await session()).toMatchObject({ status: "active", opencodeSessionId: "ses_123" });

    await t.mutation(api.sessions.update, { ...w.worker, sessionId: w.sessionId, status: "idle" });
    expect(await session()).toMatchObject({ status: "idle", opencodeSessionId: "ses_123" });

    await t.mutation(api.sessions.update, { ...w.worker, sessionId: w.sessionId, opencodeSessionId: "ses_456" });
    expect(await session()).toMatchObject({ status: "idle", opencodeSessionId: "ses_456" });
  });

  test("closing a session cancels its pending messages and asks running ones to stop; it stays closed", async () => {
    const t = newBackend();
    const w = await world(t);
    const running = await w.send("running");
    const waiting = await w.send("waiting");
    await t.mutation(api.messages.claim, { ...w.worker, messageId: running });

    await t.mutation(api.sessions.close, { accessKey: w.key, sessionId: w.sessionId });

    const items = await t.query(api.messages.work, { machineId: w.machine.machineId, secret: w.machine.secret });
    expect(items.map((item) => [item.messageId, item.cancelRequested])).toEqual([[running, true]]);
    const page = (await t.query(api.messages.list, { accessKey: w.key, sessionId: w.sessionId, paginationOpts: { numItems: 5, cursor: null } })).page;
    expect(page.find((m) => m.messageId === waiting)?.status).toBe("cancelled");
    await t.mutation(api.sessions.update, { ...w.worker, sessionId: w.sessionId, status: "idle" });
    expect((await t.query(api.sessions.list, { accessKey: w.key, workerId: w.workerId }))[0].status).toBe("closed");
  });
});
