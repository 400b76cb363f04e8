/**
 * `interlace explore` and `interlace replay` as users run them: bin/interlace.js over the built
 * dist/, in a child process (stderr is a pipe, so progress comes as plain lines). Plus the
 * progress display on a fake terminal.
 */
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, describe, expect, it } from "vitest";
import { ExploreProgressDisplay } from "../../src/cli/progress.js";
import type { Counterexample } from "../../src/engine/counterexample.js";
import type { CommandErrorJSON, ExploreReportJSON, ReplayReportJSON } from "../../src/report/explore-report.js";

const root = new URL("../..", import.meta.url);
const COUNTER = "examples/async-counter/scenario.ts";
const SAFE = "fixtures/cli/tasks-safe-scenario.ts";
const tmp = mkdtempSync(join(tmpdir(), "interlace-cli-explore-"));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

function interlace(...args: string[]): { code: number | null; stdout: string; stderr: string } {
  const result = spawnSync(process.execPath, ["bin/interlace.js", ...args], { cwd: root, encoding: "utf8", timeout: 60_000 });
  return { code: result.status, stdout: result.stdout, stderr: result.stderr };
}

/** The CLI run from another folder, with absolute paths: as from a monorepo's root or a CI checkout elsewhere. */
function interlaceFrom(cwd: string, ...args: string[]): { code: number | null; stdout: string; stderr: string } {
  const result = spawnSync(process.execPath, [fileURLToPath(new URL("bin/interlace.js", root)), ...args], { cwd, encoding: "utf8", timeout: 60_000 });
  return { code: result.status, stdout: result.stdout, stderr: result.stderr };
}

function json<T>(stdout: string): T {
  const lines = stdout.trim().split("\n");
  expect(lines).toHaveLength(1);
  return JSON.parse(lines[0]!) as T;
}

