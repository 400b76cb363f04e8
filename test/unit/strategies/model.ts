/**
 * A tiny synthetic program model for strategy tests: threads are lists of steps, each step either a
 * marker or an await gate (where the thread is parked before taking it). Every decision runs one
 * step of the chosen thread; a thread is runnable until its steps run out.
 */
import type { Strategy } from "../../../src/strategies/index.js";

/** Where a thread is parked before a step: at a marker, or at a start/await gate. */
export type StepKind = "marker" | "await";

/** A model thread. */
export interface ModelThread {
  readonly name: string;
  readonly steps: readonly StepKind[];
}

/** One run: the thread chosen at each decision (each runs one step), and whether the bug showed. */
export interface RunRecord {
  readonly decisions: readonly string[];
  readonly failed: boolean;
}

/** A property violation, judged on a finished run's decisions. */
export type Bug = (decisions: readonly string[]) => boolean;

/** `count` threads named A, B, C…, each with `steps` steps of `kind`. */
export function uniform(count: number, steps: number, kind: StepKind = "marker"): ModelThread[] {
  return Array.from({ length: count }, (_, i) => ({ name: String.fromCharCode(65 + i), steps: Array<StepKind>(steps).fill(kind) }));
}

/** Runs the model once under `strategy` (run number `run`); null when the strategy has nothing left to explore. */
export function runOnce(strategy: Strategy, threads: readonly ModelThread[], run: number, bug?: Bug): RunRecord | null {
  if (!strategy.beginRun(run)) return null;
  const done = new Map(threads.map((t) => [t.name, 0]));
  const decisions: string[] = [];
  let previous: string | null = null;
  for (;;) {
    const live = threads.filter((t) => (done.get(t.name) ?? 0) < t.steps.length);
    if (live.length === 0) break;
    const runnable = live.map((t) => t.name);
    const atMarker = live.map((t) => t.steps[done.get(t.name) ?? 0] === "marker");
    const chosen = strategy.choose({ step: decisions.length, runnable, atMarker, previous });
    if (!runnable.includes(chosen)) throw new Error(`strategy chose ${chosen}, not runnable at step ${decisions.length}`);
    done.set(chosen, (done.get(chosen) ?? 0) + 1);
    decisions.push(chosen);
    previous = chosen;
  }
  const failed = bug?.(decisions) ?? false;
  strategy.endRun(failed);
  return { decisions, failed };
}

/** Runs until the strategy stops or `maxRuns` runs (or, with `stopOnBug`, the first failing run). */
export function explore(
  strategy: Strategy,
  threads: readonly ModelThread[],
  options: { maxRuns?: number; bug?: Bug; stopOnBug?: boolean } = {},
): RunRecord[] {
  const { maxRuns = 100_000, bug, stopOnBug = false } = options;
  const runs: RunRecord[] = [];
  for (let run = 0; run < maxRuns; run++) {
    const record = runOnce(strategy, threads, run, bug);
    if (record === null) break;
    runs.push(record);
    if (stopOnBug && record.failed) break;
  }
  return runs;
}

/** Brute force: every interleaving of the model, as decision lists, with its random-walk probability. */
export function allInterleavings(threads: readonly ModelThread[]): { decisions: string[]; probability: number }[] {
  const out: { decisions: string[]; probability: number }[] = [];
  const done = threads.map(() => 0);
  const walk = (prefix: string[], probability: number): void => {
    const live = threads.flatMap((t, i) => ((done[i] ?? 0) < t.steps.length ? [i] : []));
    if (live.length === 0) out.push({ decisions: [...prefix], probability });
    for (const i of live) {
      done[i] = (done[i] ?? 0) + 1;
      walk([...prefix, threads[i]?.name ?? "?"], probability / live.length);
      done[i] = (done[i] ?? 0) - 1;
    }
  };
  walk([], 1);
  return out;
}

/** Preemptions in a run: switches away from a thread that still had steps left. */
export function preemptions(threads: readonly ModelThread[], decisions: readonly string[]): number {
  const total = new Map(threads.map((t) => [t.name, t.steps.length]));
  const done = new Map<string, number>();
  let count = 0;
  decisions.forEach((thread, i) => {
    const previous = decisions[i - 1];
    if (previous !== undefined && thread !== previous && (done.get(previous) ?? 0) < (total.get(previous) ?? 0)) count++;
    done.set(thread, (done.get(thread) ?? 0) + 1);
  });
  return count;
}

/** The order in which marker steps run, as "A1 B1 A3 …" (thread name + step index). */
export function markerProjection(threads: readonly ModelThread[], decisions: readonly string[]): string {
  const byName = new Map(threads.map((t) => [t.name, t]));
  const done = new Map<string, number>();
  const markers: string[] = [];
  for (const thread of decisions) {
    const index = done.get(thread) ?? 0;
    if (byName.get(thread)?.steps[index] === "marker") markers.push(`${thread}${index}`);
    done.set(thread, index + 1);
  }
  return markers.join(" ");
}

/**
 * Lost update: threads A and B each take `padding` unrelated steps, then read a shared counter,
 * then write it back incremented. The bug (an increment lost) shows when both reads run before
 * both writes.
 */
export function lostUpdate(padding = 0): { threads: ModelThread[]; bug: Bug } {
  const threads = uniform(2, padding + 2);
  const bug: Bug = (decisions) => {
    const at = (thread: string, index: number): number => indexOfNth(decisions, thread, index);
    const [readA, readB, writeA, writeB] = [at("A", padding), at("B", padding), at("A", padding + 1), at("B", padding + 1)];
    return Math.max(readA, readB) < Math.min(writeA, writeB);
  };
  return { threads, bug };
}

function indexOfNth(decisions: readonly string[], thread: string, n: number): number {
  let seen = 0;
  for (let i = 0; i < decisions.length; i++) {
    if (decisions[i] === thread && seen++ === n) return i;
  }
  return -1;
}
