import type { Doc, Id } from "../_generated/dataModel";
import type { MutationCtx, QueryCtx } from "../_generated/server";
import { invalidArgument, refuse } from "./errors";
import { leaseMs } from "./settings";

// The work queue's rules: the order of work, fencing by holder and attempt, leases and chunks.

const LEASE_RENEWAL_SLACK_MS = 5_000;

/** The machine's pending and claimed messages, oldest first, read lazily from the two index ranges. */
export async function* openMessagesOldestFirst(ctx: QueryCtx, machine: Id<"machines">): AsyncGenerator<Doc<"messages">> {
  const streams = (["pending", "claimed"] as const).map((status) =>
    ctx.db
      .query("messages")
      .withIndex("by_machine_status_createdAt", (q) => q.eq("machine", machine).eq("status", status))
      [Symbol.asyncIterator](),
  );
  const next = async (i: number) => {
    const step = await streams[i].next();
    return step.done ? null : step.value;
  };
  const heads = await Promise.all(streams.map((_, i) => next(i)));
  for (;;) {
    let oldest = -1;
    heads.forEach((head, i) => {
      if (head !== null && (oldest < 0 || isOlder(head, heads[oldest]!))) {
        oldest = i;
      }
    });
    if (oldest < 0) {
      return;
    }
    yield heads[oldest]!;
    heads[oldest] = await next(oldest);
  }
}

function isOlder(a: Doc<"messages">, b: Doc<"messages">): boolean {
  return a.createdAt < b.createdAt || (a.createdAt === b.createdAt && a._creationTime < b._creationTime);
}

/** Fencing: only the instance holding this attempt may write to it; an expired lease counts until taken. */
export function requireHolder(message: Doc<"messages">, instanceId: string, attempt: number): void {
  if (message.status !== "claimed" || message.claimedBy !== instanceId || message.attempt !== attempt) {
    refuse("LEASE_LOST", `attempt ${attempt} of this message is no longer held by this instance`);
  }
}

/**
 * Renews the lease, but writes it only when it moved by more than a little: every write of the
 * message re-sends the worker's `work` subscription, and chunks come up to ten times a second.
 */
export async function renewLease(ctx: MutationCtx, message: Doc<"messages">): Promise<number> {
  const lease = leaseMs();
  const renewed = Date.now() + lease;
  const slack = Math.min(LEASE_RENEWAL_SLACK_MS, lease / 10);
  if (message.leaseExpiresAt !== null && renewed - message.leaseExpiresAt <= slack) {
    return message.leaseExpiresAt;
  }
  await ctx.db.patch(message._id, { leaseExpiresAt: renewed });
  return renewed;
}

export type Chunk = { sequence: number; kind: "text" | "reasoning" | "tool"; text: string };

/** Stores each chunk not yet stored (the same sequence twice is stored once); sequences may not skip. */
export async function storeNewChunks(ctx: MutationCtx, message: Doc<"messages">, attempt: number, chunks: Chunk[]) {
  const stored = await ctx.db
    .query("chunks")
    .withIndex("by_message_attempt_sequence", (q) => q.eq("message", message._id).eq("attempt", attempt))
    .order("desc")
    .first();
  let next = stored === null ? 0 : stored.sequence + 1;
  const fresh = new Map<number, Chunk>();
  for (const incoming of chunks) {
    if (incoming.sequence > next) {
      invalidArgument(`chunk sequence ${incoming.sequence} leaves a gap: the next expected is ${next}`);
    }
    if (incoming.sequence === next) {
      fresh.set(incoming.sequence, incoming);
      next++;
    }
  }
  for (const incoming of fresh.values()) {
    await ctx.db.insert("chunks", { message: message._id, attempt, ...incoming });
  }
}

export function finishedAttempt(message: Doc<"messages">, attempt: number): boolean {
  return (message.status === "completed" || message.status === "failed") && message.attempt === attempt;
}
