import { v } from "convex/values";
import { chunkKind, machineStatus, messageStatus, sessionStatus, usage, workerStatus } from "../schema";

const nullable = <T extends Parameters<typeof v.union>[0]>(validator: T) => v.union(validator, v.null());

/** What the worker's and the web app's functions return, as validators. */

export const stateWorker = v.object({
  workerId: v.string(),
  name: v.string(),
  directory: v.string(),
  createdAt: v.number(),
});

export const stateSession = v.object({
  sessionId: v.string(),
  workerId: v.string(),
  status: sessionStatus,
  opencodeSessionId: nullable(v.string()),
  lastActivity: v.number(),
});

export const workItem = v.object({
  messageId: v.string(),
  sessionId: v.string(),
  workerId: v.string(),
  directory: v.string(),
  opencodeSessionId: nullable(v.string()),
  content: v.string(),
  model: nullable(v.string()),
  createdAt: v.number(),
  status: v.union(v.literal("pending"), v.literal("claimed")),
  claimedBy: nullable(v.string()),
  leaseExpiresAt: nullable(v.number()),
  attempt: v.number(),
  cancelRequested: v.boolean(),
});

export const chunk = v.object({ sequence: v.number(), kind: chunkKind, text: v.string() });

export const machineView = v.object({
  machineId: v.string(),
  name: v.string(),
  status: machineStatus,
  lastHeartbeat: nullable(v.number()),
  hostname: nullable(v.string()),
  version: nullable(v.string()),
  platform: nullable(v.string()),
  rootDirectory: nullable(v.string()),
  createdAt: v.number(),
});

export const workerView = v.object({
  workerId: v.string(),
  name: v.string(),
  directory: v.string(),
  status: workerStatus,
  error: nullable(v.string()),
  createdAt: v.number(),
});

export const sessionView = v.object({
  sessionId: v.string(),
  workerId: v.string(),
  title: nullable(v.string()),
  status: sessionStatus,
  opencodeSessionId: nullable(v.string()),
  lastActivity: v.number(),
  createdAt: v.number(),
});

export const replyView = v.object({
  content: v.string(),
  reasoning: nullable(v.string()),
  parts: nullable(v.string()),
  usage: nullable(usage),
});

export const messageView = v.object({
  messageId: v.string(),
  sessionId: v.string(),
  content: v.string(),
  model: nullable(v.string()),
  createdAt: v.number(),
  status: messageStatus,
  attempt: v.number(),
  cancelRequested: v.boolean(),
  error: nullable(v.string()),
  retryable: nullable(v.boolean()),
  reply: nullable(replyView),
});
