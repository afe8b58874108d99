import type { Doc, Id } from "../_generated/dataModel";
import type { QueryCtx } from "../_generated/server";
import { unauthorized } from "./errors";
import { ACCESS_KEY_FORMAT, sha256Hex } from "./secrets";

export type Caller = { user: Doc<"users">; key: Doc<"accessKeys"> };

/**
 * The web app's credential. A missing, malformed, unknown or revoked key is UNAUTHORIZED.
 * Keys are looked up by their SHA-256: the index match reveals nothing about the key itself.
 */
export async function authenticateUser(ctx: QueryCtx, accessKey: string | undefined): Promise<Caller> {
  if (accessKey === undefined || !ACCESS_KEY_FORMAT.test(accessKey)) {
    unauthorized("missing or malformed access key");
  }
  const keyHash = await sha256Hex(accessKey);
  const key = await ctx.db
    .query("accessKeys")
    .withIndex("by_keyHash", (q) => q.eq("keyHash", keyHash))
    .first();
  if (key === null || key.revokedAt !== null) {
    unauthorized("unknown or revoked access key");
  }
  const user = await ctx.db.get(key.user);
  if (user === null) {
    unauthorized("unknown or revoked access key");
  }
  return { user, key };
}

const NOT_YOURS = "no such record among yours";

export async function userMachine(ctx: QueryCtx, caller: Caller, machineId: string): Promise<Doc<"machines">> {
  const machine = await ctx.db
    .query("machines")
    .withIndex("by_machineId", (q) => q.eq("machineId", machineId))
    .unique();
  if (machine === null || machine.user !== caller.user._id) {
    unauthorized(NOT_YOURS);
  }
  return machine;
}

async function ownedMachine(ctx: QueryCtx, caller: Caller, machineId: Id<"machines">): Promise<Doc<"machines">> {
  const machine = await ctx.db.get(machineId);
  if (machine === null || machine.user !== caller.user._id) {
    unauthorized(NOT_YOURS);
  }
  return machine;
}

export async function userWorker(
  ctx: QueryCtx,
  caller: Caller,
  workerId: string,
): Promise<{ worker: Doc<"workers">; machine: Doc<"machines"> }> {
  const id = ctx.db.normalizeId("workers", workerId);
  const worker = id === null ? null : await ctx.db.get(id);
  if (worker === null) {
    unauthorized(NOT_YOURS);
  }
  return { worker, machine: await ownedMachine(ctx, caller, worker.machine) };
}

export async function userSession(
  ctx: QueryCtx,
  caller: Caller,
  sessionId: string,
): Promise<{ session: Doc<"sessions">; worker: Doc<"workers">; machine: Doc<"machines"> }> {
  const id = ctx.db.normalizeId("sessions", sessionId);
  const session = id === null ? null : await ctx.db.get(id);
  if (session === null) {
    unauthorized(NOT_YOURS);
  }
  const { worker, machine } = await userWorker(ctx, caller, session.worker);
  return { session, worker, machine };
}

export async function userMessage(
  ctx: QueryCtx,
  caller: Caller,
  messageId: string,
): Promise<{ message: Doc<"messages">; session: Doc<"sessions">; machine: Doc<"machines"> }> {
  const id = ctx.db.normalizeId("messages", messageId);
  const message = id === null ? null : await ctx.db.get(id);
  if (message === null) {
    unauthorized(NOT_YOURS);
  }
  const { session, machine } = await userSession(ctx, caller, message.session);
  return { message, session, machine };
}
