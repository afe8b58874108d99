import { v } from "convex/values";
import { internal } from "./_generated/api";
import type { Doc } from "./_generated/dataModel";
import { internalMutation, mutation, query, type MutationCtx } from "./_generated/server";
import { instanceCredentials, machineCredentials, userCredentials } from "./lib/args";
import { releaseClaims } from "./lib/claims";
import { authenticateMachine, authorizeInstance } from "./lib/machineAuth";
import { newMachineId, newMachineSecret, sha256Hex } from "./lib/secrets";
import { heartbeatIntervalMs, leaseMs, offlineAfterMs } from "./lib/settings";
import { boundedText, requiredText } from "./lib/text";
import { authenticateUser, userMachine } from "./lib/userAuth";
import { machineView, stateSession, stateWorker } from "./lib/views";

// ---- the worker's side ------------------------------------------------------------------------

export const connect = mutation({
  args: {
    ...instanceCredentials,
    version: v.string(),
    hostname: v.string(),
    platform: v.string(),
    rootDirectory: v.string(),
  },
  returns: v.object({ machineName: v.string(), heartbeatIntervalMs: v.number(), leaseMs: v.number() }),
  handler: async (ctx, args) => {
    const machine = await authenticateMachine(ctx, args.machineId, args.secret);
    const instanceId = requiredText("instanceId", args.instanceId, 128);
    const reported = {
      version: boundedText("version", args.version, 200),
      hostname: boundedText("hostname", args.hostname, 255),
      platform: boundedText("platform", args.platform, 200),
      rootDirectory: boundedText("rootDirectory", args.rootDirectory, 4096),
    };
    // The newest connect wins: the earlier instance's claims go back at once.
    if (machine.instanceId !== null && machine.instanceId !== instanceId) {
      await releaseClaims(ctx, machine, machine.instanceId);
    }
    await ctx.db.patch(machine._id, {
      ...reported,
      instanceId,
      status: "online",
      lastHeartbeat: Date.now(),
    });
    await scheduleOfflineCheck(ctx, machine);
    return { machineName: machine.name, heartbeatIntervalMs: heartbeatIntervalMs(), leaseMs: leaseMs() };
  },
});

export const heartbeat = mutation({
  args: { ...instanceCredentials, runningSessions: v.number() },
  returns: v.object({ leaseExpiresAt: v.number() }),
  handler: async (ctx, args) => {
    const machine = await authorizeInstance(ctx, args);
    const now = Date.now();
    const leaseExpiresAt = now + leaseMs();
    await ctx.db.patch(machine._id, { status: "online", lastHeartbeat: now });
    const held = await ctx.db
      .query("messages")
      .withIndex("by_machine_claimedBy", (q) => q.eq("machine", machine._id).eq("claimedBy", args.instanceId))
      .collect();
    for (const message of held) {
      if (message.status === "claimed") {
        await ctx.db.patch(message._id, { leaseExpiresAt });
      }
    }
    await scheduleOfflineCheck(ctx, machine);
    return { leaseExpiresAt };
  },
});

export const disconnect = mutation({
  args: instanceCredentials,
  returns: v.null(),
  handler: async (ctx, args) => {
    const machine = await authorizeInstance(ctx, args);
    await releaseClaims(ctx, machine, args.instanceId);
    // The instance stays the current one: its next heartbeat brings the machine back.
    await ctx.db.patch(machine._id, { status: "offline" });
    return null;
  },
});

export const state = query({
  args: machineCredentials,
  returns: v.object({ workers: v.array(stateWorker), sessions: v.array(stateSession) }),
  handler: async (ctx, args) => {
    const machine = await authenticateMachine(ctx, args.machineId, args.secret);
    const workers = await ctx.db
      .query("workers")
      .withIndex("by_machine_name", (q) => q.eq("machine", machine._id))
      .collect();
    const live = new Set(workers.map((worker) => worker._id));
    const sessions = await ctx.db
      .query("sessions")
      .withIndex("by_machine", (q) => q.eq("machine", machine._id))
      .collect();
    return {
      workers: workers.map((worker) => ({
        workerId: worker._id,
        name: worker.name,
        directory: worker.directory,
        createdAt: worker.createdAt,
      })),
      // A removed worker's sessions are deleted in batches after it; they are gone already.
      sessions: sessions
        .filter((session) => live.has(session.worker))
        .map((session) => ({
          sessionId: session._id,
          workerId: session.worker,
          status: session.status,
          opencodeSessionId: session.opencodeSessionId,
          lastActivity: session.lastActivity,
        })),
    };
  },
});

// ---- offline detection --------------------------------------------------------------------------
//
// A query cannot see time pass, so "offline" is written. Two writers:
// - `checkOffline`, scheduled with `runAfter` by connect and heartbeat, at most one pending per
//   machine (it reschedules itself to the current deadline rather than one job per heartbeat).
//   It marks a machine offline exactly 3 × the heartbeat interval after its last heartbeat,
//   whatever interval the deployment's environment sets (a test deployment shortens it).
// - `markOffline`, the cron of crons.ts, every 30 s (the default heartbeat interval): a safety net
//   for a machine whose check was lost, e.g. data imported without its scheduled jobs.

