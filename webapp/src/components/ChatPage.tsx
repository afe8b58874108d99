import { useMutation, usePaginatedQuery, useQuery } from "convex/react";
import { useEffect, useLayoutEffect, useRef, useState, type FormEvent, type KeyboardEvent } from "react";
import { fn, type MessageView } from "../lib/functions";
import { hrefOf, navigate } from "../lib/route";
import { sessionTitle } from "../lib/sessionTitle";
import { useSignedIn } from "../lib/session";
import { ago, useNow } from "../lib/time";
import { useCall } from "../lib/useCall";
import { ConfirmButton, ErrorText, StatusBadge } from "./bits";
import { Message } from "./Message";

const PAGE_SIZE = 20;

/** One chat session: its messages, newest at the bottom, and the box to write the next one. */
export function ChatPage({
  machineId,
  workerId,
  sessionId,
}: {
  machineId: string;
  workerId: string;
  sessionId: string;
}) {
  const { accessKey } = useSignedIn();
  const machine = useQuery(fn.listMachines, { accessKey })?.find((m) => m.machineId === machineId);
  const worker = useQuery(fn.listWorkers, { accessKey, machineId })?.find((w) => w.workerId === workerId);
  const session = useQuery(fn.listSessions, { accessKey, workerId })?.find((s) => s.sessionId === sessionId);
  const { results, status, loadMore } = usePaginatedQuery(
    fn.listMessages,
    { accessKey, sessionId },
    { initialNumItems: PAGE_SIZE },
  );
  const messages = [...results].reverse();
  const running = messages.filter((m) => m.status === "pending" || m.status === "claimed");
  const machineOnline = machine?.status === "online";
  const closed = session?.status === "closed";
  const now = useNow();

  return (
    <div className="chat-layout">
      <SessionsSidebar machineId={machineId} workerId={workerId} currentSessionId={sessionId} />
      <main className="chat">
        <header className="chat-head">
          <nav className="crumbs" aria-label="Breadcrumb">
            <a href="#/">Machines</a> <span aria-hidden="true">›</span>{" "}
            <a href={hrefOf({ page: "machine", machineId })}>{machine?.name ?? "machine"}</a>{" "}
            <span aria-hidden="true">›</span> <span>{worker?.name ?? "worker"}</span>
          </nav>
          <div className="chat-title">
            <h1 title={session ? sessionTitle(session) : undefined}>{session ? sessionTitle(session) : "Session"}</h1>
            {session && <StatusBadge status={session.status} />}
            {session && !closed && <CloseSession sessionId={sessionId} machineId={machineId} />}
          </div>
          {machine && !machineOnline && (
            <p className="banner warn" role="status">
              {machine.name} is offline
              {machine.lastHeartbeat !== null
                ? ` (last seen ${ago(machine.lastHeartbeat, now)})`
                : " (never connected)"}
              : messages wait until its worker is running again.
            </p>
          )}
          {worker?.status === "error" && (
            <p className="banner error" role="status">
              Worker {worker.name} cannot run: {worker.error}
            </p>
          )}
        </header>
        <MessageLog
          messages={messages}
          machineOnline={machineOnline}
          canLoadMore={status === "CanLoadMore"}
          loadingMore={status === "LoadingMore"}
          loading={status === "LoadingFirstPage"}
          onLoadMore={() => loadMore(PAGE_SIZE)}
        />
        {closed ? (
          <p className="composer muted">This session is closed. Start a new session from the machine's page.</p>
        ) : (
          <Composer sessionId={sessionId} running={running} />
        )}
      </main>
    </div>
  );
}

/** On wide screens, the worker's other sessions beside the chat, to switch or start one. */
function SessionsSidebar({
  machineId,
  workerId,
  currentSessionId,
}: {
  machineId: string;
  workerId: string;
  currentSessionId: string;
}) {
  const { accessKey } = useSignedIn();
  const sessions = useQuery(fn.listSessions, { accessKey, workerId });
  const createSession = useMutation(fn.createSession);
  const { run, error, busy } = useCall();
  const now = useNow();

  async function newSession() {
    const sessionId = await run(() => createSession({ accessKey, workerId, title: null }));
    if (sessionId) navigate({ page: "chat", machineId, workerId, sessionId });
  }

  return (
    <aside className="chat-sidebar" aria-label="Sessions of this worker">
      <button type="button" className="primary" onClick={newSession} disabled={busy}>
        New session
      </button>
      <ErrorText error={error} />
      <ul className="sessions">
        {(sessions ?? []).map((session) => (
          <li key={session.sessionId}>
            <a
              href={hrefOf({ page: "chat", machineId, workerId, sessionId: session.sessionId })}
              aria-current={session.sessionId === currentSessionId ? "page" : undefined}
            >
              <span className="session-title">{sessionTitle(session)}</span>
              <span className="muted small">{ago(session.lastActivity, now)}</span>
            </a>
          </li>
        ))}
      </ul>
    </aside>
  );
}

