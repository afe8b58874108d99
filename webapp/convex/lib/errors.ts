import { ConvexError } from "convex/values";

/** The contract's application error codes; every refusal is a ConvexError with `{code, message}`. */
export type ErrorCode = "UNAUTHORIZED" | "SUPERSEDED" | "LEASE_LOST" | "NOT_FOUND" | "INVALID_ARGUMENT";

export function refuse(code: ErrorCode, message: string): never {
  throw new ConvexError({ code, message });
}

export function unauthorized(message: string): never {
  return refuse("UNAUTHORIZED", message);
}

export function invalidArgument(message: string): never {
  return refuse("INVALID_ARGUMENT", message);
}