describe("interlace explore", () => {
  it.each([
    ["portfolio", "--seed", "1"],
    ["random", "--seed", "1"],
    ["pct", "--seed", "1"],
    ["exhaustive"],
  ])("finds the lost update of the async counter with --strategy %s, exit 1", (strategy, ...seed) => {
    const text = interlace("explore", COUNTER, "--strategy", strategy, ...seed, "--max-attempts", "50");
    const asJson = interlace("explore", COUNTER, "--strategy", strategy, ...seed, "--max-attempts", "50", "--json");

    expect(text.code).toBe(1);
    expect(text.stdout).toMatch(new RegExp(`\\(${strategy}( \\((dpor|random|pct) run\\))?, seed `));
    expect(text.stdout).toContain("Invariant violated (invariant returned false).");
    expect(text.stdout).toMatch(/Reproduced \d+\/\d+ times\./);
    expect(text.stdout).toContain(`To replay it, add --save <file> and run: interlace replay ${COUNTER} <file>`);
    expect(asJson.code).toBe(1);
    const report = json<ExploreReportJSON>(asJson.stdout);
    expect(report).toMatchObject({ outcome: "violated", exitCode: 1, propertyHolds: false, strategy, scenario: COUNTER, savedTo: null });
    expect(report.numExplored).toBeGreaterThanOrEqual(1);
    expect(report.counterexample?.decisions.length).toBeGreaterThan(0);
    expect(report.explanation).toContain("examples/async-counter/counter.ts:15");
    expect(report.reproduced?.failures).toBeGreaterThan(0);
    if (seed.length) expect(report.seed).toBe(1);
  });

  it("explores with --strategy dpor: the counter's lost update is explained with its conflict and values", () => {
    const { code, stdout } = interlace("explore", COUNTER, "--strategy", "dpor", "--json");
    expect(code).toBe(1);
    const report = json<ExploreReportJSON>(stdout);
    expect(report).toMatchObject({ outcome: "violated", strategy: "dpor", numExplored: 2 });
    expect(report.explanation).toContain("Classification: lost update.");
    expect(report.explanation).toMatch(/Write-write conflict: threads task\d and task\d both wrote Counter\.value/);
    expect(report.explanation).toContain("[read Counter.value = 0]");
    expect(report.explanation).toContain("[write Counter.value = 1]");
    expect(report.reproduced).toEqual({ failures: 10, attempts: 10 });
  });

  it.each(["dfs", "diverse"])("counts 3! = 6 executions for three tasks behind one lock with --strategy dpor --search-order %s", (order) => {
    const { code, stdout } = interlace("explore", "fixtures/cli/dpor-locked-scenario.ts", "--strategy", "dpor", "--search-order", order, "--json");
    expect(code).toBe(0);
    expect(json<ExploreReportJSON>(stdout)).toMatchObject({ outcome: "holds", numExplored: 6, numFailed: 0, searchComplete: true });
  });

  it("rejects a bad --search-order and --preemption-bound: exit 2", () => {
    expect(interlace("explore", COUNTER, "--strategy", "dpor", "--search-order", "bfs").stderr).toContain('--search-order takes one of dfs, diverse, got "bfs"');
    const bound = interlace("explore", COUNTER, "--strategy", "dpor", "--preemption-bound", "-1");
    expect(bound.code).toBe(2);
  });

  it("--no-shrink and --reproduce 0 report the run as found, without replays; --reproduce 3 replays it three times", () => {
    const raw = json<ExploreReportJSON>(interlace("explore", COUNTER, "--strategy", "random", "--seed", "4", "--no-shrink", "--reproduce", "0", "--json").stdout);
    expect(raw.outcome).toBe("violated");
    expect(raw.counterexample?.shrunkFrom).toBeUndefined();
    expect(raw.reproduced).toBeNull();
    const three = json<ExploreReportJSON>(interlace("explore", COUNTER, "--strategy", "random", "--seed", "4", "--shrink-budget", "5", "--reproduce", "3", "--json").stdout);
    expect(three.reproduced).toEqual({ failures: 3, attempts: 3 });
  });

  it("--max-steps bounds the decisions per thread and is recorded in the counterexample", () => {
    const report = json<ExploreReportJSON>(interlace("explore", COUNTER, "--strategy", "random", "--seed", "4", "--max-steps", "3", "--json").stdout);
    expect(report.counterexample?.config?.maxSteps).toBe(3);
    for (const thread of ["task1", "task2"]) expect(report.counterexample!.decisions.filter((d) => d === thread).length).toBeLessThanOrEqual(3);
  });

  it("rejects --no-shrink with --shrink-budget, and a bad --max-steps: exit 2", () => {
    const both = interlace("explore", COUNTER, "--no-shrink", "--shrink-budget", "3");
    expect([both.code, both.stderr]).toEqual([2, expect.stringContaining("--no-shrink and --shrink-budget")]);
    expect(interlace("explore", COUNTER, "--max-steps", "0").code).toBe(2);
  });

  it("prints the seed it drew, and the same seed gives the same exploration", () => {
    const first = json<ExploreReportJSON>(interlace("explore", COUNTER, "--max-attempts", "50", "--json").stdout);
    const again = json<ExploreReportJSON>(interlace("explore", COUNTER, "--max-attempts", "50", "--json", "--seed", String(first.seed)).stdout);

    expect(Number.isSafeInteger(first.seed)).toBe(true);
    expect(again.numExplored).toBe(first.numExplored);
    expect(again.counterexample?.decisions).toEqual(first.counterexample?.decisions);
  });

  it("exits 0 when the property holds, with progress lines on stderr", () => {
    const { code, stdout, stderr } = interlace("explore", SAFE, "--strategy", "random", "--max-attempts", "120", "--seed", "7");

    expect(code).toBe(0);
    expect(stdout.trim()).toBe("✓ property holds over 120 interleavings (random, seed 7)");
    const lines = stderr.trim().split("\n");
    expect(lines.map((l) => l.match(/^explore: (\d+\/\d+) runs/)?.[1])).toEqual(expect.arrayContaining(["50/120", "120/120"]));
    expect(lines.at(-1)).toMatch(/^explore: 120\/120 runs, [\d.]+ runs\/s, no failure$/);
  });

  it("explores with the portfolio by default, and says when its DPOR search is complete", () => {
    const { code, stdout } = interlace("explore", "fixtures/cli/dpor-locked-scenario.ts", "--seed", "7");
    expect(code).toBe(0);
    // Three tasks behind one interlace Mutex: DPOR's 3! = 6 executions are runs 1, 5, …, 21 of D R P R.
    expect(stdout.trim()).toBe("✓ property holds over 21 runs (portfolio, seed 7; search complete: DPOR ran every class in 6)");
  });

  it("says which member of the portfolio found the counterexample", () => {
    const text = interlace("explore", COUNTER, "--seed", "1");
    expect(text.code).toBe(1);
    expect(text.stdout).toMatch(/^✗ counterexample found at run \d+ of 200 \(portfolio \((dpor|random|pct) run\), seed 1\)/);
    expect(text.stdout).toContain(`The same exploration again: interlace explore ${COUNTER} --strategy portfolio --seed 1`);
    const report = json<ExploreReportJSON>(interlace("explore", COUNTER, "--seed", "1", "--json").stdout);
    expect(report).toMatchObject({ strategy: "portfolio", portfolio: { dporStopped: null } });
    expect(text.stdout).toContain(`(portfolio (${report.portfolio?.foundBy} run), seed 1)`);
  });

  it("says when an exhaustive search ran out of interleavings, and that it is not a proof while async-mutex is untraced", () => {
    // The safe counter takes an async-mutex lock: its state lives in the untraced package.
    const { code, stdout } = interlace("explore", SAFE, "--strategy", "exhaustive", "--max-attempts", "1000", "--json");
    expect(code).toBe(0);
    const report = json<ExploreReportJSON>(stdout);
    expect(report).toMatchObject({ outcome: "holds", exitCode: 0, propertyHolds: true, exhausted: true, searchComplete: false, counterexample: null, explanation: null });
    expect(report.numExplored).toBeLessThan(1000);
    expect(report.unmodelled.map((u) => u.origin)).toContain("async-mutex");
    const text = interlace("explore", SAFE, "--strategy", "exhaustive", "--max-attempts", "1000");
    expect(text.stdout).toContain("not a proof: every order the strategy could tell apart was explored");
    expect(text.stdout).toContain("--trace-packages async-mutex");
    expect(text.stdout).not.toContain("search complete");
    // Traced, the package's effects are observed and the search is complete.
    const traced = json<ExploreReportJSON>(interlace("explore", SAFE, "--strategy", "exhaustive", "--max-attempts", "1000", "--trace-packages", "async-mutex", "--json").stdout);
    expect(traced).toMatchObject({ outcome: "holds", exhausted: true, searchComplete: true, unmodelled: [] });
  });

  it("keeps stdout pure JSON when task threads print", () => {
    const { code, stdout, stderr } = interlace("explore", "fixtures/cli/tasks-noisy-scenario.ts", "--strategy", "random", "--max-attempts", "3", "--json");

    expect(code).toBe(0);
    expect(json<ExploreReportJSON>(stdout).numExplored).toBe(3);
    expect(stderr).toContain("task a says hello on stdout");
  });
});

