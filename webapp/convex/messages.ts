import { paginationOptsValidator, paginationResultValidator } from "convex/server";
import { v } from "convex/values";
import { mutation, query } from "./_generated/server";
import { instanceCredentials, machineCredentials, userCredentials } from "./lib/args";
import { FINISHED } from "./lib/claims";
import { enqueue } from "./lib/enqueue";
import { invalidArgument, refuse } from "./lib/errors";
import { authenticateMachine, authorizeInstance, findMachineRecord, machineRecord } from "./lib/machineAuth";
import { readReply, storeReply } from "./lib/replies";
import { finishedAttempt, openMessagesOldestFirst, renewLease, requireHolder, storeNewChunks } from "./lib/queue";
import { leaseMs } from "./lib/settings";
import { KIB, truncate, utf8Length } from "./lib/text";
import { authenticateUser, userMessage, userSession } from "./lib/userAuth";
import { chunk, messageView, workItem } from "./lib/views";
import { usage } from "./schema";

const WORK_LIMIT = 100;
const WORK_CONTENT_BYTES = 8 * 1024 * KIB;
const CHUNK_WINDOW = 100;
const MAX_CHUNK_TEXT_BYTES = 512 * KIB;
const MAX_ERROR_CHARS = 16_384;

// ---- the worker's side ------------------------------------------------------------------------

export const work = query({
  args: machineCredentials,
  returns: v.array(workItem),
  handler: async (ctx, args) => {
    const machine = await authenticateMachine(ctx, args.machineId, args.secret);
    const items = [];
    let contentBytes = 0;
    for await (const message of openMessagesOldestFirst(ctx, machine._id)) {
      if (items.length === WORK_LIMIT) {
        break;
      }
      // A query reads and returns at most 16 MiB: messages of up to 256 KiB each wait for a later
      // snapshot rather than failing this one (and with it every snapshot until they are done).
      const bytes = utf8Length(message.content);
      if (items.length > 0 && contentBytes + bytes > WORK_CONTENT_BYTES) {
        break;
      }
      const worker = await ctx.db.get(message.worker);
      const session = await ctx.db.get(message.session);
      if (worker === null || session === null) {
        continue; // removed; deleted in batches after its worker
      }
      contentBytes += bytes;
      items.push({
        messageId: message._id,
        sessionId: message.session,
        workerId: message.worker,
        directory: worker.directory,
        opencodeSessionId: session.opencodeSessionId,
        content: message.content,
        model: message.model,
        createdAt: message.createdAt,
        status: message.status as "pending" | "claimed",
        claimedBy: message.claimedBy,
        leaseExpiresAt: message.leaseExpiresAt,
        attempt: message.attempt,
        cancelRequested: message.cancelRequested,
      });
    }
    return items;
  },
});


export const claim = mutation({
  args: { ...instanceCredentials, messageId: v.string() },
  returns: v.union(
    v.object({ claimed: v.literal(true), attempt: v.number(), leaseExpiresAt: v.number() }),
    v.object({
      claimed: v.literal(false),
      reason: v.union(v.literal("taken"), v.literal("done"), v.literal("cancelled"), v.literal("not_found")),
    }),
  ),
  handler: async (ctx, args) => {
    const machine = await authorizeInstance(ctx, args);
    const found = await findMachineRecord(ctx, machine, "messages", args.messageId);
    if (found === "foreign") {
      refuse("UNAUTHORIZED", "this message is not one of this machine's");
    }
    if (found === "absent") {
      return { claimed: false as const, reason: "not_found" as const };
    }
    const message = found;
    const now = Date.now();
    const leaseExpiresAt = now + leaseMs();
    switch (message.status) {
      case "completed":
      case "failed":
        return { claimed: false as const, reason: "done" as const };
      case "cancelled":
        return { claimed: false as const, reason: "cancelled" as const };
      case "claimed":
        if (message.claimedBy === args.instanceId) {
          // A retried claim by the holder is harmless: same attempt, lease renewed.
          await ctx.db.patch(message._id, { leaseExpiresAt });
          return { claimed: true as const, attempt: message.attempt, leaseExpiresAt };
        }
        if ((message.leaseExpiresAt ?? 0) > now) {
          return { claimed: false as const, reason: "taken" as const };
        }
        if (message.cancelRequested) {
          // Its holder went silent before finishing a stop: the stop wins.
          await ctx.db.patch(message._id, { status: "cancelled", ...FINISHED });
          return { claimed: false as const, reason: "cancelled" as const };
        }
        break;
      case "pending":
        break;
    }
    const attempt = message.attempt + 1;
    await ctx.db.patch(message._id, { status: "claimed", claimedBy: args.instanceId, leaseExpiresAt, attempt });
    return { claimed: true as const, attempt, leaseExpiresAt };
  },
});


export const appendChunks = mutation({
  args: {
    ...instanceCredentials,
    messageId: v.string(),
    attempt: v.number(),
    chunks: v.array(chunk),
  },
  returns: v.object({ leaseExpiresAt: v.number(), cancelRequested: v.boolean() }),
  handler: async (ctx, args) => {
    const machine = await authorizeInstance(ctx, args);
    const message = await machineRecord(ctx, machine, "messages", args.messageId);
    requireHolder(message, args.instanceId, args.attempt);
    for (const incoming of args.chunks) {
      if (!Number.isSafeInteger(incoming.sequence) || incoming.sequence < 0) {
        invalidArgument(`chunk sequence must be a whole number >= 0, not ${incoming.sequence}`);
      }
      if (utf8Length(incoming.text) > MAX_CHUNK_TEXT_BYTES) {
        invalidArgument(`chunk ${incoming.sequence} is over ${MAX_CHUNK_TEXT_BYTES / KIB} KiB`);
      }
    }
    if (args.chunks.length > 0) {
      await storeNewChunks(ctx, message, args.attempt, args.chunks);
    }
    return { leaseExpiresAt: await renewLease(ctx, message), cancelRequested: message.cancelRequested };
  },
});


