// Commit timestamps: nanoseconds since the epoch that only go up.
export class CommitClock {
  #last = 0n;

  /** The timestamp of the newest commit. */
  get current() {
    return this.#last;
  }

  /** A new commit's timestamp, greater than every earlier one. */
  next() {
    const now = BigInt(Date.now()) * 1_000_000n;
    this.#last = now > this.#last ? now : this.#last + 1n;
    return this.#last;
  }
}
