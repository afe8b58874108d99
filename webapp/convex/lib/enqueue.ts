import type { Doc } from "../_generated/dataModel";
import type { MutationCtx } from "../_generated/server";
import { invalidArgument } from "./errors";
import { KIB, MAX_MESSAGE_CONTENT_BYTES, truncate, utf8Length } from "./text";

const PREVIEW_CHARS = 60;
const MODEL_FORMAT = /^[^/\s]+\/\S+$/;
const MAX_MODEL_CHARS = 200;

/** Adds a user message to a session's queue, after the checks of `messages:send` (and `retry`). */
export async function enqueue(
  ctx: MutationCtx,
  session: Doc<"sessions">,
  content: string,
  model: string | null,
): Promise<string> {
  if (content.trim() === "") {
    invalidArgument("the message is empty");
  }
  const bytes = utf8Length(content);
  if (bytes > MAX_MESSAGE_CONTENT_BYTES) {
    invalidArgument(`the message is ${Math.ceil(bytes / KIB)} KiB; at most 256 KiB (UTF-8) can be sent`);
  }
  if (model !== null && (model.length > MAX_MODEL_CHARS || !MODEL_FORMAT.test(model))) {
    invalidArgument(`model must be "provider/model", e.g. "openai/gpt-4o", not "${truncate(model, 100)}"`);
  }
  if (session.status === "closed") {
    invalidArgument("this session is closed; start a new one");
  }
  const now = Date.now();
  const messageId = await ctx.db.insert("messages", {
    machine: session.machine,
    worker: session.worker,
    session: session._id,
    content,
    model,
    createdAt: now,
    status: "pending",
    claimedBy: null,
    leaseExpiresAt: null,
    attempt: 0,
    cancelRequested: false,
    error: null,
    retryable: null,
    reply: null,
  });
  await ctx.db.patch(session._id, {
    lastActivity: now,
    ...(session.title === null && session.preview === null ? { preview: truncate(content, PREVIEW_CHARS) } : {}),
  });
  return messageId;
}
