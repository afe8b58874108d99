// The registered functions of the compiled modules, found by path ("module:export") as Convex does.
import { AsyncLocalStorage } from "node:async_hooks";
import { Access } from "./access.mjs";

/** "messages:list" (or "messages.js:list", or "messages" for the default export) → [module, export]. */
export function splitPath(udfPath) {
  const [module, name] = udfPath.includes(":") ? udfPath.split(":", 2) : [udfPath, "default"];
  return [module.replace(/\.js$/, ""), name];
}

export function kindOf(func) {
  if (func?.isQuery) return "query";
  if (func?.isMutation) return "mutation";
  if (func?.isAction) return "action";
  return null;
}

/**
 * The modules map handed to convex-test, with every query and mutation wrapped: a call of the
 * server's own (`runOwn`) reports what it read and wrote to its `Access`, and a write the server
 * did not start itself (a scheduled job, a mutation run by an action) is reported through
 * `onBackgroundWrite` once it has committed.
 */
export class FunctionTable {
  #modules = {};
  #ownCalls = new AsyncLocalStorage();

  constructor(compiledModules, onBackgroundWrite) {
    // Reported from the context the table was made in, never from inside convex-test's transaction
    // contexts: a query started there would count as nested in the finished mutation.
    const outside = AsyncLocalStorage.snapshot();
    const report = () => outside(onBackgroundWrite);
    for (const [file, load] of Object.entries(compiledModules)) {
      let wrapped;
      this.#modules[file] = async () => (wrapped ??= this.#wrapModule(await load(), report));
    }
  }

  get modules() {
    return this.#modules;
  }

  /**
   * Runs `body` as a call of the server's own (its writes are not background writes); the tables
   * its functions read and write are added to `access`.
   */
  async runOwn(body, access = new Access()) {
    const call = { finished: false, access };
    try {
      return await this.#ownCalls.run(call, body);
    } finally {
      call.finished = true;
    }
  }

  /** The registered function at `udfPath`, or undefined. */
  async lookup(udfPath) {
    const [module, name] = splitPath(udfPath);
    const load = this.#modules[`./${module}.js`];
    if (!load || module.startsWith("_generated")) return undefined;
    const func = (await load())[name];
    return kindOf(func) ? func : undefined;
  }

  #wrapModule(module, onBackgroundWrite) {
    const wrapped = {};
    for (const [name, func] of Object.entries(module)) {
      wrapped[name] = func?.isMutation || func?.isQuery ? this.#wrapFunction(func, onBackgroundWrite) : func;
    }
    return wrapped;
  }

  #wrapFunction(func, onBackgroundWrite) {
    const ownCalls = this.#ownCalls;
    const handler = func._handler;
    const wrapped = (...args) => func(...args);
    Object.assign(wrapped, func);
    wrapped._handler = async (ctx, args) => {
      // A timer set inside one of our calls inherits its store; once that call is over, it is background.
      const own = ownCalls.getStore();
      const background = !own || own.finished;
      try {
        return await handler(background ? ctx : { ...ctx, db: own.access.track(ctx.db) }, args);
      } finally {
        if (background && func.isMutation) setImmediate(onBackgroundWrite);
      }
    };
    return wrapped;
  }
}
