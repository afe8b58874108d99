import type { Doc } from "../_generated/dataModel";
import type { MutationCtx } from "../_generated/server";

/**
 * Gives back the claims of an instance that was superseded or disconnected: each goes back to
 * `pending` with its attempt kept (so the next holder knows it was interrupted), or becomes
 * `cancelled` when the user had asked to stop it.
 */
export async function releaseClaims(ctx: MutationCtx, machine: Doc<"machines">, instanceId: string): Promise<void> {
  const held = await ctx.db
    .query("messages")
    .withIndex("by_machine_claimedBy", (q) => q.eq("machine", machine._id).eq("claimedBy", instanceId))
    .collect();
  for (const message of held) {
    if (message.status !== "claimed") {
      continue;
    }
    await ctx.db.patch(message._id, {
      status: message.cancelRequested ? "cancelled" : "pending",
      claimedBy: null,
      leaseExpiresAt: null,
    });
  }
}

/** Ends a message: no instance holds it any more. */
export const FINISHED = { claimedBy: null, leaseExpiresAt: null } as const;
