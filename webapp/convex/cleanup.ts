import { v } from "convex/values";
import { internal } from "./_generated/api";
import type { Id } from "./_generated/dataModel";
import { internalMutation, type MutationCtx } from "./_generated/server";

/** Documents deleted per run, well inside a mutation's limits on writes. */
const BATCH = 1000;

const scope = v.union(v.object({ machine: v.id("machines") }), v.object({ worker: v.id("workers") }));

/**
 * Deletes what was under a removed machine or worker (whose own document is already gone), a
 * batch per run, scheduling itself again until nothing is left: messages with their chunks and
 * reply pieces, then sessions, then (for a machine) workers.
 */
export const purge = internalMutation({
  args: { scope },
  returns: v.null(),
  handler: async (ctx, args) => {
    const budget = { left: BATCH };
    const done = await purgeWithin(ctx, args.scope, budget);
    if (!done) {
      await ctx.scheduler.runAfter(0, internal.cleanup.purge, { scope: args.scope });
    }
    return null;
  },
});

type Scope = { machine: Id<"machines"> } | { worker: Id<"workers"> };
type Budget = { left: number };

async function purgeWithin(ctx: MutationCtx, target: Scope, budget: Budget): Promise<boolean> {
  while (budget.left > 0) {
    const message = await firstMessage(ctx, target);
    if (message === null) {
      break;
    }
    if (!(await deleteMessage(ctx, message, budget))) {
      return false;
    }
  }
  const sessions = await sessionsOf(ctx, target, budget.left);
  for (const session of sessions) {
    await ctx.db.delete(session);
    budget.left--;
  }
  if ("machine" in target) {
    const workers = await ctx.db
      .query("workers")
      .withIndex("by_machine_name", (q) => q.eq("machine", target.machine))
      .take(Math.max(budget.left, 0));
    for (const worker of workers) {
      await ctx.db.delete(worker._id);
      budget.left--;
    }
  }
  return budget.left > 0;
}

async function firstMessage(ctx: MutationCtx, target: Scope): Promise<Id<"messages"> | null> {
  const message =
    "machine" in target
      ? await ctx.db
          .query("messages")
          .withIndex("by_machine_status_createdAt", (q) => q.eq("machine", target.machine))
          .first()
      : await ctx.db
          .query("messages")
          .withIndex("by_worker", (q) => q.eq("worker", target.worker))
          .first();
  return message?._id ?? null;
}

async function sessionsOf(ctx: MutationCtx, target: Scope, limit: number): Promise<Id<"sessions">[]> {
  if (limit <= 0) {
    return [];
  }
  const sessions =
    "machine" in target
      ? await ctx.db
          .query("sessions")
          .withIndex("by_machine", (q) => q.eq("machine", target.machine))
          .take(limit)
      : await ctx.db
          .query("sessions")
          .withIndex("by_worker_lastActivity", (q) => q.eq("worker", target.worker))
          .take(limit);
  return sessions.map((session) => session._id);
}

/** Deletes a message's chunks and reply pieces, then the message; false when the budget ran out first. */
async function deleteMessage(ctx: MutationCtx, message: Id<"messages">, budget: Budget): Promise<boolean> {
  const chunks = await ctx.db
    .query("chunks")
    .withIndex("by_message_attempt_sequence", (q) => q.eq("message", message))
    .take(budget.left);
  for (const chunk of chunks) {
    await ctx.db.delete(chunk._id);
    budget.left--;
  }
  const pieces = await ctx.db
    .query("replyPieces")
    .withIndex("by_message_field_index", (q) => q.eq("message", message))
    .take(Math.max(budget.left, 0));
  for (const piece of pieces) {
    await ctx.db.delete(piece._id);
    budget.left--;
  }
  if (budget.left <= 0) {
    return false;
  }
  await ctx.db.delete(message);
  budget.left--;
  return true;
}
