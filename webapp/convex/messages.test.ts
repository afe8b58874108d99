import { afterEach, beforeEach, describe, expect, test, vi } from "vitest";
import { api } from "./_generated/api";
import {
  type Auth,
  type Backend,
  connect,
  expectRefused,
  INSTANCE_B,
  newBackend,
  refusal,
  snapshot,
  TABLES,
  world,
} from "./fixtures.testing";

const KIB = 1024;
const MIB = 1024 * KIB;
const T0 = Date.UTC(2026, 0, 1, 12, 0, 0);

beforeEach(() => {
  vi.useFakeTimers();
  vi.setSystemTime(T0);
});
afterEach(() => {
  vi.useRealTimers();
});

async function work(t: Backend, worker: Auth) {
  return await t.query(api.messages.work, { machineId: worker.machineId, secret: worker.secret });
}

async function claim(t: Backend, worker: Auth, messageId: string) {
  return await t.mutation(api.messages.claim, { ...worker, messageId });
}

async function stored(t: Backend, messageId: string) {
  return await t.run(async (ctx) => (await ctx.db.get(ctx.db.normalizeId("messages", messageId)!))!);
}

function chunk(sequence: number, text = `c${sequence}`) {
  return { sequence, kind: "text" as const, text };
}

const REPLY = { content: "done", reasoning: null, parts: null, usage: null };

describe("the work queue", () => {
  test("work lists pending and claimed messages with what the worker needs, oldest first", async () => {
    const t = newBackend();
    const w = await world(t);
    const first = await w.send("first", "openai/gpt-4o");
    vi.advanceTimersByTime(1);
    const second = await w.send("second");
    await claim(t, w.worker, second);

    const items = await work(t, w.worker);

    expect(items.map((item) => item.messageId)).toEqual([first, second]);
    expect(items[0]).toEqual({
      messageId: first,
      sessionId: w.sessionId,
      workerId: w.workerId,
      directory: "projects/api",
      opencodeSessionId: null,
      content: "first",
      model: "openai/gpt-4o",
      createdAt: T0,
      status: "pending",
      claimedBy: null,
      leaseExpiresAt: null,
      attempt: 0,
      cancelRequested: false,
    });
    expect(items[1]).toMatchObject({ status: "claimed", claimedBy: w.worker.instanceId, attempt: 1 });
  });

  test("work interleaves pending and claimed messages by age", async () => {
    const t = newBackend();
    const w = await world(t);
    const sent: string[] = [];
    for (let i = 0; i < 6; i++) {
      sent.push(await w.send(`m${i}`));
      vi.advanceTimersByTime(1);
    }
    for (const i of [1, 2, 5]) {
      await claim(t, w.worker, sent[i]);
    }

    const items = await work(t, w.worker);

    expect(items.map((item) => [item.messageId, item.status])).toEqual(
      sent.map((messageId, i) => [messageId, [1, 2, 5].includes(i) ? "claimed" : "pending"]),
    );
  });

  test("work never returns more than 100 items, the oldest first", async () => {
    const t = newBackend();
    const w = await world(t);
    const sent: string[] = [];
    for (let i = 0; i < 130; i++) {
      sent.push(await w.send(`message ${i}`));
      vi.advanceTimersByTime(1);
    }
    for (const messageId of sent.slice(0, 30)) {
      await claim(t, w.worker, messageId);
    }

    const items = await work(t, w.worker);

    expect(items).toHaveLength(100);
    expect(items.map((item) => item.messageId)).toEqual(sent.slice(0, 100));
  });

  test("work stops at 8 MiB of content, so that large messages never push it past a query's 16 MiB", async () => {
    const t = newBackend();
    const w = await world(t);
    const sent: string[] = [];
    for (let i = 0; i < 40; i++) {
      sent.push(await w.send(String(i % 10).repeat(256 * KIB))); // 10 MiB in all
      vi.advanceTimersByTime(1);
    }

    const first = await work(t, w.worker);

    expect(first.map((item) => item.messageId)).toEqual(sent.slice(0, 32));
    for (const messageId of sent.slice(0, 8)) {
      await t.mutation(api.messages.cancel, { accessKey: w.key, messageId });
    }
    expect((await work(t, w.worker)).map((item) => item.messageId)).toEqual(sent.slice(8, 40));
  });

  test("finished and cancelled messages leave work", async () => {
    const t = newBackend();
    const w = await world(t);
    const completed = await w.send("a");
    const failed = await w.send("b");
    const cancelled = await w.send("c");
    const open = await w.send("d");
    for (const messageId of [completed, failed]) {
      await claim(t, w.worker, messageId);
    }
    await t.mutation(api.messages.complete, { ...w.worker, messageId: completed, attempt: 1, ...REPLY });
    await t.mutation(api.messages.fail, { ...w.worker, messageId: failed, attempt: 1, error: "no", retryable: false });
    await t.mutation(api.messages.cancel, { accessKey: w.key, messageId: cancelled });

    expect((await work(t, w.worker)).map((item) => item.messageId)).toEqual([open]);
  });
});

