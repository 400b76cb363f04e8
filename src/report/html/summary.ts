/**
 * The search figures of an exploration, for the report: how many runs, whether the search was
 * complete and, when it was not, why not. "Complete" is said only when the result says so.
 *
 * Pure: no I/O.
 */
import { describeUnmodelled, unmodelledAdvice, type UnmodelledEffect } from "../../explore/unmodelled.js";

/** What `explore()` tells of its search (a part of its result), and how long it took. */
export interface SearchFigures {
  strategy: string;
  seed: number;
  numExplored: number;
  numFailed: number;
  /** The run budget (`maxAttempts` / `maxExecutions`). */
  budget: number;
  complete: boolean;
  exhausted: boolean;
  unmodelled: readonly UnmodelledEffect[];
  interrupted: "aborted" | "time budget" | null;
  portfolio?: { foundBy: string | null; dporExecutions: number; dporComplete: boolean; dporStopped: string | null } | undefined;
  /** Milliseconds the exploration took, or null. */
  elapsedMs: number | null;
}

export interface SummaryModel {
  headline: string;
  complete: boolean;
  /** Why the search is not complete (empty when it is). */
  incomplete: string[];
  figures: Array<{ label: string; value: string }>;
}

/** The summary of a search. */
export function summaryOf(s: SearchFigures): SummaryModel {
  const plural = (n: number, word: string): string => `${n} ${word}${n === 1 ? "" : "s"}`;
  const unit = s.strategy === "dpor" ? "execution" : "run";
  const holds = s.numFailed === 0;
  const headline = holds ? `The property holds over ${plural(s.numExplored, unit)}` : `${plural(s.numExplored, unit)} explored, ${s.numFailed} failed`;
  const incomplete: string[] = [];
  if (!s.complete) {
    if (s.interrupted !== null) incomplete.push(s.interrupted === "aborted" ? "The exploration was interrupted." : "Its time budget was spent.");
    if (s.unmodelled.length > 0) {
      const calls = s.unmodelled.reduce((sum, e) => sum + e.calls, 0);
      incomplete.push(`${plural(calls, "call")} went to code whose effects interlace did not observe: ${describeUnmodelled(s.unmodelled)}.`);
      const advice = unmodelledAdvice(s.unmodelled);
      if (advice !== "") incomplete.push(`${advice[0]!.toUpperCase()}${advice.slice(1)}.`);
    }
    if (!holds) incomplete.push("The search stopped at the first counterexample.");
    else if (!s.exhausted && s.interrupted === null) {
      incomplete.push(
        s.strategy === "random" || s.strategy === "pct"
          ? `${s.strategy} samples interleavings: it never runs out of them, so it cannot show that none fails.`
          : `The budget of ${plural(s.budget, unit)} was spent before the strategy ran out of interleavings.`,
      );
    }
  }
  const figures = [
    { label: "Strategy", value: s.strategy },
    { label: "Seed", value: String(s.seed) },
    { label: s.strategy === "dpor" ? "Executions" : "Runs", value: `${s.numExplored} of ${s.budget}` },
    { label: "Failed runs", value: String(s.numFailed) },
    { label: "Search", value: s.complete ? "complete" : "not complete" },
    { label: "Ran out of interleavings", value: s.exhausted ? "yes" : "no" },
  ];
  if (s.strategy === "dpor") figures.push({ label: "DPOR classes explored", value: `${s.numExplored} (one execution per class of equivalent interleavings)${s.exhausted ? ", every class" : ""}` });
  if (s.portfolio !== undefined) {
    const p = s.portfolio;
    figures.push({ label: "DPOR executions", value: `${p.dporExecutions}${p.dporComplete ? ", every class run" : ""}${p.dporStopped ? ` (stopped: ${p.dporStopped})` : ""}` });
    if (p.foundBy !== null) figures.push({ label: "Found by", value: p.foundBy });
  }
  if (s.elapsedMs !== null) figures.push({ label: "Time", value: `${(s.elapsedMs / 1000).toFixed(2)} s` });
  return { headline, complete: s.complete, incomplete, figures };
}
