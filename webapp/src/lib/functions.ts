import { makeFunctionReference } from "convex/server";
import type { PaginationOptions, PaginationResult } from "convex/server";

// The web app's side of the backend contract, typed here so the app depends on the contract
// (docs: "The web app's side") rather than on one implementation's generated code.

export type MachineView = {
  machineId: string;
  name: string;
  status: "online" | "offline";
  lastHeartbeat: number | null;
  hostname: string | null;
  version: string | null;
  platform: string | null;
  rootDirectory: string | null;
  createdAt: number;
};

export type WorkerView = {
  workerId: string;
  name: string;
  directory: string;
  status: "pending" | "ready" | "error";
  error: string | null;
  createdAt: number;
};

export type SessionView = {
  sessionId: string;
  workerId: string;
  title: string | null;
  status: "active" | "idle" | "closed";
  opencodeSessionId: string | null;
  lastActivity: number;
  createdAt: number;
};

export type Usage = { inputTokens: number; outputTokens: number; cost: number };

export type MessageStatus = "pending" | "claimed" | "completed" | "failed" | "cancelled";

export type MessageView = {
  messageId: string;
  sessionId: string;
  content: string;
  model: string | null;
  createdAt: number;
  status: MessageStatus;
  attempt: number;
  cancelRequested: boolean;
  error: string | null;
  retryable: boolean | null;
  reply: { content: string; reasoning: string | null; parts: string | null; usage: Usage | null } | null;
};

export type ChunkKind = "text" | "reasoning" | "tool";
export type Chunk = { sequence: number; kind: ChunkKind; text: string };

// eslint-disable-next-line @typescript-eslint/no-empty-object-type
type Keyed<T = {}> = T & { accessKey: string };

export const fn = {
  whoami: makeFunctionReference<"query", Keyed, { user: string; label: string }>("access:whoami"),

  listMachines: makeFunctionReference<"query", Keyed, MachineView[]>("machines:list"),
  createMachine: makeFunctionReference<"mutation", Keyed<{ name: string }>, { machineId: string; token: string }>(
    "machines:create",
  ),
  rotateToken: makeFunctionReference<"mutation", Keyed<{ machineId: string }>, { token: string }>(
    "machines:rotateToken",
  ),
  removeMachine: makeFunctionReference<"mutation", Keyed<{ machineId: string }>, null>("machines:remove"),

  listWorkers: makeFunctionReference<"query", Keyed<{ machineId: string }>, WorkerView[]>("workers:list"),
  createWorker: makeFunctionReference<
    "mutation",
    Keyed<{ machineId: string; name: string; directory: string }>,
    string
  >("workers:create"),
  removeWorker: makeFunctionReference<"mutation", Keyed<{ workerId: string }>, null>("workers:remove"),

  listSessions: makeFunctionReference<"query", Keyed<{ workerId: string }>, SessionView[]>("sessions:list"),
  createSession: makeFunctionReference<"mutation", Keyed<{ workerId: string; title: string | null }>, string>(
    "sessions:create",
  ),
  closeSession: makeFunctionReference<"mutation", Keyed<{ sessionId: string }>, null>("sessions:close"),

  sendMessage: makeFunctionReference<
    "mutation",
    Keyed<{ sessionId: string; content: string; model: string | null }>,
    string
  >("messages:send"),
  listMessages: makeFunctionReference<
    "query",
    Keyed<{ sessionId: string; paginationOpts: PaginationOptions }>,
    PaginationResult<MessageView>
  >("messages:list"),
  chunks: makeFunctionReference<"query", Keyed<{ messageId: string; attempt: number; fromSequence: number }>, Chunk[]>(
    "messages:chunks",
  ),
  cancelMessage: makeFunctionReference<"mutation", Keyed<{ messageId: string }>, null>("messages:cancel"),
  retryMessage: makeFunctionReference<"mutation", Keyed<{ messageId: string }>, string>("messages:retry"),
};

/** Chunks per `messages:chunks` window: the contract's page size. */
export const CHUNK_WINDOW = 100;
