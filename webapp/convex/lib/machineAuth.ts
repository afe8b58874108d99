import type { Doc, Id } from "../_generated/dataModel";
import type { QueryCtx } from "../_generated/server";
import { refuse, unauthorized } from "./errors";
import { digestsEqual, MACHINE_ID_FORMAT, SECRET_FORMAT, sha256Hex } from "./secrets";

/** Compared against when the machine is unknown, so that both paths hash and compare alike. */
const NO_MACHINE_HASH = "0".repeat(64);

/**
 * The worker's credentials: the secret is checked first, in constant time against its stored
 * SHA-256, so a wrong one is UNAUTHORIZED whatever else is wrong.
 */
export async function authenticateMachine(
  ctx: QueryCtx,
  machineId: string | undefined,
  secret: string | undefined,
): Promise<Doc<"machines">> {
  const wellFormed =
    machineId !== undefined && secret !== undefined && MACHINE_ID_FORMAT.test(machineId) && SECRET_FORMAT.test(secret);
  const machine = wellFormed
    ? await ctx.db
        .query("machines")
        .withIndex("by_machineId", (q) => q.eq("machineId", machineId))
        .unique()
    : null;
  const offered = await sha256Hex(wellFormed ? secret : "");
  const matches = digestsEqual(offered, machine?.secretHash ?? NO_MACHINE_HASH);
  if (machine === null || !matches) {
    unauthorized("unknown machine or wrong secret");
  }
  return machine;
}

/** Authenticates, then checks the instance: a superseded instance always hears SUPERSEDED. */
export async function authorizeInstance(
  ctx: QueryCtx,
  args: { machineId?: string; secret?: string; instanceId: string },
): Promise<Doc<"machines">> {
  const machine = await authenticateMachine(ctx, args.machineId, args.secret);
  if (machine.instanceId === null) {
    refuse("INVALID_ARGUMENT", "this instance has not called machines:connect");
  }
  if (machine.instanceId !== args.instanceId) {
    refuse(
      "SUPERSEDED",
      `another worker connected with this machine token from ${machine.hostname ?? "another host"}`,
    );
  }
  return machine;
}

type Owned = "workers" | "sessions" | "messages";
const KIND: Record<Owned, string> = { workers: "worker", sessions: "session", messages: "message" };

/** The record named by an id the worker sent, if it exists and belongs to this machine; else UNAUTHORIZED. */
export async function machineRecord<T extends Owned>(
  ctx: QueryCtx,
  machine: Doc<"machines">,
  table: T,
  id: string,
): Promise<Doc<T>> {
  const record = await findMachineRecord(ctx, machine, table, id);
  if (record === "absent" || record === "foreign") {
    unauthorized(`this ${KIND[table]} is not one of this machine's`);
  }
  return record;
}

/** Like {@link machineRecord}, but tells an absent record (deleted, or never existed) from a foreign one. */
export async function findMachineRecord<T extends Owned>(
  ctx: QueryCtx,
  machine: Doc<"machines">,
  table: T,
  id: string,
): Promise<Doc<T> | "absent" | "foreign"> {
  const normalized = ctx.db.normalizeId(table, id);
  if (normalized === null) {
    return "foreign";
  }
  const record = (await ctx.db.get(normalized as Id<T>)) as Doc<T> | null;
  if (record === null) {
    return "absent";
  }
  const owners = record as unknown as { machine: Id<"machines">; worker?: Id<"workers"> };
  if (owners.machine !== machine._id) {
    return "foreign";
  }
  // A removed worker's records are deleted in batches after it; until then they are gone already.
  if (owners.worker !== undefined && (await ctx.db.get(owners.worker)) === null) {
    return "absent";
  }
  return record;
}
