import { cronJobs } from "convex/server";
import { internal } from "./_generated/api";

const crons = cronJobs();

// The safety net of offline detection: every 30 s, the default heartbeat interval, so a machine
// shows offline at most one interval after its 3 × interval of silence even if its own scheduled
// check (machines.ts, `checkOffline`, exact to the millisecond) was lost.
crons.interval("mark silent machines offline", { seconds: 30 }, internal.machines.markOffline);

export default crons;
