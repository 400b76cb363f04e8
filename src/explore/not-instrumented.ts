/**
 * "Nothing traced" is an error, never a pass. An exploration in which no thread reached a single
 * scheduling point explored one interleaving — the threads' starts in some order — and its verdict
 * says nothing about their races: most often the code under test was not instrumented (vitest
 * without the plugin, `explore()` from plain `node`, racy code under `node_modules`), sometimes it
 * never awaits. Either way the user has to act, so the exploration stops with a typed error that
 * says how, for every strategy.
 *
 * @module
 */
import { InterlaceError } from "../errors.js";
import type { ExploreStep } from "../engine/task-explore.js";
import { getGates } from "../tasks/gates.js";
import { accessInstrumentedFiles } from "../access/runtime.js";
import type { UnmodelledEffect } from "./unmodelled.js";

/** How to get task code instrumented, for the messages. */
const HOW_TO_INSTRUMENT =
  "Instrument the code under test: with vitest, add the plugin (`import { interlace } from \"interlace/vitest\"` and " +
  "`plugins: [interlace()]` in vitest.config); with node, `node --import interlace/register app.js` " +
  "(TypeScript: `node --import tsx --import interlace/register app.ts`); or run it with `interlace explore scenario.ts`, " +
  "which instruments the scenario and what it imports.";

/** The exploration could not interleave anything: no thread reached a scheduling point. */
export class NotInstrumentedError extends InterlaceError {
  constructor(message: string) {
    super("E_NOT_INSTRUMENTED", "input", message);
  }
}

/** Throws before the first task attempt when no instrumented code at all is loaded in this process. */
export function checkTasksInstrumented(): void {
  if (getGates().files.length > 0 || accessInstrumentedFiles().size > 0) return;
  throw new NotInstrumentedError(
    "No instrumented code is loaded in this process, so task threads have no scheduling point: every attempt would run " +
      `each thread to its end in turn, and "the property holds" would mean nothing. ${HOW_TO_INSTRUMENT}`,
  );
}

/** Whether an attempt's decisions were only the threads' starts. */
export function reachedNoPoint(steps: readonly ExploreStep[]): boolean {
  return steps.every((step) => step.gate === "start");
}

/**
 * The error for an attempt that reached no scheduling point.
 *
 * @param kind - Task threads, or worker/process threads (stepped at statements or markers).
 * @param untraced - Untraced code the threads called (when accesses were recorded): often the reason.
 */
export function noPointError(kind: "task" | "isolate", untraced: readonly UnmodelledEffect[], granularity?: "statements" | "markers" | "io"): NotInstrumentedError {
  const packages = untraced.flatMap((e) => (e.package === undefined ? [] : [e.package]));
  const intoPackages =
    packages.length > 0
      ? ` The threads call into ${packages.map((p) => `"${p}"`).join(", ")}, which ${packages.length === 1 ? "is" : "are"} not traced: ` +
        (kind === "task"
          ? `trace ${packages.length === 1 ? "it" : "them"} with interlace({ tracePackages: ${JSON.stringify(packages)} }) in vitest.config, ` +
            `INTERLACE_TRACE_PACKAGES=${packages.join(",")} with --import interlace/register, or --trace-packages ${packages.join(",")}.`
          : `pass tracePackages: ${JSON.stringify(packages)} (CLI: --trace-packages ${packages.join(",")}).`)
      : "";
  if (kind === "task") {
    return new NotInstrumentedError(
      "No task thread reached a scheduling point (an await, a marker, a deferred callback) of instrumented code, so nothing " +
        "could interleave: the exploration would have tried one order of whole threads and proven nothing." +
        intoPackages +
        ` If the thread functions are in a file that is not instrumented, or their awaits are in code that is not: ${HOW_TO_INSTRUMENT} ` +
        "If the threads never await, they cannot race with each other as tasks; explore them as worker threads instead.",
    );
  }
  const where = granularity === "markers" ? "at a marker" : granularity === "io" ? "at a marker or an external operation" : "at a statement of traced code";
  return new NotInstrumentedError(
    `No thread stopped ${where}, so nothing could interleave.` +
      intoPackages +
      " Code under node_modules is traced only when named in tracePackages (CLI: --trace-packages); " +
      (granularity === "markers" ? "markers are `// interlace: name` comments in the threads' code." : "check that the thread modules are the code under test."),
  );
}
