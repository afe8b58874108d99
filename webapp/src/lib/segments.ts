import type { Chunk, ChunkKind, MessageView } from "./functions";

/** A run of one kind of output: text (markdown), reasoning, or tool status lines. */
export type Segment = { kind: ChunkKind; text: string };

/** Joins consecutive chunks of one kind; chunks must be in sequence order. */
export function segmentsOf(chunks: readonly Chunk[]): Segment[] {
  const segments: Segment[] = [];
  for (const chunk of chunks) {
    const last = segments[segments.length - 1];
    if (last && last.kind === chunk.kind) {
      last.text += chunk.text;
    } else {
      segments.push({ kind: chunk.kind, text: chunk.text });
    }
  }
  return segments;
}

type Part = {
  type?: string;
  text?: string;
  ignored?: boolean;
  tool?: string;
  state?: { status?: string; input?: Record<string, unknown>; error?: string };
};

/**
 * The segments of a finished reply: in OpenCode's order from its parts when they carry the same
 * text as the stored content, else reasoning, tool lines and content.
 */
export function replySegments(reply: NonNullable<MessageView["reply"]>): Segment[] {
  const parts = parseParts(reply.parts);
  const fromParts: Segment[] = [];
  let partText = "";
  for (const part of parts) {
    if (part.ignored) continue;
    if (part.type === "text" && part.text) {
      partText += part.text;
      fromParts.push({ kind: "text", text: part.text });
    } else if (part.type === "reasoning" && part.text) {
      fromParts.push({ kind: "reasoning", text: part.text });
    } else if (part.type === "tool") {
      fromParts.push({ kind: "tool", text: toolLine(part) + "\n" });
    }
  }
  if (fromParts.length > 0 && partText.trim() === reply.content.trim()) {
    return segmentsOf(fromParts.map((segment, sequence) => ({ ...segment, sequence })));
  }
  const tools = fromParts.filter((segment) => segment.kind === "tool");
  const segments: Segment[] = [];
  if (reply.reasoning) segments.push({ kind: "reasoning", text: reply.reasoning });
  segments.push(...segmentsOf(tools.map((segment, sequence) => ({ ...segment, sequence }))));
  if (reply.content) segments.push({ kind: "text", text: reply.content });
  return segments;
}

function parseParts(parts: string | null): Part[] {
  if (!parts) return [];
  try {
    const parsed: unknown = JSON.parse(parts);
    return Array.isArray(parsed) ? (parsed.filter((p) => p && typeof p === "object") as Part[]) : [];
  } catch {
    return [];
  }
}

function toolLine(part: Part): string {
  const input = part.state?.input ?? {};
  const subjectField = ["filePath", "command", "pattern", "url", "description"].find(
    (field) => typeof input[field] === "string" && (input[field] as string).trim() !== "",
  );
  const subject = subjectField ? `${part.tool ?? "tool"} ${input[subjectField] as string}` : (part.tool ?? "tool");
  const status = part.state?.status ?? "pending";
  if (status === "error") {
    return `${subject}: error: ${(part.state?.error ?? "").split("\n")[0]}`;
  }
  return `${subject}: ${status}`;
}
