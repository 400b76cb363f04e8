/**
 * "After any outcome, no worker, child process, or inspector port is left behind" (DESIGN §6, §7):
 * long series of successful and failing runs, runs cut short by a timeout, and no TCP port while
 * process threads run. The leak helpers are themselves tested first: they must see leftovers.
 */
import { spawn } from "node:child_process";
import { readFileSync } from "node:fs";
import { createServer, type AddressInfo } from "node:net";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { Worker } from "node:worker_threads";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { InterlaceError, TimeoutError, TraceExecutor, type ScenarioDefinition, type ThreadSpec } from "interlace";
import { WorkerHub } from "../../src/controller/worker-hub.js";
import { descendantProcesses, expectNothingLeft, leftOver, listeningSockets, parseStat, recordLaunches, type LeakBaseline } from "../helpers/leaks.js";
import { rejection, removeTempDirs, runOptions, spec, tempDir, warmUpAndTakeBaseline } from "../helpers/fixtures.js";

type State = { counter?: Int32Array; file?: string };
/** A successful run: its schedule, its scenario, and what its state must show afterwards. */
type Shape = { schedule: string; scenario: ScenarioDefinition<State>; check: (s: State) => unknown; expected: unknown };

/** Small timeout for runs meant to time out (it also bounds startup, so not too small on a busy machine). */
const SHORT_TIMEOUT_MS = 2_000;

let baseline: LeakBaseline;
beforeAll(async () => {
  baseline = await warmUpAndTakeBaseline();
});
afterAll(() => removeTempDirs());

describe("the leak helpers", () => {
  it("parse /proc/<pid>/stat lines whose command name holds spaces and parentheses", () => {
    // Act
    const stat = parseStat("4242 (my (odd) name) S 17 4242 4242 0 -1 4194560 110 0 0 0");
    // Assert
    expect(stat).toEqual({ pid: 4242, comm: "my (odd) name", state: "S", ppid: 17 });
  });

  it("see a leftover child process, an orphaned grandchild, a leftover worker and a listening socket", async () => {
    // Arrange: each of these would be a leak after a run.
    const child = spawn("sleep", ["30"], { stdio: "ignore" });
    const shell = spawn("sh", ["-c", "sleep 31 & echo $!"], { stdio: ["ignore", "pipe", "ignore"] });
    const shellExited = new Promise((resolve) => shell.once("exit", resolve));
    const orphan = Number((await new Promise<Buffer>((resolve) => shell.stdout.once("data", resolve))).toString());
    const worker = new Worker("setInterval(() => {}, 1000)", { eval: true });
    await new Promise((resolve) => worker.once("online", resolve));
    const server = createServer();
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    const port = (server.address() as AddressInfo).port;
    await shellExited;
    try {
      // Act
      const left = leftOver(baseline);
      const check = expectNothingLeft(baseline, { settleMs: 300 });
      // Assert
      await expect(check).rejects.toThrow(/left behind/);
      expect(left.processes.join("\n")).toContain(`pid ${child.pid} (sleep)`);
      expect(left.processes.join("\n")).toContain(`pid ${orphan} (sleep)`);
      expect(descendantProcesses().map((p) => p.pid)).not.toContain(orphan);
      expect(left.extraThreads).toBeGreaterThanOrEqual(1);
      expect(left.newListening).toContain(`127.0.0.1:${port}`);
    } finally {
      child.kill("SIGKILL");
      process.kill(orphan, "SIGKILL");
      await worker.terminate();
      await new Promise((resolve) => server.close(resolve));
    }
    await expectNothingLeft(baseline);
  });

  it("count the workers and processes a run launches", async () => {
    // Arrange
    const launches = recordLaunches();
    const threads = { t1: spec("worker", "two-steps.mjs", "twoSteps"), t2: spec("worker", "two-steps.mjs", "twoSteps"), p: spec("process", "two-steps.mjs", "twoSteps") };
    // Act
    await new TraceExecutor("t1:first p:first t2:first", runOptions()).run({ threads });
    launches.stop();
    // Assert
    expect({ workers: launches.workers, processes: launches.processes }).toEqual({ workers: 2, processes: 1 });
    await expectNothingLeft(baseline);
  });

  it("see the shared inspector hub while a worker run is in progress", async () => {
    // Arrange
    const threads = { spinner: spec("worker", "spin.mjs", "spinBetweenMarkers") };
    const run = rejection(new TraceExecutor("spinner:before spinner:after", runOptions(SHORT_TIMEOUT_MS)).run({ threads }), TimeoutError);
    // Act
    let hubSeen = false;
    const settled = run.then(() => true);
    while (!(await Promise.race([settled, sleep(20).then(() => false)]))) hubSeen ||= leftOver(baseline).hubActive;
    // Assert
    expect(hubSeen).toBe(true);
    expect(WorkerHub.active).toBe(false);
    await expectNothingLeft(baseline);
  });
});

