import { v } from "convex/values";
import { mutation, query } from "./_generated/server";
import { instanceCredentials, userCredentials } from "./lib/args";
import { FINISHED } from "./lib/claims";
import { authorizeInstance, machineRecord } from "./lib/machineAuth";
import { boundedText, requiredText } from "./lib/text";
import { authenticateUser, userSession, userWorker } from "./lib/userAuth";
import { sessionView } from "./lib/views";

// ---- the worker's side ------------------------------------------------------------------------

export const update = mutation({
  args: {
    ...instanceCredentials,
    sessionId: v.string(),
    status: v.optional(v.union(v.literal("active"), v.literal("idle"))),
    opencodeSessionId: v.optional(v.string()),
  },
  returns: v.null(),
  handler: async (ctx, args) => {
    const machine = await authorizeInstance(ctx, args);
    const session = await machineRecord(ctx, machine, "sessions", args.sessionId);
    const changes: { status?: "active" | "idle"; opencodeSessionId?: string; lastActivity: number } = {
      lastActivity: Date.now(),
    };
    // A closed session stays closed: the worker reports its process stopping, not a reopening.
    if (args.status !== undefined && session.status !== "closed") {
      changes.status = args.status;
    }
    if (args.opencodeSessionId !== undefined) {
      changes.opencodeSessionId = requiredText("opencodeSessionId", args.opencodeSessionId, 256);
    }
    await ctx.db.patch(session._id, changes);
    return null;
  },
});

// ---- the web app's side -----------------------------------------------------------------------

export const create = mutation({
  args: { ...userCredentials, workerId: v.string(), title: v.union(v.string(), v.null()) },
  returns: v.string(),
  handler: async (ctx, args) => {
    const caller = await authenticateUser(ctx, args.accessKey);
    const { worker } = await userWorker(ctx, caller, args.workerId);
    const title = args.title === null || args.title.trim() === "" ? null : boundedText("title", args.title.trim(), 200);
    const now = Date.now();
    return await ctx.db.insert("sessions", {
      machine: worker.machine,
      worker: worker._id,
      title,
      preview: null,
      status: "idle",
      opencodeSessionId: null,
      lastActivity: now,
      createdAt: now,
    });
  },
});

export const list = query({
  args: { ...userCredentials, workerId: v.string() },
  returns: v.array(sessionView),
  handler: async (ctx, args) => {
    const caller = await authenticateUser(ctx, args.accessKey);
    const { worker } = await userWorker(ctx, caller, args.workerId);
    const sessions = await ctx.db
      .query("sessions")
      .withIndex("by_worker_lastActivity", (q) => q.eq("worker", worker._id))
      .order("desc")
      .collect();
    return sessions.map((session) => ({
      sessionId: session._id,
      workerId: session.worker,
      title: session.title ?? session.preview,
      status: session.status,
      opencodeSessionId: session.opencodeSessionId,
      lastActivity: session.lastActivity,
      createdAt: session.createdAt,
    }));
  },
});

export const close = mutation({
  args: { ...userCredentials, sessionId: v.string() },
  returns: v.null(),
  handler: async (ctx, args) => {
    const caller = await authenticateUser(ctx, args.accessKey);
    const { session } = await userSession(ctx, caller, args.sessionId);
    for (const status of ["pending", "claimed"] as const) {
      const open = await ctx.db
        .query("messages")
        .withIndex("by_session_status", (q) => q.eq("session", session._id).eq("status", status))
        .collect();
      for (const message of open) {
        await ctx.db.patch(
          message._id,
          status === "pending" ? { status: "cancelled", ...FINISHED } : { cancelRequested: true },
        );
      }
    }
    await ctx.db.patch(session._id, { status: "closed", lastActivity: Date.now() });
    return null;
  },
});
