import type { Doc, Id } from "../_generated/dataModel";
import type { MutationCtx, QueryCtx } from "../_generated/server";
import { isHighSurrogate, KIB, utf8Length } from "./text";

export type Usage = { inputTokens: number; outputTokens: number; cost: number };
export type Reply = { content: string; reasoning: string | null; parts: string | null; usage: Usage | null };
type Field = "content" | "reasoning" | "parts";

/**
 * A document holds at most 1 MiB. A message's own content is at most 256 KiB, so a reply whose
 * texts total up to this many UTF-8 bytes stays inline; a larger one is stored in pieces.
 */
const INLINE_REPLY_BYTES = 384 * KIB;
/** Characters per piece: at most 3 UTF-8 bytes each (a surrogate pair is 4 bytes for 2), so < 512 KiB. */
const PIECE_CHARS = 170_000;

export async function storeReply(ctx: MutationCtx, message: Id<"messages">, reply: Reply): Promise<Doc<"messages">["reply"]> {
  const inlineBytes = utf8Length(reply.content) + utf8Length(reply.reasoning ?? "") + utf8Length(reply.parts ?? "");
  if (inlineBytes <= INLINE_REPLY_BYTES) {
    return { ...reply, split: false };
  }
  await storePieces(ctx, message, "content", reply.content);
  await storePieces(ctx, message, "reasoning", reply.reasoning);
  await storePieces(ctx, message, "parts", reply.parts);
  return {
    content: "",
    reasoning: reply.reasoning === null ? null : "",
    parts: reply.parts === null ? null : "",
    usage: reply.usage,
    split: true,
  };
}

async function storePieces(ctx: MutationCtx, message: Id<"messages">, field: Field, text: string | null) {
  if (text === null) {
    return;
  }
  let index = 0;
  for (let start = 0; start < text.length; index++) {
    let end = Math.min(start + PIECE_CHARS, text.length);
    if (end < text.length && isHighSurrogate(text.charCodeAt(end - 1))) {
      end--;
    }
    await ctx.db.insert("replyPieces", { message, field, index, text: text.slice(start, end) });
    start = end;
  }
}

/** The whole reply of a message, joined from its pieces when it was stored split. */
export async function readReply(ctx: QueryCtx, message: Doc<"messages">): Promise<Reply | null> {
  const stored = message.reply;
  if (stored === null) {
    return null;
  }
  if (!stored.split) {
    return { content: stored.content, reasoning: stored.reasoning, parts: stored.parts, usage: stored.usage };
  }
  const joined = async (field: Field) => {
    const pieces = await ctx.db
      .query("replyPieces")
      .withIndex("by_message_field_index", (q) => q.eq("message", message._id).eq("field", field))
      .collect();
    return pieces.map((piece) => piece.text).join("");
  };
  return {
    content: await joined("content"),
    reasoning: stored.reasoning === null ? null : await joined("reasoning"),
    parts: stored.parts === null ? null : await joined("parts"),
    usage: stored.usage,
  };
}