describe("interlace explore --save, then interlace replay", () => {
  const file = join(tmp, "counterexample.json");

  it("saves the counterexample and replays it: exit 1, Reproduced", () => {
    const explored = interlace("explore", COUNTER, "--seed", "1", "--max-attempts", "50", "--save", file);
    expect(explored.code).toBe(1);
    expect(explored.stderr).toContain(`saved the counterexample to ${file}`);
    expect(explored.stdout).toContain(`Replay it: interlace replay ${COUNTER} ${file}`);
    const saved = JSON.parse(readFileSync(file, "utf8")) as Counterexample;
    expect(saved).toMatchObject({ format: "interlace-counterexample", version: 1, scenario: COUNTER, threads: ["task1", "task2"] });

    const replayed = interlace("replay", COUNTER, file, "--times", "3");
    expect(replayed.code).toBe(1);
    expect(replayed.stdout).toContain("Reproduced 3/3 times.");
    expect(replayed.stdout).toContain("examples/async-counter/counter.ts:15");

    const asJson = interlace("replay", COUNTER, file, "--json");
    expect(asJson.code).toBe(1);
    expect(json<ReplayReportJSON>(asJson.stdout)).toMatchObject({ outcome: "violated", exitCode: 1, reproduced: { failures: 1, attempts: 1 } });
  });

  it("writes nothing when the property holds", () => {
    const none = join(tmp, "none.json");
    expect(interlace("explore", SAFE, "--max-attempts", "20", "--save", none).code).toBe(0);
    expect(() => readFileSync(none)).toThrow(/ENOENT/);
  });

  it("exits 0 when the counterexample does not fail (decisions edited into the serial order)", () => {
    const saved = JSON.parse(readFileSync(file, "utf8")) as Counterexample;
    const serial = join(tmp, "serial.json");
    const half = saved.decisions.length / 2;
    writeFileSync(serial, JSON.stringify({ ...saved, decisions: [...Array<string>(half).fill("task1"), ...Array<string>(half).fill("task2")] }));

    const { code, stdout } = interlace("replay", COUNTER, serial, "--times", "2");
    const asJson = interlace("replay", COUNTER, serial, "--json");

    expect(code).toBe(0);
    expect(stdout).toContain("✓ the counterexample did not fail: fixed? (0/2 replays failed)");
    expect(json<ReplayReportJSON>(asJson.stdout)).toMatchObject({ outcome: "holds", exitCode: 0, reproduced: { failures: 0, attempts: 1 } });
  });

  it("rejects a counterexample whose sources changed: exit 2, E_SOURCE_CHANGED", () => {
    const saved = JSON.parse(readFileSync(file, "utf8")) as Counterexample;
    const tampered = join(tmp, "tampered.json");
    writeFileSync(tampered, JSON.stringify({ ...saved, sources: saved.sources.map((s) => ({ ...s, sha256: "0".repeat(64) })) }));

    const text = interlace("replay", COUNTER, tampered);
    const asJson = interlace("replay", COUNTER, tampered, "--json");

    expect(text.code).toBe(2);
    expect(text.stderr).toContain("interlace: E_SOURCE_CHANGED: Traced sources changed since the counterexample was recorded: examples/async-counter/counter.ts");
    expect(asJson.code).toBe(2);
    expect(json<CommandErrorJSON>(asJson.stdout)).toMatchObject({ outcome: "error", exitCode: 2, error: { code: "E_SOURCE_CHANGED", category: "input" } });
  });

  it("rejects a counterexample that does not fit the scenario: exit 2, E_REPLAY_DIVERGED", () => {
    // Same thread names and unchanged sources, but another program: the decisions cannot be followed.
    const { code, stderr } = interlace("replay", SAFE, file);

    expect(code).toBe(2);
    expect(stderr).toContain(`was recorded for scenario ${COUNTER}`);
    expect(stderr).toMatch(/interlace: E_REPLAY_DIVERGED: The counterexample does not fit this program: replay diverged at step \d+/);
  });

  it("rejects a file that is not a counterexample: exit 2", () => {
    const { code, stderr } = interlace("replay", COUNTER, "fixtures/cli/lost-update.json");

    expect(code).toBe(2);
    expect(stderr).toContain("is not an interlace counterexample");
    expect(interlace("replay", COUNTER, join(tmp, "missing.json")).stderr).toContain("Cannot read counterexample file");
  });
});

