import { spawn, type ChildProcess, type SpawnOptions } from "node:child_process";
import { createWriteStream, readFileSync } from "node:fs";
import { once } from "node:events";

/**
 * A child process in its own process group, so that stopping it also stops what it started
 * (the worker's OpenCode servers). Its output goes to a log file for the failure message.
 */
export class Child {
  private lines: string[] = [];
  private waiters: { pattern: RegExp; resolve: (match: RegExpExecArray) => void }[] = [];
  private exited: Promise<number | null>;

  private constructor(
    readonly name: string,
    private process: ChildProcess,
    private logFile: string,
  ) {
    const log = createWriteStream(logFile);
    let partial = "";
    const onData = (data: Buffer) => {
      log.write(data);
      partial += data.toString("utf8");
      const complete = partial.split("\n");
      partial = complete.pop() ?? "";
      for (const line of complete) this.onLine(line);
    };
    process.stdout?.on("data", onData);
    process.stderr?.on("data", onData);
    this.exited = once(process, "exit").then(([code]) => code as number | null);
    void this.exited.then((code) => {
      for (const waiter of this.waiters)
        waiter.resolve(Object.assign([`exited ${code}`], { index: -1, input: "" }) as RegExpExecArray);
    });
  }

  static start(name: string, command: string, args: string[], options: SpawnOptions & { logFile: string }): Child {
    const child = spawn(command, args, { ...options, detached: true, stdio: ["pipe", "pipe", "pipe"] });
    const started = new Child(name, child, options.logFile);
    // Should the test process end without its teardown (a crash, a timeout kill), take the group along.
    const killOnExit = () => started.killGroup("SIGKILL");
    process.once("exit", killOnExit);
    void started.exited.then(() => process.off("exit", killOnExit));
    return started;
  }

  get pid(): number {
    return this.process.pid!;
  }

  /** The first output line matching `pattern` (seen already or still to come). */
  async waitForLine(pattern: RegExp, timeoutMs: number): Promise<RegExpExecArray> {
    for (const line of this.lines) {
      const match = pattern.exec(line);
      if (match) return match;
    }
    let timer: NodeJS.Timeout | undefined;
    const match = await new Promise<RegExpExecArray>((resolve, reject) => {
      this.waiters.push({ pattern, resolve });
      timer = setTimeout(
        () => reject(new Error(`${this.name}: no line matching ${pattern} within ${timeoutMs} ms\n${this.logTail()}`)),
        timeoutMs,
      );
    }).finally(() => clearTimeout(timer));
    if (match.index === -1) throw new Error(`${this.name} ${match[0]} before printing ${pattern}\n${this.logTail()}`);
    return match;
  }

  logTail(lines = 40): string {
    try {
      return readFileSync(this.logFile, "utf8").split("\n").slice(-lines).join("\n");
    } catch {
      return "(no log)";
    }
  }

  /** SIGTERM to the whole group, then SIGKILL if it is still there after `graceMs`. */
  async stop(graceMs = 10_000): Promise<void> {
    if (this.process.exitCode !== null || this.process.signalCode !== null) {
      this.killGroup("SIGKILL");
      return;
    }
    this.process.stdin?.end();
    this.killGroup("SIGTERM");
    const timer = new Promise<"timeout">((resolve) => setTimeout(() => resolve("timeout"), graceMs).unref());
    if ((await Promise.race([this.exited, timer])) === "timeout") {
      this.killGroup("SIGKILL");
      await this.exited;
    }
    // Anything the process left behind in its group goes too.
    this.killGroup("SIGKILL");
  }

  private killGroup(signal: NodeJS.Signals) {
    try {
      process.kill(-this.pid, signal);
    } catch {
      // the group is gone already
    }
  }

  private onLine(line: string) {
    this.lines.push(line);
    for (const waiter of [...this.waiters]) {
      const match = waiter.pattern.exec(line);
      if (match) {
        this.waiters.splice(this.waiters.indexOf(waiter), 1);
        waiter.resolve(match);
      }
    }
  }
}