describe("nothing is left behind", () => {
  afterEach(async () => {
    await expectNothingLeft(baseline);
  });

  it("after 10 successful runs in a row, with workers, processes and both", async () => {
    // Arrange: three shapes of scenario, cycled.
    const shapes: Array<() => Shape> = [
      () => ({
        schedule: "t1:read t2:read t1:write t2:write",
        scenario: { setup: () => ({ counter: new Int32Array(new SharedArrayBuffer(4)) }), threads: { t1: spec("worker", "counter.mjs", "bump"), t2: spec("worker", "counter.mjs", "bump") } },
        check: (s) => s.counter?.[0],
        expected: 1,
      }),
      () => ({
        schedule: "p2:first p1:first p1:second p2:second",
        scenario: { setup: () => ({ file: join(tempDir(), "journal.txt") }), threads: { p1: spec("process", "journal.mjs", "record", ["p1"]), p2: spec("process", "journal.mjs", "record", ["p2"]) } },
        check: (s) => readFileSync(s.file ?? "", "utf8"),
        expected: "p2:first\np1:first\np1:second\np2:second\n",
      }),
      () => ({
        schedule: "w:first p:first w:second p:second",
        scenario: { setup: () => ({ file: join(tempDir(), "journal.txt") }), threads: { w: spec("worker", "journal.mjs", "record", ["w"]), p: spec("process", "journal.mjs", "record", ["p"]) } },
        check: (s) => readFileSync(s.file ?? "", "utf8"),
        expected: "w:first\np:first\nw:second\np:second\n",
      }),
    ];
    const outcomes: Array<{ steps: number; observed: unknown }> = [];
    const expected: Array<{ steps: number; observed: unknown }> = [];
    // Act
    for (let i = 0; i < 10; i++) {
      const run = shapes[i % shapes.length]!();
      const result = await new TraceExecutor(run.schedule, runOptions()).run(run.scenario);
      outcomes.push({ steps: result.trace.length, observed: run.check(result.state) });
      expected.push({ steps: 4, observed: run.expected });
    }
    // Assert
    expect(outcomes).toEqual(expected);
  });

  it("after 10 failing runs in a row, with workers, processes and both", async () => {
    // Arrange: ten different faults.
    const failing: Array<{ code: string; schedule: string; threads: Record<string, ThreadSpec> }> = [
      { code: "E_THREAD_THREW", schedule: "t:go", threads: { t: spec("worker", "throws.mjs", "throwSync") } },
      { code: "E_THREAD_THREW", schedule: "t:go", threads: { t: spec("process", "throws.ts", "overdraw", [5]) } },
      { code: "E_UNKNOWN_MARKER", schedule: "t:nowhere", threads: { t: spec("worker", "two-steps.mjs", "twoSteps") } },
      { code: "E_UNKNOWN_MARKER", schedule: "t:nowhere", threads: { t: spec("process", "two-steps.mjs", "twoSteps"), u: spec("worker", "two-steps.mjs", "twoSteps") } },
      { code: "E_TARGET_EXITED", schedule: "t:go u:first", threads: { t: spec("worker", "exits.mjs", "exitMidRun"), u: spec("process", "two-steps.mjs", "twoSteps") } },
      { code: "E_TARGET_EXITED", schedule: "t:go u:first", threads: { t: spec("process", "killed.mjs", "killSelf"), u: spec("worker", "two-steps.mjs", "twoSteps") } },
      { code: "E_SCHEDULE_STALL", schedule: "t:first u:second", threads: { t: spec("worker", "two-steps.mjs", "twoSteps"), u: spec("process", "two-steps.mjs", "twoSteps") } },
      { code: "E_STEP_THREAD_FINISHED", schedule: "t:first t:second t:first", threads: { t: spec("process", "two-steps.mjs", "twoSteps"), u: spec("worker", "two-steps.mjs", "twoSteps") } },
      { code: "E_EXPORT_NOT_FOUND", schedule: "t:go", threads: { t: spec("process", "exports.mjs", "gamma") } },
      { code: "E_MODULE_LOAD", schedule: "t:never", threads: { t: spec("worker", "syntax-error.mjs", "neverRuns"), u: spec("process", "two-steps.mjs", "twoSteps") } },
    ];
    const codes: string[] = [];
    // Act
    for (const { schedule, threads } of failing) {
      const error = await rejection(new TraceExecutor(schedule, runOptions()).run({ threads }), InterlaceError);
      codes.push(error.code);
    }
    // Assert
    expect(codes).toEqual(failing.map((f) => f.code));
  });

  it.each([
    { spinner: "worker" as const, sibling: "worker" as const },
    { spinner: "process" as const, sibling: "process" as const },
    { spinner: "process" as const, sibling: "worker" as const },
  ])("after a run cut short mid-schedule by a timeout ($spinner spins, $sibling waits at a marker)", async ({ spinner, sibling }) => {
    // Arrange: the sibling is kept paused at `second` while the spinner never reaches `after`.
    const threads = { spinner: spec(spinner, "spin.mjs", "spinBetweenMarkers"), sibling: spec(sibling, "two-steps.mjs", "twoSteps") };
    const executor = new TraceExecutor("sibling:first spinner:before spinner:after sibling:second", runOptions(SHORT_TIMEOUT_MS));
    // Act
    const error = await rejection(executor.run({ threads }), TimeoutError);
    // Assert
    expect(error.message).toContain(`Thread "spinner" ran for ${SHORT_TIMEOUT_MS} ms without reaching its next marker`);
  });

  it("while process threads run, neither they nor this process listen on a TCP port", async () => {
    // Arrange
    const threads = { spinner: spec("process", "spin.mjs", "spinBetweenMarkers"), sibling: spec("process", "two-steps.mjs", "twoSteps") };
    const run = new TraceExecutor("sibling:first spinner:before spinner:after", runOptions(SHORT_TIMEOUT_MS)).run({ threads });
    const settled = run.then(
      () => "resolved",
      (error: unknown) => (error instanceof InterlaceError ? error.code : String(error)),
    );
    let looksWithTwoChildren = 0;
    const listening = new Set<string>();
    // Act: look while the run is in progress.
    for (let done = false; !done; ) {
      const pids = descendantProcesses().map((p) => p.pid);
      if (pids.length >= 2) looksWithTwoChildren += 1;
      for (const socket of listeningSockets([process.pid, ...pids])) {
        if (socket.pid !== process.pid || !baseline.listening.includes(socket.address)) listening.add(`${socket.pid} ${socket.address}`);
      }
      done = await Promise.race([settled.then(() => true), sleep(50).then(() => false)]);
    }
    // Assert
    expect(await settled).toBe("E_TIMEOUT");
    expect(looksWithTwoChildren).toBeGreaterThan(5);
    expect([...listening]).toEqual([]);
  });
});
