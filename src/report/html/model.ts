/**
 * The view model of an HTML report: everything the page shows, as plain JSON, built from what an
 * exploration or a replay gives (the counterexample, the steps of a run that followed it with
 * their recorded accesses, the reproduction figure, the search figures). The page's script draws
 * the timeline from it; `render.ts` writes the rest of the page from it.
 *
 * Pure: the sources are read through the `source` callback (`write.ts` reads files). Every list
 * keeps the order of the trace, so the same input gives the same model, byte for byte.
 */
import type { Counterexample } from "../../engine/counterexample.js";
import type { ExploreStep } from "../../engine/task-explore.js";
import type { UnmodelledEffect } from "../../explore/unmodelled.js";
import { classify, describeConflicts, findConflicts, type Conflict } from "../conflicts.js";
import { parseDeadlock, type DeadlockModel } from "./deadlock.js";
import { foldSteps, type Fold } from "./fold.js";
import { summaryOf, type SearchFigures, type SummaryModel } from "./summary.js";

export type { SearchFigures } from "./summary.js";

/** Lines of source shown on each side of a step's line. */
export const CONTEXT_LINES = 3;

/** What a report is made from. */
export interface ReportInput {
  /** The command (or API call) that made it. */
  command: "explore" | "replay";
  /** The scenario as the user named it (a path for the CLI, `options.name` for the API). */
  scenario: string;
  counterexample: Counterexample | null;
  /** The steps of a run that followed the counterexample, with their accesses when recorded. */
  steps: readonly ExploreStep[];
  reproduced: { failures: number; attempts: number } | null;
  /** Where the counterexample was saved (`--save`) or read from (`replay`), for the replay command. */
  counterexampleFile: string | null;
  /** The text explanation, shown as is in the page. */
  explanation: string | null;
  /** `explore` only: the figures of the search. */
  search: SearchFigures | null;
  /** The text of a traced source file as displayed in steps (relative to the working directory), or null. */
  source: (file: string) => string | null;
}

export interface AccessModel {
  /** The thread whose code made it (another thread's code may run within a step: a resolved promise). */
  thread: string;
  op: "read" | "write" | "acquire" | "release";
  /** What was touched, for people: `Account.balance`, `balance[0]`, a lock's name, a SQL row, a file. */
  resource: string;
  /** The exact location (`obj#3.balance`, `sab#1[0]`). */
  location: string;
  value: string | null;
  /** Untraced code: where it came from. */
  origin: string | null;
  /** Part of a conflict of the run. */
  conflicting: boolean;
}

export interface StepModel {
  /** 1-based, as in the text explanation. */
  n: number;
  thread: string;
  /** Index in {@link ReportModel.threads}. */
  lane: number;
  gate: ExploreStep["gate"];
  /** What the thread was stopped at: `starts`, `[read_balance]`, `after await`, `takes fork0`… */
  what: string;
  /** `file:line:column`, or null when unknown. */
  where: string | null;
  /** The trimmed source line. */
  text: string | null;
  preemption: boolean;
  /** Index in {@link ReportModel.snippets}, or null. */
  snippet: number | null;
  accesses: AccessModel[];
  /** Indices in {@link ReportModel.arrows} of the conflicts it takes part in. */
  arrows: number[];
}

/** A conflict, drawn as an arrow from the step of its first access to the step of its second. */
export interface ArrowModel {
  kind: Conflict["kind"];
  resource: string;
  /** 0-based steps. */
  from: number;
  to: number;
  fromThread: string;
  toThread: string;
  /** `Write-write conflict: threads t2 and t1 both wrote balance[0] (steps 7 and 8).` */
  sentence: string;
}

/** Source lines around a step's line. */
export interface SnippetModel {
  file: string;
  line: number;
  /** 1-based number of `lines[0]`. */
  start: number;
  lines: string[];
}

export interface ReportModel {
  format: "interlace-report";
  version: 1;
  /** The page title. */
  title: string;
  /** `violated`: a counterexample (that failed again, for a replay); `holds`; `not-reproduced`: a replay that did not fail. */
  verdict: "violated" | "holds" | "not-reproduced";
  headline: string;
  scenario: string;
  failure: { kind: string; message: string } | null;
  classification: { name: string; detail: string; resource: string } | null;
  /** The conflicts as sentences, the classified resource first. */
  conflicts: string[];
  threads: string[];
  steps: StepModel[];
  arrows: ArrowModel[];
  folds: Fold[];
  /** Label/value pairs shown at the top: strategy, seed, reproduced, shrunk… */
  facts: Array<{ label: string; value: string }>;
  replayCommand: string | null;
  deadlock: DeadlockModel | null;
  summary: SummaryModel | null;
  snippets: SnippetModel[];
  explanation: string | null;
  counterexample: string | null;
}