describe("claims", () => {
  test("many claims at once: one winner, one attempt; superseded instances are refused", async () => {
    const t = newBackend();
    const w = await world(t);
    const messageId = await w.send();
    const current = await connect(t, w.machine, INSTANCE_B); // supersedes w.worker

    const answers = await Promise.allSettled(
      Array.from({ length: 20 }, (_, i) => claim(t, i % 2 === 0 ? current : w.worker, messageId)),
    );

    const won = answers.filter((a) => a.status === "fulfilled").map((a) => (a as PromiseFulfilledResult<unknown>).value);
    const refused = answers.filter((a) => a.status === "rejected");
    expect(won).toHaveLength(10);
    expect(new Set(won.map((answer) => JSON.stringify((answer as { attempt: number }).attempt)))).toEqual(new Set(["1"]));
    for (const answer of refused) {
      expect((answer as PromiseRejectedResult).reason.data.code).toBe("SUPERSEDED");
    }
    expect(await stored(t, messageId)).toMatchObject({ status: "claimed", claimedBy: INSTANCE_B, attempt: 1 });
  });

  test("attempts: 0 when new, 1 at the first claim, kept when released, +1 at the next claim", async () => {
    const t = newBackend();
    const w = await world(t);
    const messageId = await w.send();
    expect((await work(t, w.worker))[0].attempt).toBe(0);

    expect(await claim(t, w.worker, messageId)).toEqual({ claimed: true, attempt: 1, leaseExpiresAt: T0 + 90_000 });
    vi.advanceTimersByTime(1000);
    expect(await claim(t, w.worker, messageId)).toEqual({ claimed: true, attempt: 1, leaseExpiresAt: T0 + 91_000 });

    await t.mutation(api.machines.disconnect, w.worker);
    expect((await work(t, w.worker))[0]).toMatchObject({ status: "pending", attempt: 1, claimedBy: null });

    await t.mutation(api.machines.heartbeat, { ...w.worker, runningSessions: 0 });
    expect(await claim(t, w.worker, messageId)).toMatchObject({ claimed: true, attempt: 2 });
  });

  test("a claim by another instance is taken while its lease runs, and claimable once it expired", async () => {
    const t = newBackend();
    const w = await world(t);
    const messageId = await w.send();
    // A claim left by an instance that is no longer current (e.g. restored data): only its lease counts.
    await t.run(async (ctx) => {
      await ctx.db.patch(ctx.db.normalizeId("messages", messageId)!, {
        status: "claimed",
        claimedBy: "33333333-3333-4333-8333-333333333333",
        attempt: 1,
        leaseExpiresAt: T0 + 5_000,
      });
    });

    expect(await claim(t, w.worker, messageId)).toEqual({ claimed: false, reason: "taken" });
    vi.advanceTimersByTime(5_000);
    expect(await claim(t, w.worker, messageId)).toEqual({ claimed: true, attempt: 2, leaseExpiresAt: T0 + 95_000 });
  });

  test("an expired lease stays with its holder until another claim takes it", async () => {
    const t = newBackend();
    const w = await world(t);
    const messageId = await w.send();
    await claim(t, w.worker, messageId);
    vi.advanceTimersByTime(10 * 90_000);

    const answer = await t.mutation(api.messages.appendChunks, { ...w.worker, messageId, attempt: 1, chunks: [chunk(0)] });

    expect(answer).toEqual({ leaseExpiresAt: Date.now() + 90_000, cancelRequested: false });
    expect(await stored(t, messageId)).toMatchObject({ status: "claimed", claimedBy: w.worker.instanceId });
  });

  test("appendChunks renews the lease, writing it at most once per 5 s of a running reply", async () => {
    const t = newBackend();
    const w = await world(t);
    const messageId = await w.send();
    await claim(t, w.worker, messageId); // lease until T0 + 90 s
    const append = (sequence: number) =>
      t.mutation(api.messages.appendChunks, { ...w.worker, messageId, attempt: 1, chunks: [chunk(sequence)] });

    vi.advanceTimersByTime(4_000);
    expect((await append(0)).leaseExpiresAt).toBe(T0 + 90_000);
    vi.advanceTimersByTime(2_000);
    expect((await append(1)).leaseExpiresAt).toBe(T0 + 96_000);
    expect((await work(t, w.worker))[0].leaseExpiresAt).toBe(T0 + 96_000);
  });

  test("claim answers done, cancelled and not_found", async () => {
    const t = newBackend();
    const w = await world(t);
    const done = await w.send();
    await claim(t, w.worker, done);
    await t.mutation(api.messages.complete, { ...w.worker, messageId: done, attempt: 1, ...REPLY });
    const cancelled = await w.send();
    await t.mutation(api.messages.cancel, { accessKey: w.key, messageId: cancelled });
    const removed = await w.send();
    await t.run(async (ctx) => ctx.db.delete(ctx.db.normalizeId("messages", removed)!));

    expect(await claim(t, w.worker, done)).toEqual({ claimed: false, reason: "done" });
    expect(await claim(t, w.worker, cancelled)).toEqual({ claimed: false, reason: "cancelled" });
    expect(await claim(t, w.worker, removed)).toEqual({ claimed: false, reason: "not_found" });
  });

  test("a heartbeat renews the lease of every claim of its instance", async () => {
    const t = newBackend();
    const w = await world(t);
    const a = await w.send("a");
    const b = await w.send("b");
    await claim(t, w.worker, a);
    await claim(t, w.worker, b);
    vi.advanceTimersByTime(60_000);

    const { leaseExpiresAt } = await t.mutation(api.machines.heartbeat, { ...w.worker, runningSessions: 2 });

    expect(leaseExpiresAt).toBe(T0 + 60_000 + 90_000);
    expect((await work(t, w.worker)).map((item) => item.leaseExpiresAt)).toEqual([leaseExpiresAt, leaseExpiresAt]);
  });
});

