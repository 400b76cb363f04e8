/**
 * Ctrl-C and `kill` during a command. The first SIGINT or SIGTERM aborts the signal the command
 * passes to `explore()`/`replay()`: they stop after the attempt in progress, run teardown, close
 * every worker and child, and the command prints what was explored so far (and the replay command
 * of a counterexample found), then exits 130 (SIGINT) or 143 (SIGTERM). A second signal exits at
 * once; process threads end themselves when their controller channel closes, so none outlives it.
 *
 * @module
 */

const EXIT_CODES: Readonly<Record<string, number>> = { SIGINT: 130, SIGTERM: 143 };

/** The signals a command is watching for, while it runs. */
export class SignalStop {
  readonly #controller = new AbortController();
  readonly #stderr: NodeJS.WritableStream;
  readonly #handlers = new Map<NodeJS.Signals, () => void>();
  #received: NodeJS.Signals | null = null;

  readonly #stopping: string;

  /** @param stopping - What the first signal does, as its message says it (`interlace run` stops the run at once). */
  constructor(stderr: NodeJS.WritableStream = process.stderr, stopping = "stopping after the attempt in progress") {
    this.#stderr = stderr;
    this.#stopping = stopping;
    for (const name of ["SIGINT", "SIGTERM"] as const) {
      const handler = (): void => this.#on(name);
      this.#handlers.set(name, handler);
      process.on(name, handler);
    }
  }

  /** Aborted on the first signal. */
  get signal(): AbortSignal {
    return this.#controller.signal;
  }

  /** The first signal received, if any. */
  get received(): NodeJS.Signals | null {
    return this.#received;
  }

  /** The exit code for the signal received (130, 143), or `code` when none was. */
  exitCode(code: number): number {
    return this.#received === null ? code : (EXIT_CODES[this.#received] ?? 130);
  }

  /** Stops watching: signals take their default action again. */
  dispose(): void {
    for (const [name, handler] of this.#handlers) process.off(name, handler);
    this.#handlers.clear();
  }

  #on(name: NodeJS.Signals): void {
    if (this.#received !== null) {
      this.#stderr.write(`\ninterlace: ${name} again: exiting now, without teardown\n`);
      process.exit(EXIT_CODES[name] ?? 130);
    }
    this.#received = name;
    this.#stderr.write(`\ninterlace: ${name}: ${this.#stopping}, then teardown (${name === "SIGINT" ? "Ctrl-C" : name} again to exit at once)\n`);
    this.#controller.abort();
  }
}
