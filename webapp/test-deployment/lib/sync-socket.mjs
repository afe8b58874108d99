// The server side of one sync WebSocket: the client's query set and identity versions, what was last
// sent for each query, and an outbox that keeps messages in order (Transitions may be held back).
import { encodeTs, toWire } from "./wire.mjs";

const NO_AUTH_PROVIDER =
  "No auth provider found matching the given token (no providers configured). Check convex/auth.config.ts.";

export class SyncSocket {
  sessionId = null;
  #ws;
  #deployment;
  #clockSkew = null;
  #receivedQuerySet = 0;
  #identity = 0;
  #queries = new Map();
  #removed = [];
  #lastComputed = { querySet: 0, identity: 0, ts: 0n };
  #outbox = Promise.resolve();
  #lastSendAt = Date.now();
  #dead = false;

  constructor(ws, deployment) {
    this.#ws = ws;
    this.#deployment = deployment;
    ws.on("message", (data, isBinary) => this.#receive(data, isBinary));
    ws.on("close", () => this.#gone());
    ws.on("error", () => this.#gone());
  }

  get dead() {
    return this.#dead;
  }

  #receive(data, isBinary) {
    if (this.#dead) return;
    let message;
    try {
      if (isBinary) throw new Error("Unexpected message type");
      message = JSON.parse(data.toString("utf8"));
    } catch (error) {
      this.fatal(`Invalid message: ${error.message}`);
      return;
    }
    try {
      this.#handle(message);
    } catch (error) {
      this.fatal(error.message);
    }
  }

  #handle(message) {
    switch (message.type) {
      case "Connect":
        this.#connect(message);
        break;
      case "ModifyQuerySet":
        this.#modifyQuerySet(message);
        break;
      case "Mutation":
      case "Action":
        if (!("args" in message)) throw new Error(`${message.type} lacks args`);
        if (message.type === "Mutation") this.#deployment.socketMutation(this, message);
        else this.#deployment.socketAction(this, message);
        break;
      case "Authenticate":
        this.#authenticate(message);
        break;
      case "Event":
        break;
      default:
        throw new Error(`Unknown message type ${JSON.stringify(message.type)}`);
    }
  }

  #connect(message) {
    if (typeof message.sessionId !== "string" || !/^[0-9a-f-]{36}$/i.test(message.sessionId)) {
      throw new Error("Connect needs a sessionId UUID");
    }
    this.sessionId = message.sessionId;
    this.#clockSkew = typeof message.clientTs === "number" ? message.clientTs - Date.now() : null;
    const observed = message.maxObservedTimestamp;
    if (observed && Buffer.from(observed, "base64").readBigUInt64LE() > this.#deployment.clock.current) {
      this.drop(1011, "InternalServerError");
    }
  }

  #modifyQuerySet(message) {
    if (message.baseVersion !== this.#receivedQuerySet) {
      this.fatal(`Base version ${message.baseVersion} passed up doesn't match the current version ${this.#receivedQuerySet}`);
      return;
    }
    if (!(message.newVersion > message.baseVersion)) {
      this.fatal(`New version ${message.newVersion} must be greater than base version ${message.baseVersion}`);
      return;
    }
    for (const modification of message.modifications ?? []) {
      if (modification.type === "Add") {
        if (this.#queries.has(modification.queryId)) return this.drop(1011, "InternalServerError");
        this.#queries.set(modification.queryId, { path: modification.udfPath, args: modification.args, fingerprint: null, access: null });
      } else if (modification.type === "Remove") {
        if (!this.#queries.delete(modification.queryId)) return this.drop(1011, "InternalServerError");
        this.#removed.push(modification.queryId);
      } else {
        throw new Error(`Unknown query set modification ${JSON.stringify(modification.type)}`);
      }
    }
    this.#receivedQuerySet = message.newVersion;
    this.#deployment.refreshSocket(this);
  }

  #authenticate(message) {
    if (message.baseVersion !== this.#identity) {
      this.fatal(`Base identity version ${message.baseVersion} passed up doesn't match the current version ${this.#identity}`);
      return;
    }
    if (message.tokenType !== "None") {
      this.send({ type: "AuthError", error: NO_AUTH_PROVIDER, baseVersion: this.#identity, authUpdateAttempted: true });
      this.#closeAfterOutbox();
      return;
    }
    this.#identity++;
    for (const query of this.#queries.values()) query.fingerprint = null;
    this.#deployment.refreshSocket(this);
  }

  /**
   * Re-runs the socket's queries that the tables in `changed` (null: anything) may have changed, and
   * those never run (results shared through `cache` within one refresh), and queues a Transition
   * holding the changed ones; nothing when nothing moved, unless `force` (a client waits for a
   * Transition after each MutationResponse before it resolves the mutation). Call inside the
   * executor's queue.
   */
  async computeTransition(cache, ts, force = false, changed = null) {
    if (this.#dead || this.#deployment.faults.silent) return;
    const modifications = [];
    for (const [queryId, query] of [...this.#queries.entries()].sort((a, b) => a[0] - b[0])) {
      if (query.fingerprint !== null && query.access && !query.access.dependsOn(changed)) continue;
      const key = `${query.path}\u0000${JSON.stringify(query.args)}`;
      if (!cache.has(key)) cache.set(key, await this.#deployment.runClientQuery(query.path, query.args));
      const outcome = cache.get(key);
      query.access = outcome.access ?? null;
      const modification = outcome.ok
        ? { type: "QueryUpdated", queryId, value: outcome.json, logLines: [], journal: null }
        : { type: "QueryFailed", queryId, errorMessage: outcome.message, logLines: [], journal: null, ...(outcome.data !== undefined ? { errorData: toWire(outcome.data) } : {}) };
      const fingerprint = JSON.stringify(outcome.ok ? outcome.json : [outcome.message, modification.errorData]);
      if (fingerprint === query.fingerprint) continue;
      query.fingerprint = fingerprint;
      modifications.push(modification);
    }
    for (const queryId of this.#removed) modifications.push({ type: "QueryRemoved", queryId });
    this.#removed = [];
    modifications.sort((a, b) => a.queryId - b.queryId);
    const start = this.#lastComputed;
    const end = { querySet: this.#receivedQuerySet, identity: this.#identity, ts };
    if (!force && modifications.length === 0 && end.querySet === start.querySet && end.identity === start.identity && end.ts === start.ts) {
      return;
    }
    this.#lastComputed = end;
    this.#queue(
      () => ({
        type: "Transition",
        startVersion: wireVersion(start),
        endVersion: wireVersion(end),
        modifications,
        clientClockSkew: this.#clockSkew,
        serverTs: Date.now() * 1_000_000,
      }),
      this.#deployment.faults.transitionDelayMs,
    );
  }

  /** A Transition whose start does not chain: a protocol violation, for client tests. */
  sendUnchainedTransition() {
    const bogus = { ...this.#lastComputed, querySet: this.#lastComputed.querySet + 1000 };
    this.send({ type: "Transition", startVersion: wireVersion(bogus), endVersion: wireVersion(bogus), modifications: [], clientClockSkew: this.#clockSkew, serverTs: Date.now() * 1_000_000 });
  }

  /** Sends `message` after everything queued before it. */
  send(message) {
    this.#queue(() => message, 0);
  }

  #queue(build, delayMs) {
    const sendAt = Date.now() + delayMs;
    this.#outbox = this.#outbox.then(async () => {
      const wait = sendAt - Date.now();
      if (wait > 0 && !this.#dead) await new Promise((resolve) => setTimeout(resolve, wait).unref());
      this.#sendNow(build());
    });
  }

  #sendNow(message) {
    if (this.#dead || this.#deployment.faults.silent) return;
    this.#lastSendAt = Date.now();
    this.#ws.send(JSON.stringify(message));
  }

  pingIfIdle(intervalMs) {
    if (Date.now() - this.#lastSendAt >= intervalMs) this.#sendNow({ type: "Ping" });
  }

  /** FatalError, then a close without status, as the backend answers a bad request. */
  fatal(error) {
    this.send({ type: "FatalError", error });
    this.#closeAfterOutbox();
  }

  #closeAfterOutbox() {
    this.#outbox = this.#outbox.then(() => {
      this.#ws.close();
      this.#gone();
    });
  }

  /** Closes at once with `code` and `reason`, whatever is still queued. */
  drop(code, reason) {
    if (this.#dead) return;
    this.#gone();
    this.#ws.close(code, reason);
  }

  /** Cuts the TCP connection without a close frame. */
  destroy() {
    this.#gone();
    this.#ws.terminate();
  }

  #gone() {
    if (this.#dead) return;
    this.#dead = true;
    this.#deployment.socketGone(this);
  }
}

function wireVersion(version) {
  return { querySet: version.querySet, identity: version.identity, ts: encodeTs(version.ts) };
}
