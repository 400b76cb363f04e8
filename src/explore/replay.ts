/**
 * Replaying a counterexample: its decisions followed again (`strategies/replay.ts`), on the
 * configuration it recorded (what was traced, `maxSteps`) unless told otherwise, on sources that
 * must not have changed since.
 *
 * @module
 */
import { InterlaceError, ScenarioError } from "../errors.js";
import type { Counterexample } from "../engine/counterexample.js";
import type { ExploreStep } from "../engine/task-explore.js";
import { Replay } from "../strategies/index.js";
import { checkSources } from "../tasks/source-hash.js";
import { explain } from "../report/explanation.js";
import { reportReplay, reportTarget } from "../report/html/index.js";
import { releaseFunctionOrigins } from "../access/function-origin.js";
import type { Scenario } from "../scenario.js";
import { ReplayDivergedError, type ExploreOptions, type MoreOptions } from "./options.js";
import { subjectOf, type Subject } from "./subject.js";

/** Replays a counterexample `times` times; resolves with how many runs failed the same way. */
export async function replay<S>(
  target: ExploreOptions<S> | Scenario<S>,
  counterexample: Counterexample,
  times = 1,
  more: MoreOptions<S> = {},
): Promise<{ failures: number; attempts: number; explanation: string }> {
  // What was traced and scheduled when it was recorded, unless the caller says otherwise.
  const recorded = counterexample.config;
  const withConfig: MoreOptions<S> = {
    ...(recorded === undefined ? {} : { tracePackages: recorded.tracePackages, maxSteps: recorded.maxSteps }),
    ...more,
  };
  const { subject, options: effective } = subjectOf(target, withConfig, counterexample.granularity ?? "markers");
  try {
    if (subject.names.join(",") !== counterexample.threads.join(",")) {
      throw new ScenarioError(`The counterexample was recorded for threads [${counterexample.threads.join(", ")}], but these are [${subject.names.join(", ")}].`);
    }
    if (subject.kind !== counterexample.kind) {
      throw new ScenarioError(`The counterexample was recorded for ${counterexample.kind} threads, but these are ${subject.kind} threads.`);
    }
    checkSources(counterexample, subject.root());
    const report = more.report === undefined ? null : reportTarget(more.report);
    const { failures, attempts, steps } = await replaySubject(subject, counterexample, times, false, () => effective.signal?.aborted === true);
    const { shrunkFrom: _, ...replayed } = counterexample;
    const explanation = explain(replayed, steps, { failures, attempts });
    if (report !== null) reportReplay(report, { scenario: more.name ?? counterexample.scenario, counterexample: replayed, steps, reproduced: { failures, attempts }, explanation });
    return { failures, attempts, explanation };
  } finally {
    releaseFunctionOrigins();
    await subject.close?.();
  }
}

/** What replays of a counterexample gave. */
export interface Replayed {
  failures: number;
  /** Replays that ran to their end. */
  attempts: number;
  /** The steps of the last replay that ran (with their recorded accesses). */
  steps: readonly ExploreStep[];
  /** With `tolerant`: why a replay could not follow the decisions (the program is not deterministic under control). */
  diverged?: string;
}

/**
 * Replays a counterexample `times` times (recording accesses). A replay that cannot follow the
 * decisions throws {@link ReplayDivergedError}, or with `tolerant` ends the replays and says so.
 * Once `stop()` is true no further replay starts.
 */
export async function replaySubject<S>(
  subject: Subject<S>,
  counterexample: Counterexample,
  times: number,
  tolerant = false,
  stop: () => boolean = () => false,
): Promise<Replayed> {
  let failures = 0;
  let steps: readonly ExploreStep[] = [];
  for (let i = 0; i < times; i++) {
    // Stopped (a signal): the replays that ran are the answer.
    if (stop()) return { failures, attempts: i, steps };
    let run;
    try {
      run = await subject.run(new Replay(counterexample.decisions), true);
    } catch (error) {
      const diverged = error instanceof Error && !(error instanceof InterlaceError) && /^(replay|exploration) diverged/.test(error.message);
      if (tolerant && (diverged || error instanceof InterlaceError)) return { failures, attempts: i, steps, diverged: error instanceof Error ? error.message : String(error) };
      if (diverged) throw new ReplayDivergedError((error as Error).message);
      throw error;
    }
    steps = run.steps;
    if (run.failure !== null && run.failure.kind === counterexample.failure.kind) failures += 1;
  }
  return { failures, attempts: times, steps };
}
