/**
 * HTML reports of explorations and replays: `report: "race.html"` (`explore()`, `replay()`),
 * `--report` (CLI), the vitest plugin's `report` folder. `model.ts` builds the view model,
 * `render.ts` the page, `write.ts` writes it.
 *
 * @module
 */
import type { Counterexample } from "../../engine/counterexample.js";
import type { ExploreStep } from "../../engine/task-explore.js";
import type { ExploreResult } from "../../explore/options.js";
import { offerTestReport, testReportsOpen } from "./vitest-slot.js";
import { reportHTML, writeReport, type ReportTarget } from "./write.js";

export { ReportPathError, reportTarget, type ReportOption, type ReportTarget } from "./write.js";

/** What the report of an exploration needs besides its result. */
export interface ExplorationContext {
  scenario: string;
  /** The run budget. */
  budget: number;
  elapsedMs: number;
  /** Replays the counterexample once, recording accesses: the steps the report shows. */
  replay: (counterexample: Counterexample) => Promise<readonly ExploreStep[]>;
}

/**
 * The report of an exploration: written to `target`; with no target, left for the running vitest
 * test when the plugin's `report` option is on and a counterexample was found.
 */
export async function reportExploration(target: ReportTarget | null, result: ExploreResult<unknown>, context: ExplorationContext): Promise<void> {
  const c = result.counterexample;
  if (target === null && (c === null || !testReportsOpen())) return;
  // The result keeps no steps: one more replay records them (not after an interruption).
  const steps = c !== null && result.interrupted === null ? await context.replay(c) : [];
  const page = (): string =>
    reportHTML({
      command: "explore",
      scenario: context.scenario,
      counterexample: c,
      steps,
      reproduced: result.reproduced,
      counterexampleFile: target?.counterexampleFile ?? null,
      explanation: result.explanation,
      search: {
        strategy: result.strategy,
        seed: result.seed,
        numExplored: result.numExplored,
        numFailed: result.numFailed,
        budget: context.budget,
        complete: result.complete,
        exhausted: result.exhausted,
        unmodelled: result.unmodelled,
        interrupted: result.interrupted,
        portfolio: result.portfolio,
        elapsedMs: context.elapsedMs,
      },
    });
  if (target !== null) writeReport(target.file, page());
  else offerTestReport(page);
}

/** The report of a replay. */
export function reportReplay(
  target: ReportTarget,
  data: { scenario: string; counterexample: Counterexample; steps: readonly ExploreStep[]; reproduced: { failures: number; attempts: number }; explanation: string },
): void {
  writeReport(target.file, reportHTML({ command: "replay", counterexampleFile: target.counterexampleFile, search: null, ...data }));
}
