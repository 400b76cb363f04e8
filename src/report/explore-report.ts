/**
 * Renders the outcomes of `interlace explore` and `interlace replay` as text for people or as one
 * JSON object for programs. The explanation itself comes from `explore()` / `replay()`.
 */
import { inspect } from "node:util";
import { stateToJson, type JsonValue } from "./state-json.js";
import type { InterlaceError } from "../errors.js";
import type { Counterexample, Failure } from "../engine/counterexample.js";
import type { ExploreResult } from "../explore/explore.js";
import { EXIT, exitCodeOf } from "./run-report.js";
import { describeUnmodelled, unmodelledAdvice, type UnmodelledEffect } from "../explore/unmodelled.js";
import { OVERFLOW_ORIGIN, PAST_MAX_STEPS_ORIGIN } from "../strategies/access.js";

/** What the report needs besides the result. */
export interface ExploreContext {
  /** The scenario path as given on the command line. */
  scenario: string;
  /** Where `--save` wrote the counterexample, if it did. */
  savedTo: string | null;
  /** The attempt budget explore ran under (`maxAttempts`), when known. */
  budget: number | undefined;
}

/** The JSON document `interlace explore --json` prints. */
export interface ExploreReportJSON {
  outcome: "holds" | "violated";
  exitCode: number;
  scenario: string;
  strategy: string;
  seed: number;
  propertyHolds: boolean;
  numExplored: number;
  /** Runs that violated the property. */
  numFailed: number;
  /** True when the strategy ran out of interleavings to try before the budget was spent, and every effect was observed. */
  searchComplete: boolean;
  /** True when the strategy ran out of interleavings to try (even if some effects were not observed). */
  exhausted: boolean;
  /** Calls into code whose effects were not observed, by origin (see `explore()`'s result). */
  unmodelled: UnmodelledEffect[];
  /** Why the exploration stopped before its budget (`aborted`: a signal such as Ctrl-C; `time budget`), else null. */
  interrupted: ExploreResult["interrupted"];
  /** `portfolio` only: the member whose run found the counterexample, DPOR's executions, whether it ran every class, why it stopped early. */
  portfolio?: ExploreResult["portfolio"];
  /** Worker/process scenarios: where threads stopped, and whether interlace chose it (see `explore()`'s result). */
  granularity?: ExploreResult["granularity"];
  counterexample: Counterexample | null;
  explanation: string | null;
  /** How many replays of the counterexample failed the same way. */
  reproduced: { failures: number; attempts: number } | null;
  savedTo: string | null;
  /** The state after the failing attempt (or the last one), as JSON (`report/state-json.ts`: what JSON cannot hold is tagged). */
  state: JsonValue;
  /** The same state as `util.inspect` prints it (what the text report shows). */
  stateText: string;
}

/** The JSON document `interlace replay --json` prints. */
export interface ReplayReportJSON {
  /** `violated` when the recorded failure reproduced at least once, `holds` when it never did. */
  outcome: "holds" | "violated";
  exitCode: number;
  scenario: string;
  /** Path of the counterexample file. */
  counterexample: string;
  /** The failure the counterexample recorded. */
  failure: Failure;
  reproduced: { failures: number; attempts: number };
  explanation: string;
}

/** The JSON document `explore --json` / `replay --json` print on an error. */
export interface CommandErrorJSON {
  outcome: "error";
  exitCode: number;
  scenario: string;
  error: { code: string; category: string; message: string };
}

/** The outcome of `interlace replay`, as `replay()` resolves it. */
export interface ReplayOutcome {
  failures: number;
  attempts: number;
  explanation: string;
}

/** Exit code of an exploration: 0 when the property holds, 1 on a counterexample. */
export function exploreExitCode(result: ExploreResult): number {
  return result.propertyHolds ? EXIT.holds : EXIT.violated;
}

/** Exit code of a replay: 1 when the failure reproduced at least once, 0 when it never did. */
export function replayExitCode(outcome: ReplayOutcome): number {
  return outcome.failures > 0 ? EXIT.violated : EXIT.holds;
}

/** Builds the JSON report of a finished exploration. */
export function exploreToJSON(result: ExploreResult, context: ExploreContext): ExploreReportJSON {
  return {
    outcome: result.propertyHolds ? "holds" : "violated",
    exitCode: exploreExitCode(result),
    scenario: context.scenario,
    strategy: result.strategy,
    seed: result.seed,
    propertyHolds: result.propertyHolds,
    numExplored: result.numExplored,
    numFailed: result.numFailed,
    searchComplete: searchComplete(result, context),
    exhausted: result.exhausted,
    unmodelled: result.unmodelled,
    interrupted: result.interrupted,
    ...(result.portfolio ? { portfolio: result.portfolio } : {}),
    ...(result.granularity ? { granularity: result.granularity } : {}),
    counterexample: result.counterexample,
    explanation: result.explanation,
    reproduced: result.reproduced,
    savedTo: context.savedTo,
    state: stateToJson(result.state),
    stateText: showState(result.state),
  };
}

