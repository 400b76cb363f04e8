/**
 * The text that explains a counterexample: what failed, how it is classified, the interleaving
 * step by step with original source positions, and how reliably it reproduces.
 */
import type { Counterexample } from "../engine/counterexample.js";
import type { ThreadAccess } from "../engine/step-accesses.js";
import type { ExploreStep } from "../engine/task-explore.js";
import { classify, describeConflicts, findConflicts } from "./conflicts.js";

/** Accesses shown per step; the rest are counted. */
const SHOWN_ACCESSES = 6;

/** Renders the explanation of a counterexample from the steps of a run that followed it. */
export function explain(counterexample: Counterexample, recordedSteps: readonly ExploreStep[], reproduced: { failures: number; attempts: number } | null): string {
  const steps = disambiguate(recordedSteps);
  const preemptions = steps.filter((s) => s.preemption).length;
  const lines = [`${headline(counterexample)}`];
  const recorded = steps.some((s) => s.accesses !== undefined);
  if (recorded) {
    const kind = counterexample.failure.kind;
    const pattern = kind === "deadlock" ? null : classify(steps, kind === "exception");
    if (pattern !== null) lines.push(`Classification: ${pattern.name}. ${pattern.detail}`);
    // The conflicts on the classified location first: the others are often incidental.
    const all = findConflicts(steps);
    const conflicts = describeConflicts(pattern === null ? all : [...all.filter((c) => c.label === pattern.label), ...all.filter((c) => c.label !== pattern.label)]);
    if (conflicts.length > 0) lines.push("", ...conflicts);
  }
  lines.push(
    "",
    `Interleaving (${counterexample.strategy}, seed ${counterexample.seed}, attempt ${counterexample.attempt}: ` +
      `${steps.length} decisions${granularityNote(counterexample.granularity)}, ${preemptions} preemption${preemptions === 1 ? "" : "s"}):`,
    ...interleaving(steps, conflicting(steps)),
  );
  if (counterexample.shrunkFrom) {
    const from = counterexample.shrunkFrom;
    lines.push("", `Shrunk from ${from.decisions} decisions and ${from.preemptions} preemption${from.preemptions === 1 ? "" : "s"} (the run the strategy found).`);
  }
  if (reproduced) lines.push("", `Reproduced ${reproduced.failures}/${reproduced.attempts} times.`);
  return lines.join("\n");
}

function headline(c: Counterexample): string {
  switch (c.failure.kind) {
    case "deadlock":
      return `Deadlock found.\n${c.failure.message}`;
    case "exception":
      return `Uncaught exception.\n${c.failure.message}`;
    case "invariant":
      return `Invariant violated (${c.failure.message}).`;
  }
}

/**
 * One line per decision: step, thread (`*` = a preemption: it ran although the previous thread
 * could have continued), and where it resumed: its start, past a marker, after an await, or (worker
 * and process threads) at a statement.
 */
function interleaving(steps: readonly ExploreStep[], conflicting: ReadonlySet<string>): string[] {
  const width = Math.max(6, ...steps.map((s) => s.task.length));
  return steps.map((s, i) => {
    const n = String(i + 1).padStart(4);
    const task = `${s.task}${s.preemption ? "*" : ""}`.padEnd(width + 1);
    if (s.gate === "start") return `${n}  ${task} starts${annotate(s, conflicting)}`;
    // Statements share lines (a loop condition and its body, a call inside a statement): with a column.
    const at = s.where ? `${s.where.file}:${s.where.line}${s.gate === "statement" ? `:${s.where.column + 1}` : ""}` : "(unknown position)";
    const what =
      s.gate === "marker" ? `[${s.marker}] `
      : s.gate === "await" ? "after await: "
      : s.gate === "acquire" ? `takes ${s.lock ?? "a lock"}: `
      : s.gate === "callback" ? `${s.callback ?? "callback"} callback of: `
      : "";
    return `${n}  ${task} ${at}  ${what}${s.where?.text ?? ""}${annotate(s, conflicting)}`.trimEnd();
  });
}

/**
 * Labels drop object ids (`Account.balance`); where two locations of the run share a label (two
 * accounts), their accesses are shown with the id (`Account#1.balance`, `Account#2.balance`).
 */
function disambiguate(steps: readonly ExploreStep[]): readonly ExploreStep[] {
  const locations = new Map<string, Set<string>>();
  for (const step of steps) {
    for (const a of step.accesses ?? []) {
      const label = a.label ?? a.location;
      let set = locations.get(label);
      if (set === undefined) locations.set(label, (set = new Set()));
      set.add(a.location);
    }
  }
  const shared = (label: string): boolean => (locations.get(label)?.size ?? 0) > 1;
  if (![...locations.keys()].some(shared)) return steps;
  return steps.map((step) =>
    step.accesses === undefined
      ? step
      : { ...step, accesses: step.accesses.map((a) => (shared(a.label ?? a.location) ? { ...a, label: a.location.replace(/^lock:/, "") } : a)) },
  );
}

/** Locations with a conflict in the run. */
function conflicting(steps: readonly ExploreStep[]): Set<string> {
  return new Set(findConflicts(steps).flatMap((c) => [c.first.location, c.second.location]));
}

/**
 * `  [read Counter.value = 0] [write Counter.value = 1]`: what the step did to shared memory.
 * Reads of unknown value (method lookups such as `Counter.get`) are shown only where they conflict.
 */
function annotate(step: ExploreStep, conflicting: ReadonlySet<string>): string {
  const accesses = (step.accesses ?? []).filter((a) => a.op !== "read" || a.value !== undefined || conflicting.has(a.location));
  if (accesses.length === 0) return "";
  const shown = accesses.slice(0, SHOWN_ACCESSES).map((a) => `[${describeAccess(a, step.task)}]`);
  if (accesses.length > SHOWN_ACCESSES) shown.push(`(+${accesses.length - SHOWN_ACCESSES} more)`);
  return `  ${shown.join(" ")}`;
}

function describeAccess(access: ThreadAccess, stepThread: string): string {
  // Code of another thread that the step woke (a resolved promise, a notify) ran within it.
  const who = access.thread === stepThread ? "" : `${access.thread}: `;
  const value = access.value === undefined || access.op === "acquire" || access.op === "release" ? "" : ` = ${access.value}`;
  return `${who}${access.op} ${access.label ?? access.location}${value}`;
}

/** Where isolates' decisions were taken, when it is not every statement (the default). */
function granularityNote(granularity: "statements" | "markers" | "io" | undefined): string {
  if (granularity === "io") return " at markers and external operations";
  if (granularity === "markers") return " at markers";
  return "";
}
