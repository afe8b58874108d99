import { defineSchema, defineTable } from "convex/server";
import { v } from "convex/values";

const nullable = <T extends Parameters<typeof v.union>[0]>(validator: T) => v.union(validator, v.null());

export const machineStatus = v.union(v.literal("online"), v.literal("offline"));
export const workerStatus = v.union(v.literal("pending"), v.literal("ready"), v.literal("error"));
export const sessionStatus = v.union(v.literal("active"), v.literal("idle"), v.literal("closed"));
export const messageStatus = v.union(
  v.literal("pending"),
  v.literal("claimed"),
  v.literal("completed"),
  v.literal("failed"),
  v.literal("cancelled"),
);
export const chunkKind = v.union(v.literal("text"), v.literal("reasoning"), v.literal("tool"));
export const usage = v.object({ inputTokens: v.number(), outputTokens: v.number(), cost: v.number() });
export const replyField = v.union(v.literal("content"), v.literal("reasoning"), v.literal("parts"));

/**
 * Ids: machines are found by their own `machineId` (`mch_...`, part of the machine token);
 * workers, sessions and messages are named by their Convex document ids, sent as strings.
 * Every query reads an index; none scans a table.
 */
export default defineSchema({
  users: defineTable({ name: v.string(), createdAt: v.number() }).index("by_name", ["name"]),

  // Only the SHA-256 of a key is stored, and a key is found by that hash.
  accessKeys: defineTable({
    user: v.id("users"),
    label: v.string(),
    keyHash: v.string(),
    createdAt: v.number(),
    revokedAt: nullable(v.number()),
  })
    .index("by_keyHash", ["keyHash"])
    .index("by_user_label", ["user", "label"]),

  machines: defineTable({
    machineId: v.string(),
    user: v.id("users"),
    name: v.string(),
    secretHash: v.string(),
    status: machineStatus,
    lastHeartbeat: nullable(v.number()),
    instanceId: nullable(v.string()),
    hostname: nullable(v.string()),
    version: nullable(v.string()),
    platform: nullable(v.string()),
    rootDirectory: nullable(v.string()),
    createdAt: v.number(),
    // At most one scheduled offline check per machine (see machines.ts).
    offlineCheckPending: v.boolean(),
  })
    .index("by_machineId", ["machineId"])
    .index("by_user_name", ["user", "name"])
    .index("by_status_lastHeartbeat", ["status", "lastHeartbeat"]),

  workers: defineTable({
    machine: v.id("machines"),
    name: v.string(),
    directory: v.string(),
    status: workerStatus,
    error: nullable(v.string()),
    createdAt: v.number(),
  }).index("by_machine_name", ["machine", "name"]),

  sessions: defineTable({
    machine: v.id("machines"),
    worker: v.id("workers"),
    title: nullable(v.string()),
    // The first 60 characters of the first message, shown when there is no title.
    preview: nullable(v.string()),
    status: sessionStatus,
    opencodeSessionId: nullable(v.string()),
    lastActivity: v.number(),
    createdAt: v.number(),
  })
    .index("by_machine", ["machine"])
    .index("by_worker_lastActivity", ["worker", "lastActivity"]),

  // User messages; each carries its assistant reply once completed.
  messages: defineTable({
    machine: v.id("machines"),
    worker: v.id("workers"),
    session: v.id("sessions"),
    content: v.string(),
    model: nullable(v.string()),
    createdAt: v.number(),
    status: messageStatus,
    claimedBy: nullable(v.string()),
    leaseExpiresAt: nullable(v.number()),
    attempt: v.number(),
    cancelRequested: v.boolean(),
    error: nullable(v.string()),
    retryable: nullable(v.boolean()),
    // A reply too large for this document keeps its texts in `replyPieces` (`split: true`);
    // then `content` is "" and `reasoning`/`parts` are "" when present, null when absent.
    reply: nullable(
      v.object({
        content: v.string(),
        reasoning: nullable(v.string()),
        parts: nullable(v.string()),
        usage: nullable(usage),
        split: v.boolean(),
      }),
    ),
  })
    .index("by_machine_status_createdAt", ["machine", "status", "createdAt"])
    .index("by_machine_claimedBy", ["machine", "claimedBy"])
    .index("by_session_createdAt", ["session", "createdAt"])
    .index("by_session_status", ["session", "status"])
    .index("by_worker", ["worker"]),

  chunks: defineTable({
    message: v.id("messages"),
    attempt: v.number(),
    sequence: v.number(),
    kind: chunkKind,
    text: v.string(),
  }).index("by_message_attempt_sequence", ["message", "attempt", "sequence"]),

  // Pieces of a large reply's texts, in order, each well under the 1 MiB document limit.
  replyPieces: defineTable({
    message: v.id("messages"),
    field: replyField,
    index: v.number(),
    text: v.string(),
  }).index("by_message_field_index", ["message", "field", "index"]),
});