function CloseSession({ sessionId, machineId }: { sessionId: string; machineId: string }) {
  const { accessKey } = useSignedIn();
  const close = useMutation(fn.closeSession);
  const { run, error, busy } = useCall();
  return (
    <>
      <ConfirmButton
        label="Close session"
        question="Close this session? Replies still running are stopped."
        confirmLabel="Close"
        busy={busy}
        onConfirm={async () => {
          const done = await run(async () => {
            await close({ accessKey, sessionId });
            return true;
          });
          if (done) navigate({ page: "machine", machineId });
        }}
      />
      <ErrorText error={error} />
    </>
  );
}

function MessageLog({
  messages,
  machineOnline,
  canLoadMore,
  loadingMore,
  loading,
  onLoadMore,
}: {
  messages: MessageView[];
  machineOnline: boolean;
  canLoadMore: boolean;
  loadingMore: boolean;
  loading: boolean;
  onLoadMore: () => void;
}) {
  const logRef = useRef<HTMLDivElement>(null);
  const pinnedToBottom = useStickToBottom(logRef);
  const lastId = messages[messages.length - 1]?.messageId;

  // A message the user just sent scrolls into view even when they had scrolled up.
  useLayoutEffect(() => {
    pinnedToBottom.current = true;
    const log = logRef.current;
    if (log) log.scrollTop = log.scrollHeight;
  }, [lastId, pinnedToBottom]);

  return (
    <div className="log" role="log" aria-label="Messages" ref={logRef}>
      {canLoadMore && (
        <button type="button" className="quiet load-older" onClick={onLoadMore}>
          Load older messages
        </button>
      )}
      {loadingMore && <p className="muted small center">Loading older messages…</p>}
      {loading && <p className="muted center">Loading messages…</p>}
      {!loading && messages.length === 0 && (
        <p className="muted center">No messages yet. Ask the assistant something about this worker's directory.</p>
      )}
      <ol className="exchanges">
        {messages.map((message) => (
          <Message key={message.messageId} message={message} machineOnline={machineOnline} />
        ))}
      </ol>
    </div>
  );
}

/** Keeps the log scrolled to the bottom while content grows, unless the user scrolled up. */
function useStickToBottom(ref: React.RefObject<HTMLDivElement | null>) {
  const pinned = useRef(true);
  useEffect(() => {
    const log = ref.current;
    if (!log) return;
    const onScroll = () => {
      pinned.current = log.scrollHeight - log.scrollTop - log.clientHeight < 48;
    };
    log.addEventListener("scroll", onScroll);
    if (typeof ResizeObserver === "undefined" || typeof MutationObserver === "undefined") {
      return () => log.removeEventListener("scroll", onScroll);
    }
    const follow = () => {
      if (pinned.current) log.scrollTop = log.scrollHeight;
    };
    const mutations = new MutationObserver(follow);
    mutations.observe(log, { childList: true, subtree: true, characterData: true });
    return () => {
      log.removeEventListener("scroll", onScroll);
      mutations.disconnect();
    };
  }, [ref]);
  return pinned;
}

function Composer({ sessionId, running }: { sessionId: string; running: MessageView[] }) {
  const { accessKey } = useSignedIn();
  const send = useMutation(fn.sendMessage);
  const cancel = useMutation(fn.cancelMessage);
  const [content, setContent] = useState("");
  const [model, setModel] = useState("");
  const [showModel, setShowModel] = useState(false);
  const { run, error, busy } = useCall();
  const stopping = running.length > 0 && running.every((m) => m.cancelRequested);

  async function submit(event?: FormEvent) {
    event?.preventDefault();
    if (content.trim() === "" || busy) return;
    const text = content;
    setContent("");
    const sent = await run(() =>
      send({ accessKey, sessionId, content: text, model: model.trim() === "" ? null : model.trim() }),
    );
    if (sent === undefined) setContent(text);
  }

  function onKeyDown(event: KeyboardEvent<HTMLTextAreaElement>) {
    if (event.key === "Enter" && !event.shiftKey && !event.nativeEvent.isComposing) {
      event.preventDefault();
      void submit();
    }
  }

  async function stop() {
    await run(async () => {
      for (const message of running) {
        await cancel({ accessKey, messageId: message.messageId });
      }
      return true;
    });
  }

  return (
    <form className="composer" onSubmit={submit}>
      <ErrorText error={error} />
      {showModel && (
        <label className="field inline">
          <span>Model</span>
          <input
            className="mono"
            value={model}
            onChange={(e) => setModel(e.target.value)}
            placeholder="provider/model (empty: OpenCode's default)"
            autoCapitalize="off"
            spellCheck={false}
          />
        </label>
      )}
      <div className="composer-row">
        <textarea
          aria-label="Message"
          placeholder="Ask the assistant…"
          value={content}
          rows={2}
          onChange={(e) => setContent(e.target.value)}
          onKeyDown={onKeyDown}
        />
        <div className="composer-buttons">
          {running.length > 0 && (
            <button type="button" className="danger" onClick={stop} disabled={stopping}>
              Stop
            </button>
          )}
          <button type="submit" className="primary" disabled={content.trim() === ""}>
            Send
          </button>
        </div>
      </div>
      <div className="composer-hints">
        <button type="button" className="link small" onClick={() => setShowModel((v) => !v)} aria-expanded={showModel}>
          {showModel ? "Hide model" : model.trim() ? `Model: ${model.trim()}` : "Choose model"}
        </button>
        <span className="muted small">Enter sends · Shift+Enter new line</span>
      </div>
    </form>
  );
}