describe("supersede and disconnect", () => {
  test("a newer connect releases the old instance's claims at once; the old instance hears SUPERSEDED", async () => {
    const t = newBackend();
    const w = await world(t);
    const running = await w.send("running");
    const stopping = await w.send("stopping");
    await claim(t, w.worker, running);
    await claim(t, w.worker, stopping);
    await t.mutation(api.messages.cancel, { accessKey: w.key, messageId: stopping });

    await connect(t, w.machine, INSTANCE_B);

    expect(await stored(t, running)).toMatchObject({ status: "pending", attempt: 1, claimedBy: null, leaseExpiresAt: null });
    expect(await stored(t, stopping)).toMatchObject({ status: "cancelled", claimedBy: null });
    const old = w.worker;
    const calls: [string, Promise<unknown>][] = [
      ["heartbeat", t.mutation(api.machines.heartbeat, { ...old, runningSessions: 0 })],
      ["disconnect", t.mutation(api.machines.disconnect, old)],
      ["claim", claim(t, old, running)],
      ["appendChunks", t.mutation(api.messages.appendChunks, { ...old, messageId: running, attempt: 1, chunks: [chunk(0)] })],
      ["complete", t.mutation(api.messages.complete, { ...old, messageId: running, attempt: 1, ...REPLY })],
      ["fail", t.mutation(api.messages.fail, { ...old, messageId: running, attempt: 1, error: "x", retryable: false })],
      ["setStatus", t.mutation(api.workers.setStatus, { ...old, workerId: w.workerId, status: "ready", error: null })],
      ["update", t.mutation(api.sessions.update, { ...old, sessionId: w.sessionId, status: "active" })],
    ];
    for (const [name, call] of calls) {
      const { code, message } = await refusal(call);
      expect(code, name).toBe("SUPERSEDED");
      expect(message).toBe("another worker connected with this machine token from host-2222");
    }
  });

  test("disconnect marks the machine offline and releases its claims; a heartbeat brings it back", async () => {
    const t = newBackend();
    const w = await world(t);
    const messageId = await w.send();
    await claim(t, w.worker, messageId);

    await t.mutation(api.machines.disconnect, w.worker);

    expect(await stored(t, messageId)).toMatchObject({ status: "pending", attempt: 1, claimedBy: null });
    const [offline] = await t.query(api.machines.list, { accessKey: w.key });
    expect(offline.status).toBe("offline");
    await t.mutation(api.machines.heartbeat, { ...w.worker, runningSessions: 0 });
    const [online] = await t.query(api.machines.list, { accessKey: w.key });
    expect(online.status).toBe("online");
  });
});

