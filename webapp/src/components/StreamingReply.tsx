import { useQueries } from "convex/react";
import { useEffect, useMemo, useState } from "react";
import { CHUNK_WINDOW, fn, type Chunk } from "../lib/functions";
import { segmentsOf } from "../lib/segments";
import { useSignedIn } from "../lib/session";
import { ReplyView } from "./ReplyView";

/**
 * The running reply of one attempt, read by windows of CHUNK_WINDOW sequences: window k is
 * subscribed only once window k-1 is full, so a new chunk re-sends one window, never the reply.
 */
export function StreamingReply({ messageId, attempt }: { messageId: string; attempt: number }) {
  const { accessKey } = useSignedIn();
  const [windowCount, setWindowCount] = useState(1);

  const requests = useMemo(() => {
    const byWindow: Record<string, { query: typeof fn.chunks; args: ReturnType<typeof chunkArgs> }> = {};
    for (let k = 0; k < windowCount; k++) {
      byWindow[String(k)] = { query: fn.chunks, args: chunkArgs({ accessKey, messageId, attempt, k }) };
    }
    return byWindow;
  }, [accessKey, messageId, attempt, windowCount]);
  const results = useQueries(requests) as Record<string, Chunk[] | Error | undefined>;

  const lastWindow = results[String(windowCount - 1)];
  const lastIsFull = Array.isArray(lastWindow) && lastWindow.length >= CHUNK_WINDOW;
  useEffect(() => {
    if (lastIsFull) {
      setWindowCount((count) => count + 1);
    }
  }, [lastIsFull]);

  const chunks: Chunk[] = [];
  for (let k = 0; k < windowCount; k++) {
    const window = results[String(k)];
    if (window instanceof Error) {
      throw window;
    }
    if (window) {
      chunks.push(...window);
    }
  }
  const segments = segmentsOf(chunks);
  if (segments.length === 0) {
    return <p className="muted small working">Working…</p>;
  }
  return <ReplyView segments={segments} streaming />;
}

function chunkArgs({
  accessKey,
  messageId,
  attempt,
  k,
}: {
  accessKey: string;
  messageId: string;
  attempt: number;
  k: number;
}) {
  return { accessKey, messageId, attempt, fromSequence: k * CHUNK_WINDOW };
}
