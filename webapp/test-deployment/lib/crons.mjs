// Runs the jobs of convex/crons.ts on real time (convex-test does not run crons). Interval jobs
// run every interval from the start; hourly, daily, weekly and monthly jobs at their UTC time.
// Cron-expression jobs are not supported and are reported at start.

const UNIT_MS = { seconds: 1_000, minutes: 60_000, hours: 3_600_000 };

function intervalMs(schedule) {
  for (const [unit, ms] of Object.entries(UNIT_MS)) if (schedule[unit] !== undefined) return schedule[unit] * ms;
  throw new Error("an interval needs seconds, minutes or hours");
}

/** Milliseconds until the next run of a calendar schedule, or null for one this server cannot run. */
function delayUntilNext(schedule, now = new Date()) {
  const next = new Date(now);
  next.setUTCSeconds(0, 0);
  switch (schedule.type) {
    case "hourly":
      next.setUTCMinutes(schedule.minuteUTC ?? 0);
      if (next <= now) next.setUTCHours(next.getUTCHours() + 1);
      break;
    case "daily":
    case "weekly":
    case "monthly":
      next.setUTCHours(schedule.hourUTC ?? 0, schedule.minuteUTC ?? 0);
      if (schedule.type === "monthly") next.setUTCDate(schedule.day ?? 1);
      while (next <= now) {
        if (schedule.type === "monthly") next.setUTCMonth(next.getUTCMonth() + 1);
        else next.setUTCDate(next.getUTCDate() + 1);
      }
      break;
    default:
      return null;
  }
  return next.getTime() - now.getTime();
}

export class CronRunner {
  #timers = [];

  /** Starts every job of `crons` (the default export of crons.ts); `run(name, args)` runs one. */
  constructor(crons, run, warn) {
    for (const [identifier, job] of Object.entries(crons?.crons ?? {})) {
      const fire = () => run(job.name, job.args[0] ?? {});
      if (job.schedule.type === "interval") {
        const timer = setInterval(fire, intervalMs(job.schedule));
        timer.unref();
        this.#timers.push(timer);
      } else if (delayUntilNext(job.schedule) === null) {
        warn(`cron job "${identifier}" (${job.schedule.type}) is not run by the test deployment`);
      } else {
        const again = () => {
          const timer = setTimeout(() => {
            fire();
            again();
          }, delayUntilNext(job.schedule));
          timer.unref();
          this.#timers.push(timer);
        };
        again();
      }
    }
  }

  stop() {
    for (const timer of this.#timers) clearTimeout(timer);
  }
}
