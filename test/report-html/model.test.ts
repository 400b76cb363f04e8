/**
 * The report's pure parts, without a browser: folding, arrows from the conflicts, the wait-for
 * cycle read back from a deadlock message, escaping, and byte-identical pages for one input.
 */
import { describe, expect, it } from "vitest";
import type { Counterexample } from "../../src/engine/counterexample.js";
import type { ExploreStep } from "../../src/engine/task-explore.js";
import { describeLockWaits } from "../../src/engine/wait-for.js";
import { findConflicts } from "../../src/report/conflicts.js";
import { parseDeadlock } from "../../src/report/html/deadlock.js";
import { escapeHTML, scriptJSON } from "../../src/report/html/escape.js";
import { FOLD_MIN_SEGMENT, LONG_TRACE, foldSteps } from "../../src/report/html/fold.js";
import { buildModel, replayCommandOf, type ReportInput } from "../../src/report/html/model.js";
import { renderReport } from "../../src/report/html/render.js";
import { slug } from "../../src/report/html/vitest-slot.js";

const where = (line: number, text = `line ${line}`) => ({ file: "src/counter.ts", line, column: 2, text });

/** Two tasks incrementing a counter, with a lost update: t1 read, t2 read, t2 wrote, t1 wrote. */
const RACE: ExploreStep[] = [
  { task: "t1", gate: "start", preemption: false, accesses: [] },
  { task: "t1", gate: "await", preemption: false, where: where(3), accesses: [{ thread: "t1", op: "read", location: "obj#1.value", label: "Counter.value", value: "0" }] },
  { task: "t2", gate: "start", preemption: true, accesses: [] },
  { task: "t2", gate: "await", preemption: false, where: where(3), accesses: [{ thread: "t2", op: "read", location: "obj#1.value", label: "Counter.value", value: "0" }] },
  { task: "t2", gate: "await", preemption: false, where: where(4), accesses: [{ thread: "t2", op: "write", location: "obj#1.value", label: "Counter.value", value: "1" }] },
  { task: "t1", gate: "await", preemption: false, where: where(4), accesses: [{ thread: "t1", op: "write", location: "obj#1.value", label: "Counter.value", value: "1" }] },
];

function counterexample(steps: readonly ExploreStep[], failure: Counterexample["failure"] = { kind: "invariant", message: "invariant returned false" }): Counterexample {
  return {
    format: "interlace-counterexample",
    version: 1,
    scenario: "counter",
    kind: "task",
    threads: [...new Set(steps.map((s) => s.task))].sort(),
    decisions: steps.map((s) => s.task),
    strategy: "random",
    seed: 1,
    attempt: 3,
    sources: [],
    failure,
    shrunkFrom: { decisions: 9, preemptions: 3 },
  };
}

const SOURCE = Array.from({ length: 10 }, (_, i) => `source line ${i + 1}`).join("\n");

function input(steps: readonly ExploreStep[], more: Partial<ReportInput> = {}): ReportInput {
  return {
    command: "explore",
    scenario: "examples/counter scenario.ts",
    counterexample: counterexample(steps),
    steps,
    reproduced: { failures: 10, attempts: 10 },
    counterexampleFile: "race.json",
    explanation: "text",
    search: null,
    source: (file) => (file === "src/counter.ts" ? SOURCE : null),
    ...more,
  };
}

describe("the view model", () => {
  it("draws one arrow per conflict findConflicts finds, between the steps of its two accesses", () => {
    const model = buildModel(input(RACE));
    const conflicts = findConflicts(RACE);
    expect(model.arrows.map((a) => [a.kind, a.from, a.to]).sort()).toEqual(conflicts.map((c) => [c.kind, c.first.step, c.second.step]).sort());
    expect(model.arrows.find((a) => a.kind === "write-write")).toMatchObject({ from: 4, to: 5, fromThread: "t2", toThread: "t1", resource: "Counter.value" });
    expect(model.classification?.name).toBe("lost update");
    // The classified resource's conflicts come first, as in the text explanation.
    expect(model.conflicts[0]).toMatch(/^Write-write conflict: threads t2 and t1 both wrote Counter.value/);
    expect(model.steps[5]!.arrows).toEqual(model.arrows.flatMap((a, k) => (a.to === 5 || a.from === 5 ? [k] : [])));
    expect(model.steps.map((s) => s.lane)).toEqual([0, 0, 1, 1, 1, 0]);
    expect(model.steps[1]!.accesses[0]).toEqual({ thread: "t1", op: "read", resource: "Counter.value", location: "obj#1.value", value: "0", origin: null, conflicting: true });
  });

  it("embeds the source lines around each step's line, once per line", () => {
    const model = buildModel(input(RACE));
    expect(model.snippets).toEqual([
      { file: "src/counter.ts", line: 3, start: 1, lines: SOURCE.split("\n").slice(0, 6) },
      { file: "src/counter.ts", line: 4, start: 1, lines: SOURCE.split("\n").slice(0, 7) },
    ]);
    expect(model.steps.map((s) => s.snippet)).toEqual([null, 0, null, 0, 1, 1]);
  });

  it("has the facts of the counterexample and the replay command, quoted for the shell", () => {
    const model = buildModel(input(RACE));
    const facts = Object.fromEntries(model.facts.map((f) => [f.label, f.value]));
    expect(facts).toMatchObject({ Seed: "1", Strategy: "random", Reproduced: "10/10", "Found at attempt": "3", Shrunk: "from 9 decisions and 3 preemptions to 6 decisions and 1 preemption" });
    expect(model.replayCommand).toBe("interlace replay 'examples/counter scenario.ts' race.json");
    expect(replayCommandOf("a.ts", null)).toBe("interlace replay a.ts <counterexample.json>");
    expect(replayCommandOf("it's.ts", "x.json")).toBe(`interlace replay 'it'\\''s.ts' x.json`);
  });

  it("a replay that did not fail again says so", () => {
    const model = buildModel(input(RACE, { command: "replay", reproduced: { failures: 0, attempts: 3 } }));
    expect(model.verdict).toBe("not-reproduced");
    expect(model.facts.find((f) => f.label === "Reproduced")?.value).toBe("0/3");
  });

  it("summarises a search that holds, complete only when the result says so", () => {
    const search = { strategy: "dpor", seed: 4, numExplored: 6, numFailed: 0, budget: 200, complete: false, exhausted: true, interrupted: null, elapsedMs: 1234 };
    const effects = [{ origin: "lru-cache", calls: 3, examples: ["LRUCache.get"], package: "lru-cache" }];
    const open = buildModel(input([], { counterexample: null, search: { ...search, unmodelled: effects } }));
    expect(open.verdict).toBe("holds");
    expect(open.summary).toMatchObject({ complete: false, headline: "The property holds over 6 executions" });
    expect(open.summary!.figures.find((f) => f.label === "Search")?.value).toBe("not complete");
    expect(open.summary!.incomplete.join(" ")).toContain("lru-cache (3 calls: LRUCache.get)");
    const done = buildModel(input([], { counterexample: null, search: { ...search, complete: true, unmodelled: [] } }));
    expect(done.summary).toMatchObject({ complete: true, incomplete: [] });
    expect(done.summary!.figures.find((f) => f.label === "Time")?.value).toBe("1.23 s");
    const sampled = buildModel(input([], { counterexample: null, search: { ...search, strategy: "random", exhausted: false, unmodelled: [] } }));
    expect(sampled.summary!.incomplete).toEqual(["random samples interleavings: it never runs out of them, so it cannot show that none fails."]);
  });
});