export const complete = mutation({
  args: {
    ...instanceCredentials,
    messageId: v.string(),
    attempt: v.number(),
    content: v.string(),
    reasoning: v.union(v.string(), v.null()),
    parts: v.union(v.string(), v.null()),
    usage: v.union(usage, v.null()),
  },
  returns: v.null(),
  handler: async (ctx, args) => {
    const machine = await authorizeInstance(ctx, args);
    const message = await machineRecord(ctx, machine, "messages", args.messageId);
    if (finishedAttempt(message, args.attempt)) {
      return null; // the first outcome stays
    }
    requireHolder(message, args.instanceId, args.attempt);
    const reply = await storeReply(ctx, message._id, {
      content: args.content,
      reasoning: args.reasoning,
      parts: args.parts,
      usage: args.usage,
    });
    const now = Date.now();
    await ctx.db.patch(message._id, { status: "completed", reply, ...FINISHED });
    await ctx.db.patch(message.session, { lastActivity: now });
    return null;
  },
});

export const fail = mutation({
  args: {
    ...instanceCredentials,
    messageId: v.string(),
    attempt: v.number(),
    error: v.string(),
    retryable: v.boolean(),
  },
  returns: v.null(),
  handler: async (ctx, args) => {
    const machine = await authorizeInstance(ctx, args);
    const message = await machineRecord(ctx, machine, "messages", args.messageId);
    if (finishedAttempt(message, args.attempt)) {
      return null; // the first outcome stays
    }
    requireHolder(message, args.instanceId, args.attempt);
    await ctx.db.patch(message._id, {
      status: "failed",
      error: truncate(args.error, MAX_ERROR_CHARS),
      retryable: args.retryable,
      ...FINISHED,
    });
    await ctx.db.patch(message.session, { lastActivity: Date.now() });
    return null;
  },
});

// ---- the web app's side -----------------------------------------------------------------------


export const send = mutation({
  args: { ...userCredentials, sessionId: v.string(), content: v.string(), model: v.union(v.string(), v.null()) },
  returns: v.string(),
  handler: async (ctx, args) => {
    const caller = await authenticateUser(ctx, args.accessKey);
    const { session } = await userSession(ctx, caller, args.sessionId);
    return await enqueue(ctx, session, args.content, args.model);
  },
});

export const list = query({
  args: { ...userCredentials, sessionId: v.string(), paginationOpts: paginationOptsValidator },
  returns: paginationResultValidator(messageView),
  handler: async (ctx, args) => {
    const caller = await authenticateUser(ctx, args.accessKey);
    const { session } = await userSession(ctx, caller, args.sessionId);
    const result = await ctx.db
      .query("messages")
      .withIndex("by_session_createdAt", (q) => q.eq("session", session._id))
      .order("desc")
      .paginate(args.paginationOpts);
    const page = [];
    for (const message of result.page) {
      page.push({
        messageId: message._id,
        sessionId: message.session,
        content: message.content,
        model: message.model,
        createdAt: message.createdAt,
        status: message.status,
        attempt: message.attempt,
        cancelRequested: message.cancelRequested,
        error: message.error,
        retryable: message.retryable,
        reply: await readReply(ctx, message),
      });
    }
    return { ...result, page };
  },
});

export const chunks = query({
  args: { ...userCredentials, messageId: v.string(), attempt: v.number(), fromSequence: v.number() },
  returns: v.array(chunk),
  handler: async (ctx, args) => {
    const caller = await authenticateUser(ctx, args.accessKey);
    const { message } = await userMessage(ctx, caller, args.messageId);
    const window = await ctx.db
      .query("chunks")
      .withIndex("by_message_attempt_sequence", (q) =>
        q.eq("message", message._id).eq("attempt", args.attempt).gte("sequence", args.fromSequence),
      )
      .take(CHUNK_WINDOW);
    return window.map(({ sequence, kind, text }) => ({ sequence, kind, text }));
  },
});

export const cancel = mutation({
  args: { ...userCredentials, messageId: v.string() },
  returns: v.null(),
  handler: async (ctx, args) => {
    const caller = await authenticateUser(ctx, args.accessKey);
    const { message } = await userMessage(ctx, caller, args.messageId);
    if (message.status === "pending") {
      await ctx.db.patch(message._id, { status: "cancelled", ...FINISHED });
    } else if (message.status === "claimed") {
      await ctx.db.patch(message._id, { cancelRequested: true });
    }
    return null;
  },
});

export const retry = mutation({
  args: { ...userCredentials, messageId: v.string() },
  returns: v.string(),
  handler: async (ctx, args) => {
    const caller = await authenticateUser(ctx, args.accessKey);
    const { message, session } = await userMessage(ctx, caller, args.messageId);
    if (message.status !== "failed" && message.status !== "cancelled") {
      invalidArgument(`only a failed or cancelled message can be retried; this one is ${message.status}`);
    }
    return await enqueue(ctx, session, message.content, message.model);
  },
});

