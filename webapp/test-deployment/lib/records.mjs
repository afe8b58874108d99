// What tests assert on besides the tables: every write call a client made (function, instance,
// message, outcome, when it started and ended), and every change of a watched field (by default
// the status of `messages`).
export class Records {
  #seq = 0;
  #calls = [];
  #changes = [];
  #watch;
  #last = new Map();

  /** `watch` is "table.field". */
  constructor(watch = "messages.status") {
    const [table, field] = watch.split(".");
    this.#watch = { table, field };
  }

  /** `startedAt` is when the function began to run (ms since the epoch); `at` is when it ended. */
  call(path, args, outcome, startedAt) {
    if (outcome.kind !== "mutation" && outcome.kind !== "action") return;
    const code = outcome.ok ? "ok" : outcome.data?.code ?? "error";
    this.#calls.push({
      seq: ++this.#seq,
      function: path,
      instanceId: typeof args?.instanceId === "string" ? args.instanceId : null,
      messageId: typeof args?.messageId === "string" ? args.messageId : null,
      attempt: typeof args?.attempt === "number" ? args.attempt : null,
      outcome: code,
      startedAt,
      at: Date.now(),
    });
  }

  /** The table whose field is watched. */
  get table() {
    return this.#watch.table;
  }

  /** After a commit, records each document of the watched table `read` gives whose field changed. */
  async observe(read) {
    let documents;
    try {
      documents = await read();
    } catch {
      return;
    }
    for (const document of documents) {
      // The contract's id of a message, when the table keeps one beside Convex's own.
      const id = typeof document.messageId === "string" ? document.messageId : document._id;
      const value = document[this.#watch.field] ?? null;
      const before = this.#last.has(id) ? this.#last.get(id) : undefined;
      if (before === value) continue;
      this.#last.set(id, value);
      this.#changes.push({ seq: ++this.#seq, id, from: before ?? null, to: value, at: Date.now() });
    }
  }

  get calls() {
    return this.#calls;
  }

  get changes() {
    return this.#changes;
  }
}
