// The deployment's shared state: the executor, the open sync sockets, commit timestamps, faults,
// counters and the records tests assert on. After every commit it re-runs the subscribed queries
// that read a table the commit wrote (as Convex re-runs those whose read set the commit touched, by
// table rather than by index range) and sends each socket what changed.
import { CommitClock } from "./clock.mjs";
import { Executor } from "./executor.mjs";
import { Counters, Faults } from "./faults.mjs";
import { Records } from "./records.mjs";
import { argsFromWire, encodeTs, fromWire, toWire } from "./wire.mjs";

export class Deployment {
  clock = new CommitClock();
  faults = new Faults();
  counters = new Counters();
  sockets = new Set();
  #executor;
  #records;
  #committedMutations = new Map();
  #refreshPending = false;
  #pinger;

  constructor(compiled, { watch } = {}) {
    this.#executor = new Executor(compiled, () => this.#backgroundWrite());
    this.#records = new Records(watch);
    this.clock.next();
    this.#schedulePings();
  }

  get records() {
    return this.#records;
  }

  /** Runs a function for a client (public functions only); writes are pushed to subscribers. */
  async runClient(path, kind, args) {
    const run = async () => {
      const outcome = await this.#execute(path, kind, args, false);
      if (outcome.ok && outcome.kind === "mutation") await this.#commit(outcome.access);
      return outcome;
    };
    return kind === "action" ? this.#execute(path, kind, args, false) : this.#executor.serial(run);
  }

