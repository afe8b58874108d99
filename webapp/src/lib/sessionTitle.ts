import type { SessionView } from "./functions";

/** A session's title; the backend fills it from the first message, so only a new one has none. */
export function sessionTitle(session: SessionView): string {
  return session.title && session.title.trim() !== "" ? session.title : "Untitled session";
}
