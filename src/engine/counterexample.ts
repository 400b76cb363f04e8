/**
 * The counterexample artifact: what a failing exploration run did, versioned JSON that `replay()`
 * and `interlace replay` accept back. Pure: building, checking and parsing, no I/O.
 */
import { ScheduleSyntaxError } from "../errors.js";

/** How a run failed. */
export type FailureKind = "invariant" | "deadlock" | "exception";

export interface Failure {
  kind: FailureKind;
  message: string;
}

/** A traced source file and the SHA-256 of its content when the counterexample was recorded. */
export interface SourceDigest {
  /** Path with `/` separators, relative to the root {@link Counterexample.sourceRoot} names. */
  file: string;
  sha256: string;
}

/** Version 1 of the counterexample format. */
export interface Counterexample {
  format: "interlace-counterexample";
  version: 1;
  /** Scenario id (a file path for the CLI, `options.name` for the API). */
  scenario: string;
  /** Thread kind: tasks (decisions at awaits and markers) or isolates (workers/processes). */
  kind: "task" | "isolate";
  /**
   * Isolates: where decisions were taken, at every statement, at markers only, or at markers and
   * every external operation (`io`). Absent means markers (what counterexamples recorded before
   * statement stepping existed).
   */
  granularity?: "statements" | "markers" | "io";
  /** Thread names, in declaration order. */
  threads: string[];
  /** The thread chosen at each scheduling decision. */
  decisions: string[];
  strategy: string;
  seed: number;
  /**
   * The run of the exploration that failed, counted from 1 as the text report counts them
   * ("counterexample found at run 3"). Counterexamples written before interlace 0.1.0's December
   * 2026 builds counted from 0; the number is informational and never replayed.
   */
  attempt: number;
  /** The traced files the run went through, with their content hashes. */
  sources: SourceDigest[];
  /**
   * `"package"`: `sources[].file` are relative to the package root of the scenario's threads (the
   * nearest package.json above the first thread's module or function), so replays work from any
   * working directory. Absent (older counterexamples): relative to the working directory.
   */
  sourceRoot?: "package";
  failure: Failure;
  /** Size of the run the strategy found, when shrinking found a smaller one (this one). */
  shrunkFrom?: { decisions: number; preemptions: number };
  /**
   * The options that changed what was traced and scheduled when it was recorded; replays apply them
   * unless told otherwise (absent in counterexamples recorded before they were kept).
   */
  config?: CounterexampleConfig;
}

/** What a replay must reproduce besides the decisions. */
export interface CounterexampleConfig {
  /** Packages under node_modules that were traced (`tracePackages`). */
  tracePackages: string[];
  /** Decisions per thread before it ran freely (`maxSteps`). */
  maxSteps: number;
}

export function counterexampleFailure(kind: FailureKind, message: string): Failure {
  return { kind, message };
}

/** Parses and checks a counterexample (from a `--save` file or `JSON.stringify(result.counterexample)`). */
export function parseCounterexample(text: string, origin = "the counterexample"): Counterexample {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw new ScheduleSyntaxError(`${origin} is not JSON: ${(error as Error).message}`);
  }
  const bad = (what: string) => new ScheduleSyntaxError(`${origin} is not an interlace counterexample: ${what}.`);
  if (typeof value !== "object" || value === null) throw bad("expected an object");
  const c = value as Record<string, unknown>;
  if (c.format !== "interlace-counterexample") throw bad('"format" must be "interlace-counterexample"');
  if (c.version !== 1) throw bad(`unsupported version ${JSON.stringify(c.version)} (this interlace reads version 1)`);
  const strings = (v: unknown) => Array.isArray(v) && v.every((x) => typeof x === "string");
  if (!strings(c.threads) || (c.threads as string[]).length === 0) throw bad('"threads" must be a non-empty array of names');
  if (!strings(c.decisions)) throw bad('"decisions" must be an array of thread names');
  const threads = new Set(c.threads as string[]);
  const unknown = (c.decisions as string[]).find((d) => !threads.has(d));
  if (unknown !== undefined) throw bad(`decision "${unknown}" names no thread of ${JSON.stringify(c.threads)}`);
  if (!Array.isArray(c.sources) || !c.sources.every((s) => typeof s?.file === "string" && typeof s?.sha256 === "string")) {
    throw bad('"sources" must be an array of { file, sha256 }');
  }
  if (c.sourceRoot !== undefined && c.sourceRoot !== "package") throw bad('"sourceRoot" must be "package" when present');
  if (c.granularity !== undefined && c.granularity !== "statements" && c.granularity !== "markers" && c.granularity !== "io") {
    throw bad('"granularity" must be "statements", "markers" or "io"');
  }
  if (c.config !== undefined) {
    const config = c.config as Record<string, unknown> | null;
    if (typeof config !== "object" || config === null || !strings(config.tracePackages) || !Number.isInteger(config.maxSteps) || (config.maxSteps as number) <= 0) {
      throw bad('"config" must be { tracePackages: string[], maxSteps: positive integer }');
    }
  }
  const failure = c.failure as Record<string, unknown> | undefined;
  if (typeof failure?.kind !== "string" || !["invariant", "deadlock", "exception"].includes(failure.kind)) {
    throw bad('"failure.kind" must be invariant, deadlock or exception');
  }
  return value as Counterexample;
}
