/**
 * What an exploration reports: the result object, and for a failure the counterexample — shrunk
 * to fewer preemptions, replayed for a reproduction figure, explained. A counterexample found is
 * never lost: when shrinking or replaying it goes wrong (the program does not replay
 * deterministically under control), the run the strategy found is reported as it was, with a note.
 *
 * @module
 */
import type { Counterexample } from "../engine/counterexample.js";
import type { ExploreStep } from "../engine/task-explore.js";
import { InterruptedError } from "../errors.js";
import type { StrategyName } from "../strategies/index.js";
import { hashSources } from "../tasks/source-hash.js";
import { installedTracePackages } from "../tasks/install.js";
import { explain } from "../report/explanation.js";
import { DEFAULTS, PropertyViolatedError, type ExploreResult, type MoreOptions } from "./options.js";
import { replaySubject } from "./replay.js";
import { countPreemptions, shrink } from "./shrink.js";
import type { Subject } from "./subject.js";
import type { Attempt } from "./task-attempt.js";
import type { Interrupt } from "./interrupt.js";

/** Shrinks a failing attempt, makes it a counterexample, replays it and explains it. */
export async function reportFailure<S>(
  subject: Subject<S>,
  options: MoreOptions<S>,
  strategyName: StrategyName,
  seed: number,
  found: { attempt: Attempt<S>; run: number },
  interrupt?: Interrupt,
): Promise<{ counterexample: Counterexample; explanation: string; reproduced: { failures: number; attempts: number } | null; state: S; steps: readonly ExploreStep[] }> {
  const original = found.attempt;
  const notes: string[] = [];
  let shrunk: Awaited<ReturnType<typeof shrink<S>>> = null;
  try {
    shrunk = await shrink((s) => subject.run(s), original, options.shrinkBudget ?? DEFAULTS.shrinkBudget, () => interrupt?.reason != null);
  } catch (error) {
    // The run the strategy found stands; shrinking is a nicety.
    notes.push(`Not shrunk: a shrinking run failed (${firstLine(error)}); this is the run the strategy found.`);
  }
  const last = shrunk ? shrunk.attempt : original;
  const counterexample: Counterexample = {
    format: "interlace-counterexample",
    version: 1,
    scenario: options.name ?? "explore",
    kind: subject.kind,
    ...(subject.granularity ? { granularity: subject.granularity } : {}),
    threads: subject.names,
    decisions: last.steps.map((s) => s.task),
    strategy: strategyName,
    seed,
    attempt: found.run + 1,
    sources: hashSources(last.steps, subject.root()),
    sourceRoot: "package",
    failure: last.failure!,
    ...(shrunk ? { shrunkFrom: { decisions: original.steps.length, preemptions: countPreemptions(original) } } : {}),
    config: {
      tracePackages: [...(subject.kind === "task" ? (installedTracePackages() ?? options.tracePackages ?? []) : (options.tracePackages ?? []))],
      maxSteps: options.maxSteps ?? DEFAULTS.maxSteps,
    },
  };
  const asked = options.reproduceOnFailure ?? DEFAULTS.reproduceOnFailure;
  const stopped = interrupt?.reason ?? null;
  // Interrupted (aborted, out of time): the counterexample is reported as found, without replays.
  const times = stopped === null ? asked : 0;
  if (stopped !== null && asked > 0) notes.push(`Not replayed: the exploration was interrupted (${stopped}).`);
  let replayed: Awaited<ReturnType<typeof replaySubject>> | null = null;
  try {
    replayed = times > 0 ? await replaySubject(subject, counterexample, times, true) : null;
  } catch (error) {
    // Aborted during a reproduction replay: the counterexample stands, unreplayed.
    if (!(error instanceof InterruptedError)) throw error;
    notes.push("Not replayed: the exploration was interrupted (aborted).");
  }
  const reproduced = replayed ? { failures: replayed.failures, attempts: replayed.attempts } : null;
  if (replayed?.diverged !== undefined) {
    notes.push(
      `The program is not deterministic under interlace's control: replay ${replayed.attempts + 1} of ${times} could not follow ` +
        `the decisions (${replayed.diverged.split("\n")[0]}). The counterexample is the run that failed; it may not replay every time.`,
    );
  }
  // The replays record accesses, so the explanation can show what each step read and wrote.
  const steps = replayed !== null && replayed.attempts > 0 ? replayed.steps : last.steps;
  const explanation = [explain(counterexample, steps, reproduced), ...notes].join("\n\n");
  return { counterexample, explanation, reproduced, state: last.state, steps };
}

function firstLine(error: unknown): string {
  return (error instanceof Error ? `${error.name}: ${error.message}` : String(error)).split("\n")[0] ?? "";
}

export function result<S>(
  propertyHolds: boolean,
  counts: Pick<ExploreResult<S>, "numExplored" | "numFailed" | "complete" | "exhausted" | "unmodelled" | "portfolio" | "interrupted">,
  counterexample: Counterexample | null,
  explanation: string | null,
  reproduced: { failures: number; attempts: number } | null,
  state: S | undefined,
  seed: number,
  strategy: StrategyName,
  steps: readonly ExploreStep[] | null = null,
): ExploreResult<S> {
  return {
    propertyHolds,
    ...counts,
    counterexample,
    steps,
    explanation,
    reproduced,
    state,
    seed,
    strategy,
    assertHolds(messagePrefix?: string) {
      if (propertyHolds || counterexample === null) return;
      throw new PropertyViolatedError(`${messagePrefix ? `${messagePrefix}: ` : ""}${explanation ?? "the property does not hold"}`, counterexample);
    },
  };
}

