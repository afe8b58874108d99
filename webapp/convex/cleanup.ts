import { v } from "convex/values";
import { internal } from "./_generated/api";
import type { Id } from "./_generated/dataModel";
import { internalMutation, type MutationCtx } from "./_generated/server";
import { KIB, utf8Length } from "./lib/text";

const MIB = 1024 * KIB;

/**
 * What one run may delete: a mutation reads at most 16 MiB and 32,000 documents and writes at
 * most 16,000, and a message, a reply piece or a chunk may each be close to 1 MiB.
 */
class Budget {
  private documents = 4000;
  private bytes = 8 * MIB;

  /** Whether one more document of up to 1 MiB may still be read. */
  get open(): boolean {
    return this.documents > 0 && this.bytes > MIB;
  }

  spend(document: object): void {
    this.documents--;
    this.bytes -= utf8Length(JSON.stringify(document));
  }
}

const scope = v.union(v.object({ machine: v.id("machines") }), v.object({ worker: v.id("workers") }));
type Scope = { machine: Id<"machines"> } | { worker: Id<"workers"> };

/**
 * Deletes what was under a removed machine or worker (whose own document is already gone), a
 * batch per run, scheduling itself again until nothing is left: messages with their chunks and
 * reply pieces, then sessions, then (for a machine) workers.
 */
export const purge = internalMutation({
  args: { scope },
  returns: v.null(),
  handler: async (ctx, args) => {
    const budget = new Budget();
    if (!(await purgeWithin(ctx, args.scope, budget))) {
      await ctx.scheduler.runAfter(0, internal.cleanup.purge, { scope: args.scope });
    }
    return null;
  },
});

/** True when everything is gone; false when the budget ran out first. */
async function purgeWithin(ctx: MutationCtx, target: Scope, budget: Budget): Promise<boolean> {
  for (;;) {
    if (!budget.open) {
      return false;
    }
    const message = await firstMessage(ctx, target);
    if (message === null) {
      break;
    }
    budget.spend(message);
    if (!(await deleteMessage(ctx, message._id, budget))) {
      return false;
    }
  }
  const sessions =
    "machine" in target
      ? ctx.db.query("sessions").withIndex("by_machine", (q) => q.eq("machine", target.machine))
      : ctx.db.query("sessions").withIndex("by_worker_lastActivity", (q) => q.eq("worker", target.worker));
  if (!(await deleteAll(ctx, sessions, budget))) {
    return false;
  }
  if ("machine" in target) {
    const workers = ctx.db.query("workers").withIndex("by_machine_name", (q) => q.eq("machine", target.machine));
    return await deleteAll(ctx, workers, budget);
  }
  return true;
}

async function firstMessage(ctx: MutationCtx, target: Scope) {
  return "machine" in target
    ? await ctx.db
        .query("messages")
        .withIndex("by_machine_status_createdAt", (q) => q.eq("machine", target.machine))
        .first()
    : await ctx.db
        .query("messages")
        .withIndex("by_worker", (q) => q.eq("worker", target.worker))
        .first();
}

/** Deletes a message's chunks and reply pieces, then the message itself. */
async function deleteMessage(ctx: MutationCtx, message: Id<"messages">, budget: Budget): Promise<boolean> {
  const chunks = ctx.db.query("chunks").withIndex("by_message_attempt_sequence", (q) => q.eq("message", message));
  const pieces = ctx.db.query("replyPieces").withIndex("by_message_field_index", (q) => q.eq("message", message));
  if (!(await deleteAll(ctx, chunks, budget)) || !(await deleteAll(ctx, pieces, budget))) {
    return false;
  }
  await ctx.db.delete(message);
  return true;
}

/** Deletes the documents of a query while the budget lasts; true when it got to the end. */
async function deleteAll(
  ctx: MutationCtx,
  documents: AsyncIterable<{ _id: Id<"chunks" | "replyPieces" | "sessions" | "workers"> }>,
  budget: Budget,
): Promise<boolean> {
  for await (const document of documents) {
    if (!budget.open) {
      return false;
    }
    budget.spend(document);
    await ctx.db.delete(document._id);
  }
  return true;
}
