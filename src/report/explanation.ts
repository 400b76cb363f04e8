/**
 * The text that explains a counterexample: what failed, how it is classified, the interleaving
 * step by step with original source positions, and how reliably it reproduces.
 */
import type { Counterexample } from "../engine/counterexample.js";
import type { ExploreStep } from "../engine/task-explore.js";

/** Renders the explanation of a counterexample from the steps of a run that followed it. */
export function explain(counterexample: Counterexample, steps: readonly ExploreStep[], reproduced: { failures: number; attempts: number } | null): string {
  const preemptions = steps.filter((s) => s.preemption).length;
  const lines = [
    `${headline(counterexample)}`,
    "",
    `Interleaving (${counterexample.strategy}, seed ${counterexample.seed}, attempt ${counterexample.attempt + 1}: ` +
      `${steps.length} decisions, ${preemptions} preemption${preemptions === 1 ? "" : "s"}):`,
    ...interleaving(steps),
  ];
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
function interleaving(steps: readonly ExploreStep[]): string[] {
  const width = Math.max(6, ...steps.map((s) => s.task.length));
  return steps.map((s, i) => {
    const n = String(i + 1).padStart(4);
    const task = `${s.task}${s.preemption ? "*" : ""}`.padEnd(width + 1);
    if (s.gate === "start") return `${n}  ${task} starts`;
    // Statements share lines (a loop condition and its body, a call inside a statement): with a column.
    const at = s.where ? `${s.where.file}:${s.where.line}${s.gate === "statement" ? `:${s.where.column + 1}` : ""}` : "(unknown position)";
    const what = s.gate === "marker" ? `[${s.marker}] ` : s.gate === "await" ? "after await: " : "";
    return `${n}  ${task} ${at}  ${what}${s.where?.text ?? ""}`.trimEnd();
  });
}
