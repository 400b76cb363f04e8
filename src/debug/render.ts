/**
 * The text `interlace debug` prints: where the walk stands (every thread with its state and source
 * line, the last steps with what they read and wrote), stacks, the help. Pure: view in, text out.
 *
 * @module
 */
import { inspect } from "node:util";
import type { Failure } from "../engine/counterexample.js";
import type { Where } from "../engine/schedule-run.js";
import type { ThreadAccess } from "../engine/step-accesses.js";
import type { ExploreStep } from "../engine/task-explore.js";
import { findConflicts } from "../report/conflicts.js";
import { COMMAND_HELP } from "./commands.js";
import type { FrameLine } from "./driver.js";
import type { SessionView } from "./session.js";

/** Steps shown under the threads. */
const LAST_STEPS = 5;
/** Accesses shown per step; the rest are counted. */
const SHOWN_ACCESSES = 6;

/** `file:line:column` (1-based column). */
export function position(where: Where): string {
  return `${where.file}:${where.line}:${where.column + 1}`;
}

/** The threads and the last steps. */
export function renderView(view: SessionView): string {
  const lines: string[] = [];
  const of = view.planned > view.step ? ` of ${view.planned}` : "";
  const over = view.ended === null ? "" : view.ended.fault !== null ? "  (run ended: fault)" : view.ended.failure !== null ? `  (run ended: ${view.ended.failure.kind})` : "  (every thread finished)";
  lines.push(`── step ${view.step}${of}${over}`);
  const nameWidth = Math.max(6, ...view.threads.map((t) => t.name.length));
  for (const t of view.threads) {
    const flag = t.planned ? "→" : t.runnable ? "•" : " ";
    const state = t.state === "stopped" ? `stopped at ${t.detail}` : t.detail ? `${t.state} (${t.detail})` : t.state;
    const at = t.where === undefined ? "" : `  ${position(t.where)}${t.where.text ? `  ${t.where.text}` : ""}`;
    lines.push(`${flag} ${t.name.padEnd(nameWidth)} ${state}${at}`);
  }
  if (view.ended?.fault) lines.push(`  fault: ${view.ended.fault.split("\n").join("\n    ")}`);
  else if (view.ended?.failure) lines.push(`  ${view.ended.failure.kind}: ${view.ended.failure.message.split("\n").join("\n    ")}`);
  if (view.steps.length > 0) {
    const first = Math.max(0, view.steps.length - LAST_STEPS);
    lines.push(first > 0 ? `last steps (${first} earlier):` : "steps:");
    lines.push(...stepLines(view.steps, first));
  }
  const runnable = view.threads.filter((t) => t.runnable).map((t) => t.name);
  if (view.ended === null) lines.push(`runnable: ${runnable.join(", ") || "none"}${view.threads.some((t) => t.planned) ? "  (→ recorded next: `next`)" : ""}`);
  return lines.join("\n");
}

/** Steps `from`… as explanation-like lines: number, thread (`*`: a preemption), where it resumed, its accesses. */
export function stepLines(steps: readonly ExploreStep[], from = 0): string[] {
  const conflicting = new Set(findConflicts(steps).flatMap((c) => [c.first.location, c.second.location]));
  const width = Math.max(6, ...steps.map((s) => s.task.length));
  return steps.slice(from).map((s, i) => {
    const n = String(from + i + 1).padStart(5);
    const task = `${s.task}${s.preemption ? "*" : ""}`.padEnd(width + 1);
    const what =
      s.gate === "start" ? "starts"
      : `${s.where ? position(s.where) : "(unknown position)"}  ${gateLabel(s)}${s.where?.text ?? ""}`;
    return `${n}  ${task} ${what}${accessText(s, conflicting)}`.trimEnd();
  });
}

function gateLabel(s: ExploreStep): string {
  switch (s.gate) {
    case "marker":
      return `[${s.marker}] `;
    case "await":
      return "after await: ";
    case "acquire":
      return `takes ${s.lock ?? "a lock"}: `;
    case "callback":
      return `${s.callback ?? "callback"} callback of: `;
    default:
      return "";
  }
}

function accessText(step: ExploreStep, conflicting: ReadonlySet<string>): string {
  const accesses = (step.accesses ?? []).filter((a) => a.op !== "read" || a.value !== undefined || conflicting.has(a.location));
  if (accesses.length === 0) return "";
  const shown = accesses.slice(0, SHOWN_ACCESSES).map((a) => `[${describe(a, step.task)}]`);
  if (accesses.length > SHOWN_ACCESSES) shown.push(`(+${accesses.length - SHOWN_ACCESSES} more)`);
  return `  ${shown.join(" ")}`;
}

function describe(a: ThreadAccess, stepThread: string): string {
  const who = a.thread === stepThread ? "" : `${a.thread}: `;
  const value = a.value === undefined || a.op === "acquire" || a.op === "release" ? "" : ` = ${a.value}`;
  return `${who}${a.op} ${a.label ?? a.location}${value}`;
}

/** A stack, innermost frame first. */
export function renderStack(thread: string, frames: readonly FrameLine[], kind: "task" | "isolate"): string {
  if (kind === "task") {
    const f = frames[0];
    const at = f?.where ? `${position(f.where)}  ${f.where.text ?? ""}` : "(position unknown)";
    return `${thread} is parked at ${f?.functionName ?? "a gate"}: ${at}\n  (a parked task is suspended in an await and has no stack: its gate is where it is; print reads its frame's variables)`;
  }
  // Frames outside traced code (interlace's runtime that called the thread's function, node internals) are counted, not shown.
  const traced = frames.filter((f) => f.where !== null);
  const lines = traced.map((f, i) => `  #${i} ${f.functionName || "(anonymous)"}  ${position(f.where!)}${f.where!.text ? `  ${f.where!.text}` : ""}`);
  const hidden = frames.length - traced.length;
  if (hidden > 0) lines.push(`  (+${hidden} frame${hidden === 1 ? "" : "s"} outside traced code)`);
  return lines.join("\n");
}

/** The invariant's verdict. */
export function renderInvariant(failure: Failure | null): string {
  return failure === null ? "✓ invariant holds" : `✗ invariant violated (${failure.message.split("\n")[0]})`;
}

/** The scenario state. */
export function renderState(state: unknown): string {
  return inspect(state, { depth: 4, breakLength: 120 });
}

/** `help`. */
export function renderHelp(): string {
  const width = Math.max(...COMMAND_HELP.map(([c]) => c.length));
  return ["Commands:", ...COMMAND_HELP.map(([c, what]) => `  ${c.padEnd(width)}  ${what}`), "A thread marked • may run now; → is the recorded next decision."].join("\n");
}