describe("interlace explore and replay reject bad input with exit code 2", () => {
  it.each([
    ["unknown strategy", ["explore", COUNTER, "--strategy", "bfs"], /--strategy takes one of portfolio, random, pct, exhaustive, markers, dpor, got "bfs"/],
    ["non-integer seed", ["explore", COUNTER, "--seed", "abc"], /--seed takes a whole number/],
    ["zero max-attempts", ["explore", COUNTER, "--max-attempts", "0"], /--max-attempts takes a positive whole number/],
    ["a flag of another command", ["explore", COUNTER, "--schedule", "task1:read_value"], /--schedule is not an option of interlace explore/],
    ["a misspelt flag", ["explore", COUNTER, "--max-atempts", "3"], /^interlace: E_USAGE: unknown option --max-atempts for explore; did you mean --max-attempts\?\nsee `interlace explore --help`\n$/],
    ["a misspelt replay flag", ["replay", COUNTER, "x.json", "--time", "2"], /^interlace: E_USAGE: unknown option --time for replay; did you mean --times\?\nsee `interlace replay --help`\n$/],
    ["zero times", ["replay", COUNTER, "x.json", "--times", "0"], /--times takes a positive whole number/],
    ["no counterexample file", ["replay", COUNTER], /interlace replay needs a counterexample file/],
  ])("%s", (_name, args, message) => {
    const text = interlace(...args);
    const asJson = interlace(...args, "--json");

    expect(text.code).toBe(2);
    expect(text.stderr).toContain("interlace: E_USAGE:");
    expect(text.stderr).toMatch(message);
    expect(asJson.code).toBe(2);
    expect(json<CommandErrorJSON>(asJson.stdout)).toMatchObject({ outcome: "error", exitCode: 2, error: { code: "E_USAGE", category: "input" } });
  });

  it("reports a syntax error in a worker thread's module at its file:line:column", () => {
    const args = ["explore", "fixtures/cli/syntax-error-thread-scenario.mjs", "--max-attempts", "2"];
    const text = interlace(...args);
    const asJson = interlace(...args, "--json");

    expect(text.code).toBe(2);
    expect(text.stderr).toContain("interlace: E_MODULE_LOAD: Thread \"a\": importing fixtures/cli/syntax-error-thread.mjs failed before the thread started:\n" +
      "fixtures/cli/syntax-error-thread.mjs:4:3: SyntaxError: Unexpected reserved word 'let'.\n  4 |   let = = 3;\n    |   ^\n");
    expect(asJson.code).toBe(2);
    expect(json<CommandErrorJSON>(asJson.stdout).error).toMatchObject({ code: "E_MODULE_LOAD", message: expect.stringContaining("syntax-error-thread.mjs:4:3: SyntaxError") });
  });

  it("explores worker threads (TypeScript) and saves a counterexample that replays", () => {
    const saved = join(tmp, "bank.json");
    const { code, stdout } = interlace("explore", "examples/bank/scenario.ts", "--seed", "1", "--max-attempts", "20", "--save", saved);

    expect(code).toBe(1);
    expect(stdout).toMatch(/\[read_balance\] const current = shared\.balance\[0\]!;/);
    expect(stdout).toContain("Int32Array(1) [ 150 ]");
    const replayed = interlace("replay", "examples/bank/scenario.ts", saved, "--times", "2");
    expect(replayed.code).toBe(1);
    expect(replayed.stdout).toContain("Reproduced 2/2 times.");
  });

  it("finds a deadlock between worker threads at statement granularity; the saved counterexample replays 3/3", () => {
    const scenario = "fixtures/cli/workers-lock-order-scenario.mjs";
    const saved = join(tmp, "lock-order.json");
    const { code, stdout } = interlace("explore", scenario, "--seed", "3", "--save", saved);

    expect(code).toBe(1);
    expect(stdout).toContain("Deadlock found.");
    expect(stdout).toMatch(/a: waits in Atomics\.wait on Int32Array\(8\)\[\d\] at fixtures\/explore\/workers\/lock-order\.mjs:6:\d+/);
    expect(stdout).toMatch(/fixtures\/explore\/workers\/lock-order\.mjs:18:3  acquire\(cells, first\);/);
    const counterexample = JSON.parse(readFileSync(saved, "utf8")) as Counterexample;
    expect(counterexample).toMatchObject({ kind: "isolate", granularity: "statements", threads: ["a", "b"], failure: { kind: "deadlock" } });
    const replayed = interlace("replay", scenario, saved, "--times", "3", "--json");
    expect(replayed.code).toBe(1);
    expect(json<ReplayReportJSON>(replayed.stdout)).toMatchObject({ outcome: "violated", reproduced: { failures: 3, attempts: 3 } });
  });

  it("explores child processes sharing a SQLite file", () => {
    const { code, stdout } = interlace("explore", "examples/bank-sqlite/scenario.ts", "--strategy", "markers", "--max-attempts", "10", "--json");

    expect(code).toBe(1);
    expect(json<ExploreReportJSON>(stdout)).toMatchObject({ propertyHolds: false, counterexample: { kind: "isolate", threads: ["p1", "p2"] } });
  });
});

