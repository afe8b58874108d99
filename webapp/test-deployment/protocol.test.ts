// The sync protocol frame by frame, against the shapes of the captured frames: Transitions chain
// from {0,0,0} with increasing timestamps, a MutationResponse is followed by the Transition that
// shows its write, identity versions count Authenticate messages, errors end the socket.
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, expect, test } from "vitest";
import WebSocket from "ws";
import { startTestDeployment } from "./lib/server.mjs";

type Frame = Record<string, any>;
const functionsDir = fileURLToPath(new URL("./fixture/convex/", import.meta.url));
let deployment: Awaited<ReturnType<typeof startTestDeployment>>;

beforeAll(async () => {
  deployment = await startTestDeployment({ functionsDir });
});

afterAll(async () => {
  await deployment?.close();
});

/** A raw sync socket that collects every frame and close. */
async function open() {
  const ws = new WebSocket(`${deployment.url.replace("http", "ws")}/api/1.48.0/sync`);
  const frames: Frame[] = [];
  const closed = new Promise<{ code: number; reason: string }>((resolve) =>
    ws.on("close", (code, reason) => resolve({ code, reason: reason.toString() })),
  );
  ws.on("message", (data) => frames.push(JSON.parse(data.toString())));
  await new Promise((resolve) => ws.on("open", resolve));
  const send = (message: Frame) => ws.send(JSON.stringify(message));
  const next = async (type: string, after = 0) => {
    await expect.poll(() => frames.slice(after).some((f) => f.type === type), { timeout: 5_000 }).toBe(true);
    return frames.slice(after).find((f) => f.type === type)!;
  };
  send({ connectionCount: 0, lastCloseReason: "InitialConnect", clientTs: Date.now(), type: "Connect", sessionId: crypto.randomUUID() });
  return { ws, frames, send, next, closed };
}

const ts = (base64: string) => Buffer.from(base64, "base64").readBigUInt64LE();

test("subscribe, mutate and unsubscribe produce chained Transitions, and a Transition reaching the mutation follows its response", async () => {
  const s = await open();
  s.send({ type: "ModifyQuerySet", baseVersion: 0, newVersion: 1, modifications: [{ type: "Add", queryId: 0, udfPath: "notes:list", args: [{}] }] });
  const first = await s.next("Transition");
  expect(first.startVersion).toEqual({ querySet: 0, identity: 0, ts: "AAAAAAAAAAA=" });
  expect(first.endVersion.querySet).toBe(1);
  expect(first.modifications).toEqual([{ type: "QueryUpdated", queryId: 0, value: expect.any(Array), logLines: [], journal: null }]);
  expect(typeof first.serverTs).toBe("number");
  expect(typeof first.clientClockSkew).toBe("number");

  const mark = s.frames.length;
  s.send({ type: "Mutation", requestId: 0, udfPath: "notes:add", args: [{ body: "frame" }] });
  const response = await s.next("MutationResponse", mark);
  const transition = await s.next("Transition", mark);
  const after = s.frames.slice(mark);
  expect(after.indexOf(response)).toBeLessThan(after.indexOf(transition));
  expect(transition.startVersion).toEqual(first.endVersion);
  expect(ts(transition.endVersion.ts)).toBeGreaterThan(ts(first.endVersion.ts));
  expect(ts(transition.endVersion.ts)).toBeGreaterThanOrEqual(ts(response.ts));
  expect(transition.modifications[0].value).toContainEqual({ body: "frame", status: "new" });
  expect(response).toMatchObject({ type: "MutationResponse", requestId: 0, success: true, result: expect.any(String), logLines: [] });

  const mark2 = s.frames.length;
  s.send({ type: "ModifyQuerySet", baseVersion: 1, newVersion: 2, modifications: [{ type: "Remove", queryId: 0 }] });
  const removed = await s.next("Transition", mark2);
  expect(removed.startVersion).toEqual(transition.endVersion);
  expect(removed.endVersion).toEqual({ ...transition.endVersion, querySet: 2 });
  expect(removed.modifications).toEqual([{ type: "QueryRemoved", queryId: 0 }]);
  s.ws.close();
});

test("a failed mutation answers at once with ts null and the ConvexError data", async () => {
  const s = await open();
  s.send({ type: "Mutation", requestId: 3, udfPath: "notes:add", args: [{ body: "" }] });
  const response = await s.next("MutationResponse");
  expect(response).toMatchObject({ requestId: 3, success: false, ts: null, errorData: { code: "INVALID_ARGUMENT", message: "empty note" } });
  expect(response.result).toMatch(/^\[Request ID: [0-9a-f]+\] Server Error\nUncaught ConvexError: /);
  s.ws.close();
});

test("Authenticate None moves the identity version; a user token is refused with AuthError and a close", async () => {
  const s = await open();
  s.send({ type: "Authenticate", tokenType: "None", baseVersion: 0 });
  const transition = await s.next("Transition");
  expect(transition.endVersion.identity).toBe(1);
  s.send({ type: "Authenticate", tokenType: "User", baseVersion: 1, value: "a.b.c" });
  const error = await s.next("AuthError");
  expect(error).toMatchObject({ baseVersion: 1, authUpdateAttempted: true });
  expect((await s.closed).code).toBe(1005);
});

