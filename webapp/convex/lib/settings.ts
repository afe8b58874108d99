/** Intervals the deployment chooses; a test deployment shortens them with environment variables. */

const DEFAULT_HEARTBEAT_INTERVAL_MS = 30_000;
const DEFAULT_LEASE_MS = 90_000;

function positiveWholeNumber(raw: string | undefined, fallback: number): number {
  if (raw === undefined || raw.trim() === "") {
    return fallback;
  }
  const value = Number(raw);
  return Number.isSafeInteger(value) && value > 0 ? value : fallback;
}

export function heartbeatIntervalMs(): number {
  return positiveWholeNumber(process.env.HEARTBEAT_INTERVAL_MS, DEFAULT_HEARTBEAT_INTERVAL_MS);
}

export function leaseMs(): number {
  return positiveWholeNumber(process.env.LEASE_MS, DEFAULT_LEASE_MS);
}

/** A machine shows offline once no heartbeat came for this long. */
export function offlineAfterMs(): number {
  return 3 * heartbeatIntervalMs();
}