describe("writes under a lease", () => {
  test("a stale attempt gets LEASE_LOST on every write, and nothing is written", async () => {
    const t = newBackend();
    const w = await world(t);
    const messageId = await w.send();
    await claim(t, w.worker, messageId);
    await t.mutation(api.machines.disconnect, w.worker);
    await t.mutation(api.machines.heartbeat, { ...w.worker, runningSessions: 0 });
    await claim(t, w.worker, messageId); // attempt 2
    const before = await snapshot(t);

    await expectRefused(
      t.mutation(api.messages.appendChunks, { ...w.worker, messageId, attempt: 1, chunks: [chunk(0)] }),
      "LEASE_LOST",
    );
    await expectRefused(t.mutation(api.messages.complete, { ...w.worker, messageId, attempt: 1, ...REPLY }), "LEASE_LOST");
    await expectRefused(
      t.mutation(api.messages.fail, { ...w.worker, messageId, attempt: 1, error: "x", retryable: false }),
      "LEASE_LOST",
    );
    expect(await snapshot(t)).toEqual(before);
  });

  test("writes to a message this instance does not hold (pending, or cancelled) get LEASE_LOST", async () => {
    const t = newBackend();
    const w = await world(t);
    const pending = await w.send();

    await expectRefused(
      t.mutation(api.messages.appendChunks, { ...w.worker, messageId: pending, attempt: 0, chunks: [chunk(0)] }),
      "LEASE_LOST",
    );
    await expectRefused(t.mutation(api.messages.complete, { ...w.worker, messageId: pending, attempt: 1, ...REPLY }), "LEASE_LOST");
  });

  test("chunks are idempotent: a sequence sent twice is stored once", async () => {
    const t = newBackend();
    const w = await world(t);
    const messageId = await w.send();
    await claim(t, w.worker, messageId);
    const append = (chunks: ReturnType<typeof chunk>[]) =>
      t.mutation(api.messages.appendChunks, { ...w.worker, messageId, attempt: 1, chunks });

    await append([chunk(0, "Hel"), chunk(1, "lo")]);
    await append([chunk(0, "Hel"), chunk(1, "lo")]); // a retry after a lost answer
    await append([chunk(1, "lo"), chunk(2, " world"), chunk(2, " world")]);

    const chunks = await t.query(api.messages.chunks, { accessKey: w.key, messageId, attempt: 1, fromSequence: 0 });
    expect(chunks.map((c) => c.text)).toEqual(["Hel", "lo", " world"]);
    const count = await t.run(async (ctx) => (await ctx.db.query("chunks").collect()).length);
    expect(count).toBe(3);
  });

  test("a chunk that would leave a gap in the sequence is refused", async () => {
    const t = newBackend();
    const w = await world(t);
    const messageId = await w.send();
    await claim(t, w.worker, messageId);

    await expectRefused(
      t.mutation(api.messages.appendChunks, { ...w.worker, messageId, attempt: 1, chunks: [chunk(0), chunk(2)] }),
      "INVALID_ARGUMENT",
    );
    expect(await t.run(async (ctx) => (await ctx.db.query("chunks").collect()).length)).toBe(0);
  });

  test("appendChunks with many chunks stores one document per chunk", async () => {
    const t = newBackend();
    const w = await world(t);
    const messageId = await w.send();
    await claim(t, w.worker, messageId);

    await t.mutation(api.messages.appendChunks, {
      ...w.worker,
      messageId,
      attempt: 1,
      chunks: Array.from({ length: 1000 }, (_, i) => chunk(i)),
    });

    const docs = await t.run(async (ctx) => await ctx.db.query("chunks").collect());
    expect(docs).toHaveLength(1000);
    expect(docs.map((doc) => doc.sequence).sort((a, b) => a - b)).toEqual(Array.from({ length: 1000 }, (_, i) => i));
  });

  test("the first outcome of an attempt stays: a later complete or fail changes nothing", async () => {
    const t = newBackend();
    const w = await world(t);
    const messageId = await w.send();
    await claim(t, w.worker, messageId);
    await t.mutation(api.messages.complete, {
      ...w.worker,
      messageId,
      attempt: 1,
      content: "first",
      reasoning: "because",
      parts: "[]",
      usage: { inputTokens: 10, outputTokens: 20, cost: 0.5 },
    });
    const before = await snapshot(t);

    expect(await t.mutation(api.messages.complete, { ...w.worker, messageId, attempt: 1, ...REPLY })).toBeNull();
    expect(
      await t.mutation(api.messages.fail, { ...w.worker, messageId, attempt: 1, error: "late", retryable: true }),
    ).toBeNull();

    expect(await snapshot(t)).toEqual(before);
    const [view] = (await t.query(api.messages.list, listArgs(w.key, w.sessionId))).page;
    expect(view).toMatchObject({
      status: "completed",
      error: null,
      reply: { content: "first", reasoning: "because", parts: "[]", usage: { inputTokens: 10, outputTokens: 20, cost: 0.5 } },
    });
  });

  test("fail records the error and whether a retry may help", async () => {
    const t = newBackend();
    const w = await world(t);
    const messageId = await w.send();
    await claim(t, w.worker, messageId);

    await t.mutation(api.messages.fail, {
      ...w.worker,
      messageId,
      attempt: 1,
      error: "interrupted by a worker restart",
      retryable: true,
    });

    const [view] = (await t.query(api.messages.list, listArgs(w.key, w.sessionId))).page;
    expect(view).toMatchObject({ status: "failed", error: "interrupted by a worker restart", retryable: true, reply: null });
  });
});

