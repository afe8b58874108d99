import { v } from "convex/values";
import { internal } from "./_generated/api";
import { mutation, query } from "./_generated/server";
import { instanceCredentials, userCredentials } from "./lib/args";
import { invalidArgument } from "./lib/errors";
import { authorizeInstance, machineRecord } from "./lib/machineAuth";
import { requiredText, truncate } from "./lib/text";
import { authenticateUser, userMachine, userWorker } from "./lib/userAuth";
import { workerView } from "./lib/views";

const MAX_ERROR_CHARS = 4096;

// ---- the worker's side ------------------------------------------------------------------------

export const setStatus = mutation({
  args: {
    ...instanceCredentials,
    workerId: v.string(),
    status: v.union(v.literal("ready"), v.literal("error")),
    error: v.union(v.string(), v.null()),
  },
  returns: v.null(),
  handler: async (ctx, args) => {
    const machine = await authorizeInstance(ctx, args);
    const worker = await machineRecord(ctx, machine, "workers", args.workerId);
    await ctx.db.patch(worker._id, {
      status: args.status,
      error: args.status === "error" ? truncate(args.error ?? "unknown error", MAX_ERROR_CHARS) : null,
    });
    return null;
  },
});

// ---- the web app's side -----------------------------------------------------------------------

export const create = mutation({
  args: { ...userCredentials, machineId: v.string(), name: v.string(), directory: v.string() },
  returns: v.string(),
  handler: async (ctx, args) => {
    const caller = await authenticateUser(ctx, args.accessKey);
    const machine = await userMachine(ctx, caller, args.machineId);
    const name = requiredText("name", args.name, 100);
    const directory = requiredText("directory", args.directory, 4096);
    if (directory.includes("\0")) {
      invalidArgument("directory must not contain a NUL character");
    }
    return await ctx.db.insert("workers", {
      machine: machine._id,
      name,
      directory,
      status: "pending",
      error: null,
      createdAt: Date.now(),
    });
  },
});

export const list = query({
  args: { ...userCredentials, machineId: v.string() },
  returns: v.array(workerView),
  handler: async (ctx, args) => {
    const caller = await authenticateUser(ctx, args.accessKey);
    const machine = await userMachine(ctx, caller, args.machineId);
    const workers = await ctx.db
      .query("workers")
      .withIndex("by_machine_name", (q) => q.eq("machine", machine._id))
      .collect();
    return workers.map((worker) => ({
      workerId: worker._id,
      name: worker.name,
      directory: worker.directory,
      status: worker.status,
      error: worker.error,
      createdAt: worker.createdAt,
    }));
  },
});

export const remove = mutation({
  args: { ...userCredentials, workerId: v.string() },
  returns: v.null(),
  handler: async (ctx, args) => {
    const caller = await authenticateUser(ctx, args.accessKey);
    const { worker } = await userWorker(ctx, caller, args.workerId);
    // Gone at once (sessions and messages are reached through their worker); what was under it
    // is deleted in batches that fit a mutation's limits.
    await ctx.db.delete(worker._id);
    await ctx.scheduler.runAfter(0, internal.cleanup.purge, { scope: { worker: worker._id } });
    return null;
  },
});