async function scheduleOfflineCheck(ctx: MutationCtx, machine: Doc<"machines">): Promise<void> {
  if (!machine.offlineCheckPending) {
    await ctx.scheduler.runAfter(offlineAfterMs(), internal.machines.checkOffline, { machine: machine._id });
    await ctx.db.patch(machine._id, { offlineCheckPending: true });
  }
}

export const checkOffline = internalMutation({
  args: { machine: v.id("machines") },
  returns: v.null(),
  handler: async (ctx, args) => {
    const machine = await ctx.db.get(args.machine);
    if (machine === null) {
      return null;
    }
    await ctx.db.patch(machine._id, { offlineCheckPending: false });
    if (machine.status !== "online") {
      return null;
    }
    const deadline = (machine.lastHeartbeat ?? 0) + offlineAfterMs();
    const now = Date.now();
    if (now >= deadline) {
      await ctx.db.patch(machine._id, { status: "offline" });
    } else {
      await ctx.scheduler.runAfter(deadline - now, internal.machines.checkOffline, { machine: machine._id });
      await ctx.db.patch(machine._id, { offlineCheckPending: true });
    }
    return null;
  },
});

export const markOffline = internalMutation({
  args: {},
  returns: v.object({ markedOffline: v.number() }),
  handler: async (ctx) => {
    const silentSince = Date.now() - offlineAfterMs();
    const silent = await ctx.db
      .query("machines")
      .withIndex("by_status_lastHeartbeat", (q) => q.eq("status", "online").lt("lastHeartbeat", silentSince))
      .take(1000);
    for (const machine of silent) {
      await ctx.db.patch(machine._id, { status: "offline" });
    }
    return { markedOffline: silent.length };
  },
});

// ---- the web app's side -----------------------------------------------------------------------

function toView(machine: Doc<"machines">) {
  return {
    machineId: machine.machineId,
    name: machine.name,
    status: machine.status,
    lastHeartbeat: machine.lastHeartbeat,
    hostname: machine.hostname,
    version: machine.version,
    platform: machine.platform,
    rootDirectory: machine.rootDirectory,
    createdAt: machine.createdAt,
  };
}

export const create = mutation({
  args: { ...userCredentials, name: v.string() },
  returns: v.object({ machineId: v.string(), token: v.string() }),
  handler: async (ctx, args) => {
    const caller = await authenticateUser(ctx, args.accessKey);
    const name = requiredText("name", args.name, 100);
    let machineId = newMachineId();
    while (
      (await ctx.db
        .query("machines")
        .withIndex("by_machineId", (q) => q.eq("machineId", machineId))
        .first()) !== null
    ) {
      machineId = newMachineId();
    }
    const secret = newMachineSecret();
    await ctx.db.insert("machines", {
      machineId,
      user: caller.user._id,
      name,
      secretHash: await sha256Hex(secret),
      status: "offline",
      lastHeartbeat: null,
      instanceId: null,
      hostname: null,
      version: null,
      platform: null,
      rootDirectory: null,
      createdAt: Date.now(),
      offlineCheckPending: false,
    });
    return { machineId, token: `${machineId}:${secret}` };
  },
});

export const list = query({
  args: userCredentials,
  returns: v.array(machineView),
  handler: async (ctx, args) => {
    const caller = await authenticateUser(ctx, args.accessKey);
    const machines = await ctx.db
      .query("machines")
      .withIndex("by_user_name", (q) => q.eq("user", caller.user._id))
      .collect();
    return machines.map(toView);
  },
});

export const rotateToken = mutation({
  args: { ...userCredentials, machineId: v.string() },
  returns: v.object({ token: v.string() }),
  handler: async (ctx, args) => {
    const caller = await authenticateUser(ctx, args.accessKey);
    const machine = await userMachine(ctx, caller, args.machineId);
    const secret = newMachineSecret();
    await ctx.db.patch(machine._id, { secretHash: await sha256Hex(secret) });
    return { token: `${machine.machineId}:${secret}` };
  },
});

export const remove = mutation({
  args: { ...userCredentials, machineId: v.string() },
  returns: v.null(),
  handler: async (ctx, args) => {
    const caller = await authenticateUser(ctx, args.accessKey);
    const machine = await userMachine(ctx, caller, args.machineId);
    // Gone at once for the web app and the worker (every lookup starts at the machine); its
    // workers, sessions, messages and chunks are deleted in batches that fit a mutation's limits.
    await ctx.db.delete(machine._id);
    await ctx.scheduler.runAfter(0, internal.cleanup.purge, { scope: { machine: machine._id } });
    return null;
  },
});