describe("ExploreProgressDisplay", () => {
  const progress = (numExplored: number, elapsedMs: number, failed = false) => ({ numExplored, maxAttempts: 200, elapsedMs, failed, decisions: 10 });

  it("on a terminal, redraws one line with \\r and ends it with a newline", () => {
    const out: string[] = [];
    const display = new ExploreProgressDisplay({ isTTY: true, columns: 120, write: (t) => out.push(t) });
    display.update(progress(1, 10));
    display.update(progress(2, 20)); // within 80 ms of the last redraw: skipped
    display.update(progress(50, 1000));
    display.update(progress(51, 1010, true));
    display.finish();

    expect(out).toHaveLength(5);
    expect(out[0]).toBe(`\r[${"░".repeat(20)}]  1/200 runs  100 runs/s  no failure yet\x1b[K`);
    expect(out[1]).toBe(`\r[█████${"░".repeat(15)}]  50/200 runs  50 runs/s  no failure yet\x1b[K`);
    expect(out[2]).toContain("counterexample at run 51, shrinking and replaying it…");
    expect(out[3]).toMatch(/51\/200 runs {2}50 runs\/s {2}counterexample at run 51\x1b\[K$/);
    expect(out[4]).toBe("\n");
  });

  it("elsewhere, writes a line every 50 runs or 2 s, on a counterexample, and at the end", () => {
    const out: string[] = [];
    const display = new ExploreProgressDisplay({ write: (t) => out.push(t) });
    for (let n = 1; n <= 120; n++) display.update(progress(n, n === 70 ? 5000 : n * 10));
    display.finish();
    display.finish();

    expect(out).toEqual([
      "explore: 50/200 runs, 100 runs/s, no failure yet\n",
      "explore: 70/200 runs, 14 runs/s, no failure yet\n",
      "explore: 120/200 runs, 100 runs/s, no failure yet\n",
      "explore: 120/200 runs, 100 runs/s, no failure\n",
    ]);
  });
});

describe("a counterexample replays from any working directory (paths relative to the scenario's package root)", () => {
  it.each([
    ["task threads", COUNTER],
    ["worker threads", "examples/bank/scenario.ts"],
  ])("%s: saved from the project folder, replayed from another folder with absolute paths: exit 1, no warning", (_kind, scenario) => {
    const file = join(tmp, `anywhere-${scenario.replaceAll("/", "-")}.json`);
    const explored = interlace("explore", scenario, "--seed", "1", "--max-attempts", "50", "--reproduce", "1", "--save", file);
    expect(explored.code).toBe(1);
    const saved = JSON.parse(readFileSync(file, "utf8")) as Counterexample;
    expect(saved.sourceRoot).toBe("package");
    expect(saved.sources.map((s) => s.file)).toContain(`${scenario.replace(/scenario\.ts$/, "")}${scenario.includes("bank") ? "account.ts" : "counter.ts"}`);

    const elsewhere = mkdtempSync(join(tmpdir(), "interlace-elsewhere-"));
    try {
      const replayed = interlaceFrom(elsewhere, "replay", fileURLToPath(new URL(scenario, root)), file, "--times", "2");
      expect(replayed.stderr).not.toContain("E_SOURCE_CHANGED");
      expect(replayed.stderr).not.toContain("warning");
      expect(replayed.code).toBe(1);
      expect(replayed.stdout).toContain("Reproduced 2/2 times.");
    } finally {
      rmSync(elsewhere, { recursive: true, force: true });
    }
  });
});
