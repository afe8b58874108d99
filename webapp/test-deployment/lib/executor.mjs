// Runs the deployment's functions by path on convex-test, one query or mutation at a time, the way
// Convex answers clients: internal functions are invisible, errors carry ConvexError data.
import { convexTest } from "convex-test";
import { makeFunctionReference } from "convex/server";
import { Access } from "./access.mjs";
import { FunctionTable, kindOf } from "./functions.mjs";

let requestCounter = 0;

/** A function's outcome as the protocol reports it. */
export function failure(message, data) {
  return data === undefined ? { ok: false, message } : { ok: false, message, data };
}

function describeError(error, requestId) {
  const isConvexError = typeof error === "object" && error !== null && Symbol.for("ConvexError") in error;
  const text = isConvexError ? `Uncaught ConvexError: ${error.message}` : `Uncaught Error: ${error?.message ?? error}`;
  return failure(`[Request ID: ${requestId}] Server Error\n${text}`, isConvexError ? error.data : undefined);
}

export class Executor {
  #table;
  #t;
  #queue = Promise.resolve();

  constructor({ modules, schema }, onBackgroundWrite) {
    this.#table = new FunctionTable(modules, onBackgroundWrite);
    this.#t = convexTest(schema, this.#table.modules);
  }

  /** Runs `task` after every task queued before it, alone. */
  serial(task) {
    const run = this.#queue.then(task, task);
    this.#queue = run.then(
      () => undefined,
      () => undefined,
    );
    return run;
  }

  /**
   * Runs the function at `path`, expected to be of `kind` ("query", "mutation", "action" or "any"),
   * with `args` (Convex values). From a client (`internal` false) an internal function is answered
   * exactly like one that does not exist. Queries and mutations must be called inside `serial`.
   * The outcome's `access` holds what a query or mutation read and wrote (an action's stays empty:
   * the mutations it runs are background writes).
   */
  async call(path, kind, args, { internal = false } = {}) {
    const requestId = (++requestCounter).toString(16).padStart(16, "0");
    const func = await this.#table.lookup(path);
    if (!func || (!internal && !func.isPublic)) {
      return failure(
        `[Request ID: ${requestId}] Server Error\nCould not find public function for '${path}'. Did you forget to run \`npx convex dev\` or \`npx convex deploy\`?`,
      );
    }
    const actual = kindOf(func);
    if (kind !== "any" && actual !== kind) {
      const name = (k) => k[0].toUpperCase() + k.slice(1);
      return failure(
        `[Request ID: ${requestId}] Server Error\nTrying to execute ${path} as ${name(kind)}, but it is defined as ${name(actual)}.`,
      );
    }
    const reference = makeFunctionReference(path);
    const access = new Access();
    try {
      const run = () =>
        actual === "query" ? this.#t.query(reference, args) : actual === "mutation" ? this.#t.mutation(reference, args) : this.#t.action(reference, args);
      const value = actual === "action" ? await run() : await this.#table.runOwn(run, access);
      return { ok: true, kind: actual, value: value === undefined ? null : value, access };
    } catch (error) {
      return { ...describeError(error, requestId), kind: actual, access };
    }
  }

  /** The kind of the public function at `path`, or null. */
  async kindOf(path) {
    const func = await this.#table.lookup(path);
    return func?.isPublic ? kindOf(func) : null;
  }

  /** Every document of `table`, read in a transaction of its own (call inside `serial`). */
  documents(table) {
    return this.#table.runOwn(() => this.#t.run(async (ctx) => ctx.db.query(table).collect()));
  }

  /** The documents with these ids that still exist, read in a transaction of its own (call inside `serial`). */
  documentsById(ids) {
    return this.#table.runOwn(() =>
      this.#t.run(async (ctx) => (await Promise.all([...ids].map((id) => ctx.db.get(id)))).filter((document) => document !== null)),
    );
  }
}
