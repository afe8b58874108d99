import { v } from "convex/values";

// Credentials are optional in the validators so that a missing one answers UNAUTHORIZED, as a
// wrong one does, instead of an argument validation error.

/** Queries of the worker. */
export const machineCredentials = { machineId: v.optional(v.string()), secret: v.optional(v.string()) };

/** Mutations of the worker (`auth` in the contract). */
export const instanceCredentials = { ...machineCredentials, instanceId: v.string() };

/** Every function of the web app. */
export const userCredentials = { accessKey: v.optional(v.string()) };
