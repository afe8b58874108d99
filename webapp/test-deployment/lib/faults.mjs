// What the control channel can break, and what it counts, for tests of clients under faults.
export class Faults {
  transitionDelayMs = 0;
  silent = false;
  down = false;
  pingIntervalMs = 15_000;
  #httpFailures = { status: 0, times: 0 };
  #mutationDrops = new Map();
  #queryPrefixes = new Map();

  /** The next `times` HTTP function calls answer `status`. */
  failHttp(status, times) {
    this.#httpFailures = { status, times };
  }

  /** The status to fail this HTTP call with, or 0. */
  takeHttpFailure() {
    if (this.#httpFailures.times <= 0) return 0;
    this.#httpFailures.times--;
    return this.#httpFailures.status;
  }

  /** The next `times` WebSocket mutations of `path` drop their socket, before running or after committing. */
  dropOnMutation(path, times, afterCommit) {
    this.#mutationDrops.set(path, { times, afterCommit });
  }

  /** "before", "after" or null for this mutation of `path`. */
  takeMutationDrop(path) {
    const drop = this.#mutationDrops.get(path);
    if (!drop || drop.times <= 0) return null;
    drop.times--;
    return drop.afterCommit ? "after" : "before";
  }

  /** Client reads of query `path` get `items` (Convex JSON) before the real result (an array). */
  prefixQuery(path, items) {
    if (items.length === 0) this.#queryPrefixes.delete(path);
    else this.#queryPrefixes.set(path, items);
  }

  queryPrefix(path) {
    return this.#queryPrefixes.get(path);
  }
}

/** What tests assert on: connections, executions per function, Convex-Client versions. */
export class Counters {
  connections = 0;
  executions = {};
  clientVersions = [];

  executed(path) {
    this.executions[path] = (this.executions[path] ?? 0) + 1;
  }
}
