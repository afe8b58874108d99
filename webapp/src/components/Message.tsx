import { useMutation } from "convex/react";
import { memo } from "react";
import { fn, type MessageView } from "../lib/functions";
import { replySegments } from "../lib/segments";
import { useSignedIn } from "../lib/session";
import { useCall } from "../lib/useCall";
import { ErrorText } from "./bits";
import { ReplyView } from "./ReplyView";
import { StreamingReply } from "./StreamingReply";

/** One exchange: the user's message and the assistant's reply in whatever state it is. */
export const Message = memo(function Message({
  message,
  machineOnline,
}: {
  message: MessageView;
  machineOnline: boolean;
}) {
  return (
    <li className="exchange" data-status={message.status}>
      <div className="bubble user">
        <div className="user-text">{message.content}</div>
        {message.model && <div className="muted small">{message.model}</div>}
      </div>
      <div className="bubble assistant">
        <AssistantReply message={message} machineOnline={machineOnline} />
      </div>
    </li>
  );
}, sameMessage);

// A query update brings new objects for unchanged messages too: compare what is shown, so a
// long finished reply is not rendered again whenever another message changes.
function sameMessage(
  a: { message: MessageView; machineOnline: boolean },
  b: { message: MessageView; machineOnline: boolean },
): boolean {
  const x = a.message;
  const y = b.message;
  return (
    a.machineOnline === b.machineOnline &&
    x.messageId === y.messageId &&
    x.content === y.content &&
    x.model === y.model &&
    x.status === y.status &&
    x.attempt === y.attempt &&
    x.cancelRequested === y.cancelRequested &&
    x.error === y.error &&
    x.retryable === y.retryable &&
    sameReply(x.reply, y.reply)
  );
}

function sameReply(a: MessageView["reply"], b: MessageView["reply"]): boolean {
  return (
    a === b ||
    (a !== null &&
      b !== null &&
      a.content === b.content &&
      a.reasoning === b.reasoning &&
      a.parts === b.parts &&
      a.usage?.inputTokens === b.usage?.inputTokens &&
      a.usage?.outputTokens === b.usage?.outputTokens)
  );
}

function AssistantReply({ message, machineOnline }: { message: MessageView; machineOnline: boolean }) {
  switch (message.status) {
    case "pending":
      return (
        <p className="muted small">
          {message.cancelRequested
            ? "Stopping…"
            : machineOnline
              ? "Waiting for the worker…"
              : "Waiting: the machine is offline. The message is sent when its worker connects."}
        </p>
      );
    case "claimed":
      return (
        <>
          <StreamingReply key={message.attempt} messageId={message.messageId} attempt={message.attempt} />
          {message.cancelRequested && <p className="muted small">Stopping…</p>}
          {!machineOnline && (
            <p className="muted small">The machine went offline; the reply continues when it is back.</p>
          )}
        </>
      );
    case "completed":
      return (
        <>
          {message.reply && <FinishedReply reply={message.reply} />}
          {message.cancelRequested && <p className="ended stopped">Stopped</p>}
          {message.reply?.usage && message.reply.usage.inputTokens + message.reply.usage.outputTokens > 0 && (
            <p className="muted small usage">
              {message.reply.usage.inputTokens} in · {message.reply.usage.outputTokens} out tokens
            </p>
          )}
        </>
      );
    case "cancelled":
      return (
        <>
          {message.reply && <FinishedReply reply={message.reply} />}
          <p className="ended stopped">Stopped</p>
          <RetryButton message={message} />
        </>
      );
    case "failed":
      return (
        <>
          {message.reply && <FinishedReply reply={message.reply} />}
          <p className="ended failed">Failed: {message.error ?? "the reply failed"}</p>
          {message.retryable && <RetryButton message={message} />}
        </>
      );
  }
}

const FinishedReply = memo(
  function FinishedReply({ reply }: { reply: NonNullable<MessageView["reply"]> }) {
    return <ReplyView segments={replySegments(reply)} streaming={false} />;
  },
  (a, b) => sameReply(a.reply, b.reply),
);

function RetryButton({ message }: { message: MessageView }) {
  const { accessKey } = useSignedIn();
  const retry = useMutation(fn.retryMessage);
  const { run, error, busy } = useCall();
  return (
    <>
      <button
        type="button"
        onClick={() => void run(() => retry({ accessKey, messageId: message.messageId }))}
        disabled={busy}
      >
        Retry
      </button>
      <ErrorText error={error} />
    </>
  );
}