describe("cancellation", () => {
  test("a pending message is cancelled at once and leaves work", async () => {
    const t = newBackend();
    const w = await world(t);
    const messageId = await w.send();

    await t.mutation(api.messages.cancel, { accessKey: w.key, messageId });

    expect(await work(t, w.worker)).toEqual([]);
    expect(await stored(t, messageId)).toMatchObject({ status: "cancelled" });
    expect(await claim(t, w.worker, messageId)).toEqual({ claimed: false, reason: "cancelled" });
  });

  test("a claimed message gets cancelRequested, seen in work and by appendChunks; its holder completes it", async () => {
    const t = newBackend();
    const w = await world(t);
    const messageId = await w.send();
    await claim(t, w.worker, messageId);

    await t.mutation(api.messages.cancel, { accessKey: w.key, messageId });

    expect((await work(t, w.worker))[0]).toMatchObject({ status: "claimed", cancelRequested: true });
    const answer = await t.mutation(api.messages.appendChunks, { ...w.worker, messageId, attempt: 1, chunks: [chunk(0)] });
    expect(answer.cancelRequested).toBe(true);
    await t.mutation(api.messages.complete, { ...w.worker, messageId, attempt: 1, ...REPLY });
    expect(await stored(t, messageId)).toMatchObject({ status: "completed", cancelRequested: true });
  });

  test("a stop requested on a claimed message whose holder disconnects makes it cancelled", async () => {
    const t = newBackend();
    const w = await world(t);
    const messageId = await w.send();
    await claim(t, w.worker, messageId);
    await t.mutation(api.messages.cancel, { accessKey: w.key, messageId });

    await t.mutation(api.machines.disconnect, w.worker);

    expect(await work(t, w.worker)).toEqual([]);
    expect(await claim(t, w.worker, messageId)).toEqual({ claimed: false, reason: "cancelled" });
  });

  test("cancelling a finished message changes nothing", async () => {
    const t = newBackend();
    const w = await world(t);
    const messageId = await w.send();
    await claim(t, w.worker, messageId);
    await t.mutation(api.messages.complete, { ...w.worker, messageId, attempt: 1, ...REPLY });
    const before = await snapshot(t);

    expect(await t.mutation(api.messages.cancel, { accessKey: w.key, messageId })).toBeNull();

    expect(await snapshot(t)).toEqual(before);
  });
});