describe("folding", () => {
  const lanes = (...runs: Array<[number, number]>): number[] => runs.flatMap(([lane, n]) => Array.from({ length: n }, () => lane));

  it("leaves short traces alone", () => {
    expect(foldSteps(lanes([0, 30], [1, 10]), new Set())).toEqual([]);
    expect(LONG_TRACE).toBeLessThan(41);
  });

  it("folds the inside of each long run of one thread, keeping its first and last step and the pinned ones", () => {
    const trace = lanes([0, 30], [1, 3], [0, 20], [2, FOLD_MIN_SEGMENT - 1]);
    expect(foldSteps(trace, new Set())).toEqual([
      { lane: 0, from: 1, to: 28, count: 28 },
      { lane: 0, from: 34, to: 51, count: 18 },
    ]);
    expect(foldSteps(trace, new Set([10, 36]))).toEqual([
      { lane: 0, from: 1, to: 9, count: 9 },
      { lane: 0, from: 11, to: 28, count: 18 },
      { lane: 0, from: 34, to: 35, count: 2 },
      { lane: 0, from: 37, to: 51, count: 15 },
    ]);
    // A single step between two pinned ones is not worth a fold.
    expect(foldSteps(trace, new Set([10, 12]))[1]).toEqual({ lane: 0, from: 13, to: 28, count: 16 });
  });
});

describe("deadlocks", () => {
  it("reads the waits and the cycle back from the message describeLockWaits writes", () => {
    const waits = [
      { thread: "t1", lock: "fork 1", holder: "t2", at: "a.ts:3:5  await b.lock();" },
      { thread: "t2", lock: "fork0", holder: "t1", at: "a.ts:3:5  await b.lock();" },
      { thread: "t10", lock: "other", at: "a.ts:9:1  x" },
    ];
    const message = ["Deadlock: every live task is waiting:", ...describeLockWaits(waits), "  t3: waiting at a.ts:12:1  await never;"].join("\n");
    const model = parseDeadlock(message, ["t1", "t2", "t3", "t10"]);
    expect(model.cycle.map((w) => [w.thread, w.lock, w.holder])).toEqual([
      ["t1", "fork 1", "t2"],
      ["t2", "fork0", "t1"],
    ]);
    expect(model.waits).toContainEqual({ thread: "t10", lock: "other", holder: null, at: "a.ts:9:1  x" });
    expect(model.waits).toContainEqual({ thread: "t3", lock: null, holder: null, at: "a.ts:12:1  await never;" });
  });
});

describe("the page", () => {
  it("is the same bytes for the same input, and escapes markup everywhere", () => {
    const evil = "</script><script>alert(1)</script><!--";
    const steps: ExploreStep[] = RACE.map((s) => ({ ...s, ...(s.where ? { where: { ...s.where, text: evil } } : {}) }));
    const c = counterexample(steps, { kind: "exception", message: evil });
    const make = () => renderReport(buildModel(input(steps, { counterexample: c, explanation: evil, scenario: evil })));
    const html = make();
    expect(make()).toBe(html);
    // Three script elements would mean an injected one: only the model and the client script.
    expect(html.match(/<script/g)).toHaveLength(2);
    expect(html).not.toContain(evil);
    const json = /<script type="application\/json" id="interlace-model">(.*?)<\/script>/s.exec(html)![1]!;
    expect(JSON.parse(json).failure.message).toBe(evil);
    expect(escapeHTML(`<a href="x">'&'</a>`)).toBe("&lt;a href=&quot;x&quot;&gt;&#39;&amp;&#39;&lt;/a&gt;");
    expect(scriptJSON({ s: "\u2028</script>" })).toBe('{"s":"\\u2028\\u003c/script\\u003e"}');
  });

  it("names vitest reports after the test", () => {
    expect(slug("test/bank.test.ts > transfers > two deposits: 50 + 50")).toBe("test-bank-test-transfers-two-deposits-50-50");
    expect(slug("???")).toBe("test");
  });
});
