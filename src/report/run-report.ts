/**
 * Renders the outcome of `interlace run` as text for people or as one JSON object for programs.
 */
import { inspect } from "node:util";
import { stateToJson, type JsonValue } from "./state-json.js";
import type { InterlaceError } from "../errors.js";
import type { RunResult } from "../explore/trace-executor.js";

/** One-line rendering of the final state. */
function showState(state: unknown): string {
  return inspect(state, { depth: 4, breakLength: Infinity, compact: true, maxArrayLength: 32, maxStringLength: 200 });
}

/** Exit codes of the CLI. */
export const EXIT = { holds: 0, violated: 1, input: 2, fault: 3 } as const;

/** The JSON document `--json` prints. */
export interface RunReportJSON {
  outcome: "holds" | "violated" | "error";
  exitCode: number;
  scenario: string;
  schedule: string | null;
  invariantFailure?: string;
  /** The final state as JSON (`report/state-json.ts`: what JSON cannot hold is tagged). */
  state?: JsonValue;
  /** The final state as `util.inspect` prints it (what the text report shows). */
  stateText?: string;
  trace?: { step: number; thread: string; marker: string; file: string | null; line: number | null; text: string | null }[];
  warnings?: string[];
  timings?: RunResult["timings"];
  error?: { code: string; category: string; message: string };
}

/** Builds the JSON report of a finished run. */
export function resultToJSON(scenario: string, result: RunResult): RunReportJSON {
  return {
    outcome: result.invariantHolds ? "holds" : "violated",
    exitCode: result.invariantHolds ? EXIT.holds : EXIT.violated,
    scenario,
    schedule: result.schedule.toString(),
    ...(result.invariantFailure ? { invariantFailure: result.invariantFailure } : {}),
    state: stateToJson(result.state),
    stateText: showState(result.state),
    trace: result.trace.map((t) => ({
      step: t.index + 1,
      thread: t.step.thread,
      marker: t.step.marker,
      file: t.where?.file ?? null,
      line: t.where?.line ?? null,
      text: t.where?.text ?? null,
    })),
    warnings: result.warnings,
    timings: roundTimings(result.timings),
  };
}

/** Builds the JSON report of a run that raised an error. */
export function errorToJSON(scenario: string, schedule: string | null, error: InterlaceError): RunReportJSON {
  return {
    outcome: "error",
    exitCode: exitCodeOf(error),
    scenario,
    schedule,
    error: { code: error.code, category: error.category, message: error.message },
  };
}

/** Exit code for an error: 2 for rejected input, 3 for runtime faults. */
export function exitCodeOf(error: InterlaceError): number {
  return error.category === "input" ? EXIT.input : EXIT.fault;
}

/** Human-readable report of a finished run. */
export function resultToText(scenario: string, result: RunResult): string {
  const lines = [`interlace run ${scenario}`, `schedule: ${result.schedule.toString() || "(empty: threads run freely)"}`, ""];
  const rows = result.trace.map((t) => [
    String(t.index + 1),
    t.step.thread,
    t.step.marker,
    t.where ? `${t.where.file}:${t.where.line}` : "",
    t.where?.text ?? "",
  ]);
  if (rows.length) lines.push(...table([["step", "thread", "marker", "at", "code"], ...rows]), "");
  for (const warning of result.warnings) lines.push(`warning: ${warning}`);
  const state = showState(result.state);
  if (result.invariantHolds) {
    lines.push(`✓ invariant holds`, `  final state: ${state}`);
  } else {
    lines.push(`✗ invariant violated (${result.invariantFailure})`, `  final state: ${state}`);
  }
  const t = roundTimings(result.timings);
  lines.push(`  startup ${t.startupMs} ms, scheduling ${t.scheduleMs} ms, total ${t.totalMs} ms`);
  return lines.join("\n");
}

/** Human-readable report of an error. */
export function errorToText(error: InterlaceError): string {
  return `interlace: ${error.code}: ${error.message}`;
}

function table(rows: string[][]): string[] {
  const widths = rows[0]!.map((_, c) => Math.max(...rows.map((r) => r[c]!.length)));
  return rows.map((r) => `  ${r.map((cell, c) => (c === r.length - 1 ? cell : cell.padEnd(widths[c]!))).join("  ")}`.trimEnd());
}

function roundTimings(t: RunResult["timings"]): RunResult["timings"] {
  return {
    setupMs: Math.round(t.setupMs),
    startupMs: Math.round(t.startupMs),
    scheduleMs: Math.round(t.scheduleMs * 10) / 10,
    totalMs: Math.round(t.totalMs),
  };
}
