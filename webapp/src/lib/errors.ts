import { ConvexError } from "convex/values";

export type ErrorCode = "UNAUTHORIZED" | "SUPERSEDED" | "LEASE_LOST" | "NOT_FOUND" | "INVALID_ARGUMENT";

/** The `{code, message}` of a function's ConvexError, or null for any other error. */
export function appError(error: unknown): { code: string; message: string } | null {
  if (error instanceof ConvexError && error.data && typeof error.data === "object") {
    const data = error.data as { code?: unknown; message?: unknown };
    if (typeof data.code === "string") {
      return { code: data.code, message: typeof data.message === "string" ? data.message : data.code };
    }
  }
  return null;
}

export function isUnauthorized(error: unknown): boolean {
  return appError(error)?.code === "UNAUTHORIZED";
}

/** One line a person can act on, for any error a function call or the network raised. */
export function describeError(error: unknown): string {
  const app = appError(error);
  if (app) {
    if (app.code === "UNAUTHORIZED") {
      return "Not allowed: the access key was not accepted, or this item belongs to someone else.";
    }
    return app.message;
  }
  const text = error instanceof Error ? error.message : String(error);
  // Convex wraps server errors as "[CONVEX Q(fn)] [Request ID: …] Server Error\nUncaught Error: …":
  // keep the first line that says something.
  const useful = text
    .split("\n")
    .map((line) => line.replace(/^\s*(\[CONVEX [^\]]*\]\s*)?(\[Request ID: [^\]]*\]\s*)?/, "").trim())
    .find((line) => line !== "" && line !== "Server Error" && !line.startsWith("at "));
  return useful ?? "Something went wrong.";
}