  /** Runs any function, internal ones included (seeding, test set-up). */
  async runInternal(path, args) {
    const outcome = await this.#executor.serial(async () => {
      const result = await this.#executor.call(path, "any", args, { internal: true });
      if (result.ok && result.kind === "mutation") await this.#commit(result.access);
      return result;
    });
    return outcome;
  }

  kindOf(path) {
    return this.#executor.kindOf(path);
  }

  /** Every document of `table` (inside the executor's queue, so never half a commit). */
  documents(table) {
    return this.#executor.serial(() => this.#executor.documents(table));
  }

  async #execute(path, kind, args, internal) {
    const startedAt = Date.now();
    const outcome = await this.#executor.call(path, kind, args, { internal });
    if (outcome.kind) this.counters.executed(path);
    this.#records.call(path, args, outcome, startedAt);
    return outcome;
  }

  /** A client query of a subscription: the result as Convex JSON, with any injected prefix. */
  async runClientQuery(path, wireArgs) {
    let args;
    try {
      args = argsFromWire(wireArgs);
    } catch (error) {
      return { ok: false, message: `Invalid arguments for ${path}: ${error.message}` };
    }
    const outcome = await this.#execute(path, "query", args, false);
    return outcome.ok ? { ok: true, json: this.#withPrefix(path, toWire(outcome.value)), access: outcome.access } : outcome;
  }

  #withPrefix(path, json) {
    const prefix = this.faults.queryPrefix(path);
    return prefix && Array.isArray(json) ? [...prefix, ...json] : json;
  }

  /** An HTTP query's result as Convex JSON. */
  async httpQuery(path, args) {
    const outcome = await this.runClient(path, "query", args);
    return outcome.ok ? { ...outcome, value: fromWire(this.#withPrefix(path, toWire(outcome.value))) } : outcome;
  }

  /** A new commit of what `access` wrote (null: anything): a timestamp, the watched records, every subscription brought up to date. */
  async #commit(access) {
    await this.#pushCommit(this.clock.next(), null, access);
  }

  /**
   * Records the commit at `ts` of what `access` wrote (null: anything) and brings every subscription
   * up to it; `caller` gets a Transition in any case.
   */
  async #pushCommit(ts, caller, access) {
    const table = this.#records.table;
    const ids = access === null || access.everything ? null : access.writes.get(table);
    if (ids !== undefined) {
      await this.#records.observe(() => (ids === null ? this.#executor.documents(table) : this.#executor.documentsById(ids)));
    }
    const changed = access === null ? null : access.tablesWritten;
    const cache = new Map();
    for (const socket of [...this.sockets]) await socket.computeTransition(cache, ts, socket === caller, changed);
  }

  #backgroundWrite() {
    if (this.#refreshPending) return;
    this.#refreshPending = true;
    this.#executor.serial(async () => {
      this.#refreshPending = false;
      await this.#commit(null);
    });
  }

  /** Brings one socket up to date after it changed its query set or identity (no table changed). */
  refreshSocket(socket) {
    this.#executor.serial(() => socket.computeTransition(new Map(), this.clock.current, false, NOTHING));
  }

  /** Brings every socket up to date without a commit (after a silence ends). */
  refreshAll() {
    this.#executor.serial(async () => {
      const cache = new Map();
      for (const socket of [...this.sockets]) await socket.computeTransition(cache, this.clock.current);
    });
  }

  socketOpened(socket) {
    this.counters.connections++;
    this.sockets.add(socket);
  }

  socketGone(socket) {
    this.sockets.delete(socket);
  }

  /**
   * A Mutation message: exactly once per (sessionId, requestId). As the real backend does, the
   * MutationResponse goes first and a Transition reaching its timestamp follows: the official
   * client resolves a mutation only on a Transition that arrives after its response.
   */
  socketMutation(socket, message) {
    const key = socket.sessionId === null ? null : `${socket.sessionId}/${message.requestId}`;
    // A drop is decided when the mutation arrives, as a server closing the connection would: a
    // mutation queued behind others never runs after a test has disarmed the fault it met.
    const drop = key && this.#committedMutations.has(key) ? null : this.faults.takeMutationDrop(message.udfPath);
    if (drop === "before") return socket.drop(1011, "InternalServerError");
    this.#executor.serial(async () => {
      const stored = key && this.#committedMutations.get(key);
      if (stored) {
        socket.send(success(message.requestId, stored.result, stored.ts));
        await socket.computeTransition(new Map(), this.clock.current, true, NOTHING);
        return;
      }
      let args;
      try {
        args = argsFromWire(message.args);
      } catch (error) {
        return socket.fatal(`Invalid arguments: ${error.message}`);
      }
      const outcome = await this.#execute(message.udfPath, "mutation", args, false);
      if (!outcome.ok) {
        socket.send({ type: "MutationResponse", requestId: message.requestId, success: false, result: outcome.message, ts: null, logLines: [], ...errorData(outcome) });
        return;
      }
      const result = toWire(outcome.value);
      const ts = this.clock.next();
      if (key) this.#committedMutations.set(key, { result, ts });
      if (drop === "after") socket.drop(1011, "InternalServerError");
      socket.send(success(message.requestId, result, ts));
      await this.#pushCommit(ts, socket, outcome.access);
    });
  }

  /** An Action message: runs beside queries and mutations; its answer is not held for a Transition. */
  async socketAction(socket, message) {
    let args;
    try {
      args = argsFromWire(message.args);
    } catch (error) {
      return socket.fatal(`Invalid arguments: ${error.message}`);
    }
    const outcome = await this.#execute(message.udfPath, "action", args, false);
    socket.send(
      outcome.ok
        ? { type: "ActionResponse", requestId: message.requestId, success: true, result: toWire(outcome.value), logLines: [] }
        : { type: "ActionResponse", requestId: message.requestId, success: false, result: outcome.message, logLines: [], ...errorData(outcome) },
    );
  }

  setPingInterval(ms) {
    this.faults.pingIntervalMs = ms;
    this.#schedulePings();
  }

  #schedulePings() {
    clearInterval(this.#pinger);
    const interval = this.faults.pingIntervalMs;
    this.#pinger = setInterval(() => {
      for (const socket of this.sockets) socket.pingIfIdle(interval);
    }, Math.max(10, Math.min(interval / 4, 1000)));
    this.#pinger.unref();
  }

  close() {
    clearInterval(this.#pinger);
    for (const socket of [...this.sockets]) socket.drop(1001, "ServerShutdown");
  }
}

const NOTHING = new Set();

function success(requestId, result, ts) {
  return { type: "MutationResponse", requestId, success: true, result, ts: encodeTs(ts), logLines: [] };
}

function errorData(outcome) {
  return outcome.data === undefined ? {} : { errorData: toWire(outcome.data) };
}
