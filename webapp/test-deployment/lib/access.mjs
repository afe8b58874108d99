// What one function call read and wrote, by table, as Convex tracks a query's read set to know which
// subscriptions a commit can change. Tables, not index ranges: coarser than Convex, never wrong.
// Anything the tracked database does not know (system tables, a method added in a later release)
// counts as reading and writing everything.

/** convex-test's ids are the document's number followed by its table's name. */
export function tableOfId(id) {
  return typeof id === "string" ? id.replace(/^[0-9]+/, "") : null;
}

export class Access {
  /** Every table, or more than can be named: the call depends on, or changed, anything. */
  everything = false;
  reads = new Set();
  /** table → ids written in it (null: some id not known). */
  writes = new Map();

  read(table) {
    if (typeof table === "string" && table !== "") this.reads.add(table);
    else this.everything = true;
  }

  wrote(table, id) {
    if (typeof table !== "string" || table === "") {
      this.everything = true;
      return;
    }
    const ids = this.writes.get(table);
    this.writes.set(table, ids === null || typeof id !== "string" ? null : (ids ?? new Set()).add(id));
  }

  /** The tables written, or null for "anything". */
  get tablesWritten() {
    return this.everything ? null : new Set(this.writes.keys());
  }

  /** Whether a call that read this may see something else after a commit that wrote `tables` (null: anything). */
  dependsOn(tables) {
    if (this.everything || tables === null) return true;
    for (const table of this.reads) if (tables.has(table)) return true;
    return false;
  }

  /** `db` (a function's ctx.db) reporting its reads and writes here. */
  track(db) {
    // get(id) or get(table, id), and the same for patch, replace and delete.
    const target = (args) => (typeof args[1] === "string" ? [args[0], args[1]] : [tableOfId(args[0]), args[0]]);
    const reading = (method) => (...args) => {
      this.read(target(args)[0]);
      return db[method](...args);
    };
    const writing = (method) => (...args) => {
      const [table, id] = target(args);
      this.wrote(table, id);
      return db[method](...args);
    };
    const known = {
      get: reading("get"),
      query: (table) => {
        this.read(table);
        return db.query(table);
      },
      normalizeId: (...args) => db.normalizeId(...args),
      insert: async (table, value) => {
        const id = await db.insert(table, value);
        this.wrote(table, id);
        return id;
      },
      patch: writing("patch"),
      replace: writing("replace"),
      delete: writing("delete"),
    };
    return new Proxy(db, {
      get: (object, property) => {
        if (Object.hasOwn(known, property)) return known[property];
        this.everything = true;
        const value = object[property];
        return typeof value === "function" ? value.bind(object) : value;
      },
    });
  }
}
