// Test fixtures for the Convex functions (two dots in the name: not deployed, not a test file).
import { convexTest, type TestConvex } from "convex-test";
import { expect } from "vitest";
import { api, internal } from "./_generated/api";
import schema from "./schema";

export const modules = import.meta.glob(["./**/*.*s", "!./**/*.*.*s"]);

export type Backend = TestConvex<typeof schema>;
export type Machine = { machineId: string; secret: string; token: string };
export type Auth = { machineId: string; secret: string; instanceId: string };

export const TABLES = [
  "users",
  "accessKeys",
  "machines",
  "workers",
  "sessions",
  "messages",
  "chunks",
  "replyPieces",
] as const;

export const INSTANCE_A = "11111111-1111-4111-8111-111111111111";
export const INSTANCE_B = "22222222-2222-4222-8222-222222222222";

export function newBackend(): Backend {
  return convexTest(schema, modules);
}

export async function accessKey(t: Backend, user = "me", label = "laptop"): Promise<string> {
  return (await t.mutation(internal.access.createKey, { user, label })).key;
}

export async function machine(t: Backend, key: string, name = "box"): Promise<Machine> {
  const { machineId, token } = await t.mutation(api.machines.create, { accessKey: key, name });
  const secret = token.slice(token.indexOf(":") + 1);
  return { machineId, secret, token };
}

export function auth(of: Machine, instanceId = INSTANCE_A): Auth {
  return { machineId: of.machineId, secret: of.secret, instanceId };
}

export async function connect(t: Backend, of: Machine, instanceId = INSTANCE_A): Promise<Auth> {
  const credentials = auth(of, instanceId);
  await t.mutation(api.machines.connect, {
    ...credentials,
    version: "1.0.0",
    hostname: `host-${instanceId.slice(0, 4)}`,
    platform: "linux",
    rootDirectory: "/home/me/code",
  });
  return credentials;
}

/** A user with a connected machine, a worker and a session: what most tests start from. */
export async function world(t: Backend, user = "me") {
  const key = await accessKey(t, user);
  const box = await machine(t, key);
  const worker = await connect(t, box);
  const workerId = await t.mutation(api.workers.create, {
    accessKey: key,
    machineId: box.machineId,
    name: "api",
    directory: "projects/api",
  });
  const sessionId = await t.mutation(api.sessions.create, { accessKey: key, workerId, title: null });
  const send = (content = "hello", model: string | null = null) =>
    t.mutation(api.messages.send, { accessKey: key, sessionId, content, model });
  return { key, machine: box, worker, workerId, sessionId, send };
}

/** Every document of every table (scheduled jobs included), to show that a refused call changed nothing. */
export async function snapshot(t: Backend): Promise<unknown> {
  return await t.run(async (ctx) => {
    const all: Record<string, unknown[]> = {};
    for (const table of TABLES) {
      all[table] = await ctx.db.query(table).collect();
    }
    all._scheduled_functions = await ctx.db.system.query("_scheduled_functions").collect();
    return all;
  });
}

/** The `{code, message}` of the ConvexError a call was refused with. */
export async function refusal(call: Promise<unknown>): Promise<{ code: string; message: string }> {
  const error = await call.then(
    () => null,
    (thrown: unknown) => thrown,
  );
  expect(error, "the call was expected to be refused").not.toBeNull();
  const data = (error as { data?: unknown }).data;
  expect(data, `a ConvexError with {code, message}, not: ${String(error)}`).toMatchObject({
    code: expect.any(String),
    message: expect.any(String),
  });
  return data as { code: string; message: string };
}

export async function expectRefused(call: Promise<unknown>, code: string): Promise<void> {
  expect((await refusal(call)).code).toBe(code);
}