test("a base version that does not match is a FatalError, then a close", async () => {
  const s = await open();
  s.send({ type: "ModifyQuerySet", baseVersion: 7, newVersion: 8, modifications: [] });
  expect((await s.next("FatalError")).error).toBe("Base version 7 passed up doesn't match the current version 0");
  expect((await s.closed).code).toBe(1005);
});

test("an idle socket gets Ping messages at the configured interval", async () => {
  await fetch(`${deployment.controlUrl}/_test/ping-interval`, { method: "POST", body: JSON.stringify({ ms: 100 }) });
  const s = await open();
  await s.next("Ping");
  s.ws.close();
  await fetch(`${deployment.controlUrl}/_test/ping-interval`, { method: "POST", body: JSON.stringify({ ms: 15000 }) });
});

test("while down the port refuses connections, and the control channel still answers", async () => {
  const response = await fetch(`${deployment.controlUrl}/_test/down`, { method: "POST", body: JSON.stringify({ down: true }) });
  expect(response.status).toBe(200);
  await expect(fetch(`${deployment.url}/api/query_ts`, { method: "POST" })).rejects.toThrow();
  await fetch(`${deployment.controlUrl}/_test/down`, { method: "POST", body: JSON.stringify({ down: false }) });
  expect((await fetch(`${deployment.url}/api/query_ts`, { method: "POST" })).status).toBe(200);
});

test("injected HTTP failures answer the status the given number of times", async () => {
  await fetch(`${deployment.controlUrl}/_test/fail-http`, { method: "POST", body: JSON.stringify({ status: 503, times: 2 }) });
  const call = () => fetch(`${deployment.url}/api/query`, { method: "POST", body: JSON.stringify({ path: "notes:list", args: [{}], format: "convex_encoded_json" }) });
  expect((await call()).status).toBe(503);
  expect((await call()).status).toBe(503);
  const ok = await call();
  expect(ok.status).toBe(200);
  expect((await ok.json()).status).toBe("success");
});

test("tables and write records can be read through the control channel", async () => {
  const http = await fetch(`${deployment.url}/api/mutation`, { method: "POST", body: JSON.stringify({ path: "notes:add", args: [{ body: "recorded" }], format: "convex_encoded_json" }) });
  expect((await http.json()).status).toBe("success");
  const notes = await (await fetch(`${deployment.controlUrl}/_test/tables/notes`)).json();
  expect(notes).toContainEqual(expect.objectContaining({ body: "recorded", status: "new", _id: expect.any(String) }));
  const calls = await (await fetch(`${deployment.controlUrl}/_test/calls`)).json();
  const add = calls.find((call: { function: string }) => call.function === "notes:add");
  expect(add).toMatchObject({ outcome: "ok", startedAt: expect.any(Number), at: expect.any(Number) });
  expect(add.startedAt).toBeLessThanOrEqual(add.at);
});

async function control(path: string, body: unknown) {
  expect((await fetch(`${deployment.controlUrl}${path}`, { method: "POST", body: JSON.stringify(body) })).status).toBe(200);
}

test("a held-back Transition comes after the MutationResponse, which does not wait for it", async () => {
  const s = await open();
  s.send({ type: "ModifyQuerySet", baseVersion: 0, newVersion: 1, modifications: [{ type: "Add", queryId: 0, udfPath: "notes:list", args: [{}] }] });
  await s.next("Transition");
  await control("/_test/transition-delay", { ms: 60_000 });
  try {
    const mark = s.frames.length;
    s.send({ type: "Mutation", requestId: 0, udfPath: "notes:add", args: [{ body: "held back" }] });
    await s.next("MutationResponse", mark);
    expect(s.frames.slice(mark).map((f) => f.type)).toEqual(["MutationResponse"]);
  } finally {
    await control("/_test/transition-delay", { ms: 0 });
    s.ws.close();
  }
});

test("a silent deployment sends nothing, and on waking sends the Transition the client is owed", async () => {
  const s = await open();
  await control("/_test/silent", { silent: true });
  s.send({ type: "ModifyQuerySet", baseVersion: 0, newVersion: 1, modifications: [{ type: "Add", queryId: 0, udfPath: "notes:list", args: [{}] }] });
  s.send({ type: "Mutation", requestId: 0, udfPath: "notes:add", args: [{ body: "unanswered" }] });
  const http = await fetch(`${deployment.url}/api/query`, { method: "POST", body: JSON.stringify({ path: "notes:list", args: [{}], format: "convex_encoded_json" }) });
  expect((await http.json()).value).toContainEqual({ body: "unanswered", status: "new" });
  expect(s.frames).toEqual([]);

  await control("/_test/silent", { silent: false });
  const transition = await s.next("Transition");
  expect(transition.startVersion).toEqual({ querySet: 0, identity: 0, ts: "AAAAAAAAAAA=" });
  expect(transition.modifications[0].value).toContainEqual({ body: "unanswered", status: "new" });
  s.ws.close();
});

test("control faults: FatalError on every socket, and a Transition that does not chain", async () => {
  const a = await open();
  await control("/_test/unchained-transition", {});
  const bogus = await a.next("Transition");
  expect(bogus.startVersion.querySet).toBe(1000);
  await control("/_test/fatal-error", { error: "stop now" });
  expect((await a.next("FatalError")).error).toBe("stop now");
  expect((await a.closed).code).toBe(1005);
});