function listArgs(accessKey: string, sessionId: string, numItems = 10, cursor: string | null = null) {
  return { accessKey, sessionId, paginationOpts: { numItems, cursor } };
}

describe("sending", () => {
  test("send refuses empty or blank content, a model not provider/model, and a closed session", async () => {
    const t = newBackend();
    const w = await world(t);
    const before = await snapshot(t);

    for (const content of ["", "   \n\t "]) {
      await expectRefused(w.send(content), "INVALID_ARGUMENT");
    }
    for (const model of ["gpt-4o", "/gpt-4o", "openai/", "open ai/gpt", "openai/gpt 4o", "", `openai/${"g".repeat(200)}`]) {
      await expectRefused(w.send("hi", model), "INVALID_ARGUMENT");
    }
    expect(await snapshot(t)).toEqual(before);

    await w.send("hi", "openrouter/anthropic/claude-x");
    await t.mutation(api.sessions.close, { accessKey: w.key, sessionId: w.sessionId });
    const { message } = await refusal(w.send("after close"));
    expect(message).toBe("this session is closed; start a new one");
  });

  test("content up to 256 KiB of UTF-8 is accepted; one byte more is INVALID_ARGUMENT", async () => {
    const t = newBackend();
    const w = await world(t);
    const euro = "€"; // 3 bytes in UTF-8
    const limit = 256 * KIB;

    await w.send("a".repeat(limit));
    await w.send(euro.repeat((limit - 1) / 3) + "a"); // 262,143 + 1 bytes
    await expectRefused(w.send("a".repeat(limit + 1)), "INVALID_ARGUMENT");
    const { message } = await refusal(w.send(euro.repeat(limit / 3 + 1))); // 87,382 characters, 262,146 bytes
    expect(message).toBe("the message is 257 KiB; at most 256 KiB (UTF-8) can be sent");
    expect(await t.run(async (ctx) => (await ctx.db.query("messages").collect()).length)).toBe(2);
  });

  test("list pages messages newest first, in the Convex page shape", async () => {
    const t = newBackend();
    const w = await world(t);
    const sent: string[] = [];
    for (let i = 0; i < 5; i++) {
      sent.push(await w.send(`m${i}`));
      vi.advanceTimersByTime(1);
    }

    const first = await t.query(api.messages.list, listArgs(w.key, w.sessionId, 3));
    const second = await t.query(api.messages.list, listArgs(w.key, w.sessionId, 3, first.continueCursor));

    expect(first.page.map((m) => m.messageId)).toEqual([sent[4], sent[3], sent[2]]);
    expect(first.isDone).toBe(false);
    expect(second.page.map((m) => m.messageId)).toEqual([sent[1], sent[0]]);
    expect(second.isDone).toBe(true);
    expect(first.page[0]).toEqual({
      messageId: sent[4],
      sessionId: w.sessionId,
      content: "m4",
      model: null,
      createdAt: T0 + 4,
      status: "pending",
      attempt: 0,
      cancelRequested: false,
      error: null,
      retryable: null,
      reply: null,
    });
  });

  test("retry sends a failed or cancelled message again, with the same content and model, and nothing else", async () => {
    const t = newBackend();
    const w = await world(t);
    const failed = await w.send("please", "openai/gpt-4o");
    await claim(t, w.worker, failed);
    await t.mutation(api.messages.fail, { ...w.worker, messageId: failed, attempt: 1, error: "x", retryable: true });
    const pending = await w.send("wait");

    const again = await t.mutation(api.messages.retry, { accessKey: w.key, messageId: failed });

    expect(again).not.toBe(failed);
    expect((await work(t, w.worker)).find((item) => item.messageId === again)).toMatchObject({
      content: "please",
      model: "openai/gpt-4o",
      attempt: 0,
      status: "pending",
    });
    await expectRefused(t.mutation(api.messages.retry, { accessKey: w.key, messageId: pending }), "INVALID_ARGUMENT");
  });
});

