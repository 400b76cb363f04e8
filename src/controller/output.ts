/**
 * Where the output of thread isolates goes. By default a thread's stdout and stderr are copied to
 * the controller's; `--json` sends both to stderr so stdout carries only the JSON result. The last
 * few KB of each thread's stderr are kept to explain a crash.
 */
import type { Readable, Writable } from "node:stream";

const TAIL_BYTES = 4096;
/** Node prints this at exit while an inspector session is attached (always, under interlace). */
const INSPECTOR_NOTICE = /^Waiting for the debugger to disconnect\.\.\.\r?\n?/gm;

/** Collects and forwards the output of every thread of a run. */
export class OutputSink {
  readonly #stdout: Writable;
  readonly #stderr: Writable;
  readonly #tails = new Map<string, string>();

  constructor(stdout: Writable = process.stdout, stderr: Writable = process.stderr) {
    this.#stdout = stdout;
    this.#stderr = stderr;
  }

  /** Forwards a thread's streams (either may be null when not piped). */
  attach(thread: string, stdout: Readable | null, stderr: Readable | null): void {
    stdout?.on("data", (chunk: Buffer) => this.#stdout.write(chunk));
    stderr?.on("data", (chunk: Buffer) => {
      this.#stderr.write(chunk);
      const tail = (this.#tails.get(thread) ?? "") + chunk.toString("utf8");
      this.#tails.set(thread, tail.length > TAIL_BYTES ? tail.slice(-TAIL_BYTES) : tail);
    });
  }

  /** The last bytes a thread wrote to stderr, trimmed, without Node's own inspector notice. */
  stderrTail(thread: string): string {
    return (this.#tails.get(thread) ?? "").replace(INSPECTOR_NOTICE, "").trim();
  }
}
