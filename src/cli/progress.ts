/**
 * Progress of `interlace explore`, on stderr (stdout carries only the report): one line updated in
 * place on a terminal, plain lines every few runs otherwise (CI logs, pipes, tests).
 */
import type { ExploreProgress } from "../explore/explore.js";

/** Where progress is written: `process.stderr` or anything shaped like it. */
export interface ProgressStream {
  readonly isTTY?: boolean;
  /** Terminal width; the updating line is cut to fit (a wrapped line cannot be redrawn). */
  readonly columns?: number;
  write(text: string): unknown;
}

/** Tuning of {@link ExploreProgressDisplay}; the defaults suit people and CI logs. */
export interface ProgressDisplayOptions {
  /** Not a terminal: a line at least every this many runs (default 50). */
  everyRuns?: number;
  /** Not a terminal: a line at least every this many milliseconds (default 2000). */
  everyMs?: number;
  /** Terminal: fewest milliseconds between redraws (default 80). */
  redrawMs?: number;
}

const BAR_WIDTH = 20;

/**
 * Shows how far an exploration got: feed it every {@link ExploreProgress} through
 * {@link ExploreProgressDisplay.update} (explore's `onAttempt`), then call
 * {@link ExploreProgressDisplay.finish} once, whatever the outcome.
 *
 * On a terminal: `[██████░░░░░░░░░░░░░░] 60/200 runs  412 runs/s  no failure yet`, redrawn with
 * `\r`, ended by a newline. Elsewhere: `explore: 50/200 runs, 412 runs/s, no failure yet` every 50
 * runs or 2 s, whichever comes first, on a counterexample, and once at the end.
 */
export class ExploreProgressDisplay {
  readonly #stream: ProgressStream;
  readonly #tty: boolean;
  readonly #everyRuns: number;
  readonly #everyMs: number;
  readonly #redrawMs: number;
  #last: ExploreProgress | undefined;
  #failedAt: number | undefined;
  /** Runs and elapsed time when the last plain line was written or the line last redrawn. */
  #shownRuns = 0;
  #shownMs = 0;
  #finished = false;
  #lastLine = "";

  constructor(stream: ProgressStream, options: ProgressDisplayOptions = {}) {
    this.#stream = stream;
    this.#tty = stream.isTTY === true;
    this.#everyRuns = options.everyRuns ?? 50;
    this.#everyMs = options.everyMs ?? 2000;
    this.#redrawMs = options.redrawMs ?? 80;
  }

  /** Records one finished attempt (pass as explore's `onAttempt`). */
  update(progress: ExploreProgress): void {
    if (this.#finished) return;
    const first = this.#last === undefined;
    this.#last = progress;
    const firstFailure = progress.failed && this.#failedAt === undefined;
    if (firstFailure) this.#failedAt = progress.numExplored;
    if (this.#tty) {
      const due = progress.elapsedMs - this.#shownMs >= this.#redrawMs;
      if (first || firstFailure || progress.numExplored === progress.maxAttempts || due) this.#draw(progress);
    } else if (firstFailure || progress.numExplored - this.#shownRuns >= this.#everyRuns || progress.elapsedMs - this.#shownMs >= this.#everyMs) {
      this.#line(progress);
    }
  }

  /** Writes the final state (and, on a terminal, ends the line). Idempotent. */
  finish(): void {
    if (this.#finished) return;
    this.#finished = true;
    const last = this.#last;
    if (last === undefined) return;
    if (this.#tty) {
      this.#draw(last);
      this.#stream.write("\n");
    } else {
      this.#line(last);
    }
  }

  #status(): string {
    if (this.#failedAt !== undefined) {
      return `counterexample at run ${this.#failedAt}${this.#finished || !this.#tty ? "" : ", shrinking and replaying it…"}`;
    }
    return this.#finished ? "no failure" : "no failure yet";
  }

  #draw(p: ExploreProgress): void {
    const filled = Math.min(BAR_WIDTH, Math.round((BAR_WIDTH * p.numExplored) / Math.max(1, p.maxAttempts)));
    const bar = `[${"█".repeat(filled)}${"░".repeat(BAR_WIDTH - filled)}]`;
    const rate = runsPerSecond(p);
    let text = [bar, `${p.numExplored}/${p.maxAttempts} runs`, ...(rate ? [rate] : []), this.#status()].join("  ");
    const columns = this.#stream.columns;
    if (columns !== undefined && columns > 1 && text.length > columns - 1) text = text.slice(0, columns - 1);
    // \r back to the start of the line, \x1b[K erases what a longer previous line left behind.
    this.#stream.write(`\r${text}\x1b[K`);
    this.#shownRuns = p.numExplored;
    this.#shownMs = p.elapsedMs;
  }

  #line(p: ExploreProgress): void {
    const rate = runsPerSecond(p);
    const line = `explore: ${[`${p.numExplored}/${p.maxAttempts} runs`, ...(rate ? [rate] : []), this.#status()].join(", ")}\n`;
    // The final line repeats nothing: after a counterexample it would say what the last one said.
    if (line !== this.#lastLine) this.#stream.write(line);
    this.#lastLine = line;
    this.#shownRuns = p.numExplored;
    this.#shownMs = p.elapsedMs;
  }
}

function runsPerSecond(p: ExploreProgress): string | undefined {
  if (p.elapsedMs <= 0) return undefined;
  const rate = (p.numExplored * 1000) / p.elapsedMs;
  return `${rate < 10 ? rate.toFixed(1) : Math.round(rate)} runs/s`;
}