describe("streaming and large replies", () => {
  test("chunks come in windows of 100 sequences of one attempt, ascending", async () => {
    const t = newBackend();
    const w = await world(t);
    const messageId = await w.send();
    await claim(t, w.worker, messageId);
    await t.mutation(api.messages.appendChunks, {
      ...w.worker,
      messageId,
      attempt: 1,
      chunks: Array.from({ length: 250 }, (_, i) => chunk(i)),
    });
    const window = (fromSequence: number, attempt = 1) =>
      t.query(api.messages.chunks, { accessKey: w.key, messageId, attempt, fromSequence });

    expect((await window(0)).map((c) => c.sequence)).toEqual(range(0, 100));
    expect((await window(100)).map((c) => c.sequence)).toEqual(range(100, 200));
    expect((await window(200)).map((c) => c.sequence)).toEqual(range(200, 250));
    expect((await window(150)).map((c) => c.sequence)).toEqual(range(150, 250));
    expect(await window(250)).toEqual([]);
    expect(await window(0, 2)).toEqual([]);
    expect((await window(0))[0]).toEqual({ sequence: 0, kind: "text", text: "c0" });
  });

  test("a 4 MiB reply completes and comes back whole, with no stored document over 1 MiB", async () => {
    const t = newBackend();
    const w = await world(t);
    const messageId = await w.send("write a lot");
    await claim(t, w.worker, messageId);
    // 4 MiB in all: 2 MiB of content (mostly 3-byte characters, then 4-byte ones, i.e. surrogate
    // pairs, where pieces are cut), 1 MiB of reasoning, 1 MiB of parts.
    const content = "a" + "€".repeat(500_000) + "😀".repeat(149_000) + "y".repeat(1151);
    expect(new TextEncoder().encode(content).length).toBe(2 * MIB);
    const reasoning = "r".repeat(MIB);
    const parts = JSON.stringify([{ type: "text", text: "p".repeat(MIB - 28) }]);
    const usage = { inputTokens: 1, outputTokens: 2, cost: 0 };

    await t.mutation(api.messages.complete, { ...w.worker, messageId, attempt: 1, content, reasoning, parts, usage });

    const [view] = (await t.query(api.messages.list, listArgs(w.key, w.sessionId))).page;
    expect(view.status).toBe("completed");
    expect(view.reply!.content.length).toBe(content.length);
    expect(view.reply!.content === content).toBe(true);
    expect(view.reply!.reasoning === reasoning).toBe(true);
    expect(view.reply!.parts === parts).toBe(true);
    expect(view.reply!.usage).toEqual(usage);
    const { largest, loneSurrogates } = await t.run(async (ctx) => {
      let max = 0;
      let lone = 0;
      for (const table of TABLES) {
        for (const doc of await ctx.db.query(table).collect()) {
          const json = JSON.stringify(doc);
          max = Math.max(max, new TextEncoder().encode(json).length);
          lone += (json.match(/\\ud[89a-f][0-9a-f]{2}/gi) ?? []).length; // JSON.stringify escapes lone surrogates only
        }
      }
      return { largest: max, loneSurrogates: lone };
    });
    expect(loneSurrogates).toBe(0); // Convex stores strings as UTF-8: a piece may not end inside a pair
    expect(largest).toBeLessThanOrEqual(MIB);
    expect(largest).toBeGreaterThan(256 * KIB); // the reply was stored in large pieces, not inline
  });

  test("a reply with no reasoning and no parts keeps them null when stored in pieces", async () => {
    const t = newBackend();
    const w = await world(t);
    const messageId = await w.send();
    await claim(t, w.worker, messageId);
    const content = "z".repeat(MIB);

    await t.mutation(api.messages.complete, { ...w.worker, messageId, attempt: 1, content, reasoning: null, parts: null, usage: null });

    const [view] = (await t.query(api.messages.list, listArgs(w.key, w.sessionId))).page;
    expect(view.reply).toEqual({ content, reasoning: null, parts: null, usage: null });
  });
});

function range(from: number, to: number): number[] {
  return Array.from({ length: to - from }, (_, i) => from + i);
}