/** Human-readable report of a finished exploration. */
export function exploreToText(result: ExploreResult, context: ExploreContext): string {
  const portfolio = result.portfolio;
  const foundBy = !result.propertyHolds && portfolio?.foundBy ? ` (${portfolio.foundBy} run)` : "";
  const how = `${result.strategy}${foundBy}, seed ${result.seed}`;
  const stopped = portfolio?.dporStopped ? [`note: DPOR stopped after ${portfolio.dporExecutions} executions, the other runs were random and PCT: ${portfolio.dporStopped}`] : [];
  if (result.interrupted !== null) {
    const why = result.interrupted === "aborted" ? "it was interrupted" : "its time budget was spent";
    stopped.push(`note: stopped early, ${why}, after ${result.numExplored} run${result.numExplored === 1 ? "" : "s"}${context.budget === undefined ? "" : ` of ${context.budget}`}${result.propertyHolds ? ": not a proof" : ""}`);
  }
  if (result.granularity?.chosen === true && result.granularity.value === "io") {
    stopped.push("note: granularity io (the default when every thread is a process): a decision at each marker and each operation on a file, connection, database, child process or native addon; --granularity statements steps every statement of traced code");
  }
  if (result.propertyHolds) {
    const unit = result.strategy === "dpor" ? "execution" : portfolio ? "run" : "interleaving";
    const runs = `${result.numExplored} ${unit}${result.numExplored === 1 ? "" : "s"}`;
    const complete = searchComplete(result, context) ? `; search complete${portfolio ? `: DPOR ran every class in ${portfolio.dporExecutions}` : ""}` : "";
    return [`✓ property holds over ${runs} (${how}${complete})`, ...stopped, ...notModelled(result)].join("\n");
  }
  const lines = [
    `✗ counterexample found at run ${result.numExplored}${context.budget === undefined ? "" : ` of ${context.budget}`} (${how})`,
    ...stopped,
    "",
    result.explanation ?? "(no explanation)",
    "",
    `final state: ${showState(result.state)}`,
  ];
  if (context.savedTo !== null) {
    lines.push(`Replay it: interlace replay ${context.scenario} ${context.savedTo}`);
  } else {
    lines.push(`To replay it, add --save <file> and run: interlace replay ${context.scenario} <file>`);
  }
  if (result.strategy === "random" || result.strategy === "pct" || result.strategy === "portfolio") {
    lines.push(`The same exploration again: interlace explore ${context.scenario} --strategy ${result.strategy} --seed ${result.seed}`);
  }
  return lines.join("\n");
}

/** Builds the JSON report of a finished replay. */
export function replayToJSON(outcome: ReplayOutcome, counterexample: Counterexample, scenario: string, file: string): ReplayReportJSON {
  return {
    outcome: outcome.failures > 0 ? "violated" : "holds",
    exitCode: replayExitCode(outcome),
    scenario,
    counterexample: file,
    failure: counterexample.failure,
    reproduced: { failures: outcome.failures, attempts: outcome.attempts },
    explanation: outcome.explanation,
  };
}

/** Human-readable report of a finished replay. */
export function replayToText(outcome: ReplayOutcome, counterexample: Counterexample): string {
  const ratio = `${outcome.failures}/${outcome.attempts}`;
  if (outcome.failures > 0) {
    return [`✗ the counterexample fails again (${ratio} replays)`, "", outcome.explanation].join("\n");
  }
  return [
    `✓ the counterexample did not fail: fixed? (${ratio} replays failed)`,
    `  it recorded: ${counterexample.failure.kind}: ${counterexample.failure.message.split("\n")[0] ?? ""}`,
  ].join("\n");
}

/** Builds the JSON report of an explore or replay that raised an error. */
export function commandErrorToJSON(scenario: string, error: InterlaceError): CommandErrorJSON {
  return {
    outcome: "error",
    exitCode: exitCodeOf(error),
    scenario,
    error: { code: error.code, category: error.category, message: error.message },
  };
}

/** Why a pass is not a proof: the untraced code the runs called, and what to trace. */
function notModelled(result: ExploreResult): string[] {
  if (result.unmodelled.length === 0) return [];
  const own = (e: UnmodelledEffect) => e.origin === OVERFLOW_ORIGIN || e.origin === PAST_MAX_STEPS_ORIGIN;
  const untraced = result.unmodelled.filter((e) => !own(e));
  const unwatched = result.unmodelled.filter(own);
  const calls = untraced.reduce((sum, e) => sum + e.calls, 0);
  const searched = result.exhausted ? "every order the strategy could tell apart was explored, but " : "";
  const what = [
    ...(calls === 0 ? [] : [`${calls} call${calls === 1 ? "" : "s"} went to code whose effects interlace did not observe`]),
    ...(unwatched.length === 0 ? [] : ["some steps were not fully scheduled or recorded"]),
  ].join(", and ");
  const advice = unmodelledAdvice(result.unmodelled);
  return [
    `  not a proof: ${searched}${what}:`,
    ...(untraced.length === 0 ? [] : [`    untraced: ${describeUnmodelled(untraced)}`]),
    ...(unwatched.length === 0 ? [] : [`    unwatched: ${describeUnmodelled(unwatched)}`]),
    ...(advice === "" ? [] : [`    ${advice}`]),
  ];
}

function searchComplete(result: ExploreResult, _context: ExploreContext): boolean {
  return result.propertyHolds && result.complete;
}

function showState(state: unknown): string {
  return inspect(state, { depth: 4, breakLength: Infinity, compact: true, maxArrayLength: 32, maxStringLength: 200 });
}
