/**
 * Runtime faults of a thread (DESIGN §6): it throws, its isolate exits or is killed; scenario hooks
 * that throw; and a `debugger;` statement in user code, which must not disturb the schedule.
 * Each test asserts the error class, code and the key parts of the message (thread name, original
 * file:line); after each one, nothing may be left behind. Fixtures: fixtures/errors/.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import ts from "typescript";
import { describe, expect, it } from "vitest";
import { ScenarioHookError, TargetExitedError, ThreadError, TraceExecutor, UnknownMarkerError, thread } from "interlace";
import { recordLaunches } from "../helpers/leaks.js";
import { KINDS, fixture, fixturePath, lineOf, rejection, runOptions, spec, tempDir, checkNothingLeftAfterEachTest } from "../helpers/fixtures.js";

checkNothingLeftAfterEachTest();

describe("E_THREAD_THREW", () => {
  const cases = KINDS.flatMap((kind) => [
    { kind, file: "throws.mjs", exportName: "throwSync", args: [], message: "Error: sync failure after 1 step", throwAt: "(`sync failure after" },
    { kind, file: "throws.mjs", exportName: "throwAfterAwait", args: [], message: "Error: async failure after 1 step", throwAt: "(`async failure after" },
    { kind, file: "throws.ts", exportName: "overdraw", args: [5], message: "RangeError: amount 5 exceeds 2 entries of ts-fixture", throwAt: "throw new RangeError" },
  ]);

  it.each(cases)("$kind thread $file#$exportName: names the thread and the original file:line of the throw", async (c) => {
    // Arrange
    const threads = { victim: spec(c.kind, c.file, c.exportName, c.args) };
    const line = lineOf(c.file, c.throwAt);
    // Act
    const error = await rejection(new TraceExecutor("victim:go", runOptions()).run({ threads }), ThreadError);
    // Assert
    expect([error.code, error.category, error.thread]).toEqual(["E_THREAD_THREW", "fault", "victim"]);
    expect(error.message).toContain('Thread "victim" threw:');
    expect(error.message).toContain(c.message);
    expect(error.threadStack).toContain(`${fixturePath(c.file)}:${line}:`);
  });

  it("guard: compiled throws.ts has the throw on another line, so only a source map gives the line above", () => {
    // Arrange
    const source = readFileSync(fixture("throws.ts"), "utf8");
    // Act: type declarations vanish when TypeScript is compiled to JavaScript.
    const compiled = ts.transpileModule(source, { compilerOptions: { target: ts.ScriptTarget.ES2022, module: ts.ModuleKind.ESNext } });
    const generatedLine = compiled.outputText.split("\n").findIndex((l) => l.includes("throw new RangeError")) + 1;
    // Assert
    expect(generatedLine).toBeGreaterThan(0);
    expect(generatedLine).not.toBe(lineOf("throws.ts", "throw new RangeError"));
  });
});

describe("E_TARGET_EXITED", () => {
  it.each([
    { kind: "worker" as const, detail: "the worker exited with code 3" },
    { kind: "process" as const, detail: "the process exited with code 3" },
  ])("a $kind thread calling process.exit(3) mid-run is reported with its exit code", async ({ kind, detail }) => {
    // Arrange: the schedule has a second step, so the exit happens mid-run.
    const threads = { quitter: spec(kind, "exits.mjs", "exitMidRun"), other: spec(kind, "two-steps.mjs", "twoSteps") };
    // Act
    const error = await rejection(new TraceExecutor("quitter:go other:first", runOptions()).run({ threads }), TargetExitedError);
    // Assert
    expect([error.code, error.category, error.thread]).toEqual(["E_TARGET_EXITED", "fault", "quitter"]);
    expect(error.message).toContain('Thread "quitter" ended before its function returned');
    expect(error.message).toContain(detail);
  });

  it("a process thread killed by SIGKILL is reported with the signal", async () => {
    // Arrange
    const threads = { victim: spec("process", "killed.mjs", "killSelf"), other: spec("process", "two-steps.mjs", "twoSteps") };
    // Act
    const error = await rejection(new TraceExecutor("victim:go other:first", runOptions()).run({ threads }), TargetExitedError);
    // Assert
    expect([error.code, error.thread]).toEqual(["E_TARGET_EXITED", "victim"]);
    expect(error.message).toContain('Thread "victim" ended before its function returned: the process was killed by SIGKILL');
  });
});

describe("scenario hooks", () => {
  it("setup() throwing is E_HOOK_THREW with the cause, and no thread is launched", async () => {
    // Arrange
    const launches = recordLaunches();
    const cause = new Error("database unreachable");
    const threads = { w: spec("worker", "two-steps.mjs", "twoSteps"), p: spec("process", "two-steps.mjs", "twoSteps") };
    // Act
    const run = new TraceExecutor("w:first p:first", runOptions()).run({
      setup: () => {
        throw cause;
      },
      threads,
    });
    const error = await rejection(run, ScenarioHookError);
    launches.stop();
    // Assert
    expect([error.code, error.category, error.cause]).toEqual(["E_HOOK_THREW", "fault", cause]);
    // The cause, then where it was thrown (the user's frames only, source-mapped).
    expect(error.message).toMatch(/^The scenario's setup\(\) threw: Error: database unreachable\n {4}at .*errors-runtime\.test\.ts:\d+:\d+$/);
    expect({ workers: launches.workers, processes: launches.processes }).toEqual({ workers: 0, processes: 0 });
  });

  it.each(KINDS)("teardown(state) runs when a %s thread fails the run", async (kind) => {
    // Arrange
    const dir = tempDir();
    const torn: string[] = [];
    const threads = { victim: spec(kind, "throws.mjs", "throwSync") };
    // Act
    const run = new TraceExecutor("victim:go", runOptions()).run({ setup: () => ({ dir }), threads, teardown: (s) => void torn.push(s.dir) });
    const error = await rejection(run, ThreadError);
    // Assert
    expect(error.code).toBe("E_THREAD_THREW");
    expect(torn).toEqual([dir]);
  });

  it("teardown(state) runs when the schedule is rejected after setup()", async () => {
    // Arrange
    const torn: number[] = [];
    const threads = { t1: spec("worker", "two-steps.mjs", "twoSteps") };
    // Act
    const run = new TraceExecutor("t1:nowhere", runOptions()).run({ setup: () => ({ id: 7 }), threads, teardown: (s) => void torn.push(s.id) });
    const error = await rejection(run, UnknownMarkerError);
    // Assert
    expect(error.code).toBe("E_UNKNOWN_MARKER");
    expect(torn).toEqual([7]);
  });
});

describe("debugger statements in user code", () => {
  const schedule = "t2:one t1:one t1:two t2:two";

  it("do not disturb the schedule of worker threads", async () => {
    // Arrange
    const log = new Int32Array(new SharedArrayBuffer(4 * 8));
    const file = fixture("debugger-statement.mjs");
    const threads = { t1: thread.worker(file, "viaMemory", [1]), t2: thread.worker(file, "viaMemory", [2]) };
    // Act
    const result = await new TraceExecutor(schedule, runOptions()).run({ setup: () => ({ log }), threads });
    // Assert: slot 0 counts entries; entries are id * 10 + marker number.
    expect([...log.slice(0, 5)]).toEqual([4, 21, 11, 12, 22]);
    expect(result.trace.map((entry) => String(entry.step))).toEqual(schedule.split(" "));
  });

  it("do not disturb the schedule of process threads", async () => {
    // Arrange
    const journal = join(tempDir(), "journal.txt");
    const file = fixture("debugger-statement.mjs");
    const threads = { t1: thread.process(file, "viaFile", [1]), t2: thread.process(file, "viaFile", [2]) };
    // Act
    const result = await new TraceExecutor(schedule, runOptions()).run({ setup: () => ({ file: journal }), threads });
    // Assert
    expect(readFileSync(journal, "utf8")).toBe("2:one\n1:one\n1:two\n2:two\n");
    expect(result.trace.map((entry) => String(entry.step))).toEqual(schedule.split(" "));
  });
});