/** Builds the view model. */
export function buildModel(input: ReportInput): ReportModel {
  const c = input.counterexample;
  const threads = c?.threads ?? [...new Set(input.steps.map((s) => s.task))];
  const steps = input.steps;
  const kind = c?.failure.kind;
  const recorded = steps.some((s) => s.accesses !== undefined);
  const classification = recorded && c !== null && kind !== "deadlock" ? classify(steps, kind === "exception") : null;
  const all = recorded ? findConflicts(steps) : [];
  const conflicts = classification === null ? all : [...all.filter((x) => x.label === classification.label), ...all.filter((x) => x.label !== classification.label)];
  const arrows: ArrowModel[] = conflicts.map((x) => ({
    kind: x.kind,
    resource: x.label,
    from: x.first.step,
    to: x.second.step,
    fromThread: x.first.thread,
    toThread: x.second.thread,
    sentence: describeConflicts([x], 1)[0]!,
  }));
  const conflicting = new Set(all.flatMap((x) => [x.first.location, x.second.location]));
  const snippets: SnippetModel[] = [];
  const snippetIndex = new Map<string, number>();
  const snippetOf = (step: ExploreStep): number | null => {
    if (step.where === undefined) return null;
    const key = `${step.where.file}\0${step.where.line}`;
    let index = snippetIndex.get(key);
    if (index === undefined) {
      const snippet = readSnippet(input.source, step.where.file, step.where.line);
      index = snippet === null ? -1 : snippets.push(snippet) - 1;
      snippetIndex.set(key, index);
    }
    return index < 0 ? null : index;
  };
  const stepModels: StepModel[] = steps.map((s, i) => ({
    n: i + 1,
    thread: s.task,
    lane: Math.max(0, threads.indexOf(s.task)),
    gate: s.gate,
    what: whatOf(s),
    where: s.where ? `${s.where.file}:${s.where.line}:${s.where.column + 1}` : null,
    text: s.where?.text ?? null,
    preemption: s.preemption,
    snippet: snippetOf(s),
    accesses: (s.accesses ?? []).map((a) => ({
      thread: a.thread,
      op: a.op,
      resource: a.label ?? a.location,
      location: a.location,
      value: a.value ?? null,
      origin: a.origin ?? null,
      conflicting: conflicting.has(a.location),
    })),
    arrows: arrows.flatMap((a, k) => (a.from === i || a.to === i ? [k] : [])),
  }));
  const pinned = new Set(arrows.flatMap((a) => [a.from, a.to]));
  const verdict = c === null ? "holds" : input.command === "replay" && (input.reproduced?.failures ?? 0) === 0 ? "not-reproduced" : "violated";
  const summary = input.search === null ? null : summaryOf(input.search);
  return {
    format: "interlace-report",
    version: 1,
    title: `interlace ${input.command}: ${input.scenario}`,
    verdict,
    headline: headlineOf(verdict, c, summary),
    scenario: input.scenario,
    failure: c === null ? null : { kind: c.failure.kind, message: c.failure.message },
    classification: classification === null ? null : { name: classification.name, detail: classification.detail, resource: classification.label },
    conflicts: describeConflicts(conflicts),
    threads,
    steps: stepModels,
    arrows,
    folds: foldSteps(stepModels.map((s) => s.lane), pinned),
    facts: c === null ? [] : factsOf(c, steps, input),
    replayCommand: c === null ? null : replayCommandOf(input.scenario, input.counterexampleFile),
    deadlock: c !== null && kind === "deadlock" ? parseDeadlock(c.failure.message, threads) : null,
    summary,
    snippets,
    explanation: input.explanation,
    counterexample: c === null ? null : JSON.stringify(c, null, 2),
  };
}

function headlineOf(verdict: ReportModel["verdict"], c: Counterexample | null, summary: SummaryModel | null): string {
  if (c === null) return summary?.headline ?? "The property holds";
  if (verdict === "not-reproduced") return "The counterexample did not fail again: fixed?";
  switch (c.failure.kind) {
    case "deadlock":
      return "Deadlock";
    case "exception":
      return "Uncaught exception";
    case "invariant":
      return "Invariant violated";
  }
}

function whatOf(s: ExploreStep): string {
  switch (s.gate) {
    case "start":
      return "starts";
    case "marker":
      return `[${s.marker ?? "marker"}]`;
    case "await":
      return "after await";
    case "acquire":
      return `takes ${s.lock ?? "a lock"}`;
    case "callback":
      return `${s.callback ?? "callback"} callback`;
    case "statement":
      return "statement";
  }
}

function factsOf(c: Counterexample, steps: readonly ExploreStep[], input: ReportInput): Array<{ label: string; value: string }> {
  const preemptions = steps.filter((s) => s.preemption).length;
  const plural = (n: number, word: string): string => `${n} ${word}${n === 1 ? "" : "s"}`;
  const facts = [
    { label: "Failure", value: c.failure.kind },
    { label: "Strategy", value: c.strategy },
    { label: "Seed", value: String(c.seed) },
    { label: "Found at attempt", value: String(c.attempt) },
    { label: "Threads", value: c.threads.join(", ") },
    { label: "Decisions", value: `${plural(steps.length, "step")}, ${plural(preemptions, "preemption")}` },
  ];
  const r = input.reproduced;
  facts.push({ label: "Reproduced", value: r === null ? "not replayed" : `${r.failures}/${r.attempts}` });
  if (input.command === "explore") {
    const from = c.shrunkFrom;
    facts.push({
      label: "Shrunk",
      value: from === undefined ? "not shrunk" : `from ${plural(from.decisions, "decision")} and ${plural(from.preemptions, "preemption")} to ${plural(c.decisions.length, "decision")} and ${plural(preemptions, "preemption")}`,
    });
  }
  return facts;
}

/** `interlace replay <scenario> <file>`, quoted for a POSIX shell. */
export function replayCommandOf(scenario: string, file: string | null): string {
  return `interlace replay ${shellWord(scenario)} ${file === null ? "<counterexample.json>" : shellWord(file)}`;
}

function shellWord(word: string): string {
  return /^[\w./:@%+=,-]+$/.test(word) ? word : `'${word.replace(/'/g, `'\\''`)}'`;
}

function readSnippet(source: (file: string) => string | null, file: string, line: number): SnippetModel | null {
  const text = source(file);
  if (text === null) return null;
  const lines = text.split(/\r?\n/);
  if (line < 1 || line > lines.length) return null;
  const start = Math.max(1, line - CONTEXT_LINES);
  const end = Math.min(lines.length, line + CONTEXT_LINES);
  return { file, line, start, lines: lines.slice(start - 1, end) };
}

export type { DeadlockModel, Fold, SummaryModel, UnmodelledEffect };
