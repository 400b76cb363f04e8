/**
 * Bad input is rejected before any thread function runs (DESIGN §6): unknown thread or marker,
 * malformed schedule, missing module or export, module that fails to load, duplicate thread
 * name, state that cannot reach a thread. Each test asserts the error class, code, category and
 * the key parts of the message; after each one, nothing may be left behind.
 * Fixtures: fixtures/errors/. Runtime faults: errors-runtime.test.ts, errors-schedule.test.ts.
 */
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import {
  DuplicateThreadError,
  ExportNotFoundError,
  ModuleLoadError,
  ModuleNotFoundError,
  ScheduleSyntaxError,
  StateTransferError,
  TraceExecutor,
  UnknownMarkerError,
  UnknownThreadError,
} from "interlace";
import { recordLaunches } from "../helpers/leaks.js";
import {
  KINDS,
  type Kind,
  fixture,
  fixturePath,
  lineOf,
  rejection,
  runOptions,
  shownPath,
  spec,
  tempDir,
  thrown,
  checkNothingLeftAfterEachTest,
} from "../helpers/fixtures.js";

const counterState = (): { counter: Int32Array } => ({ counter: new Int32Array(new SharedArrayBuffer(4)) });

checkNothingLeftAfterEachTest();

describe("E_UNKNOWN_THREAD", () => {
  it("a schedule naming an undefined thread is rejected before setup() and before any launch", async () => {
    // Arrange
    const launches = recordLaunches();
    let setups = 0;
    const threads = { t1: spec("worker", "counter.mjs", "bump"), p1: spec("process", "journal.mjs", "record", ["p1"]) };
    const setup = (): { counter: Int32Array } => {
      setups += 1;
      return counterState();
    };
    // Act
    const run = new TraceExecutor("t1:read ghost:read", runOptions()).run({ setup, threads });
    const error = await rejection(run, UnknownThreadError);
    launches.stop();
    // Assert
    expect([error.code, error.category, error.thread]).toEqual(["E_UNKNOWN_THREAD", "input", "ghost"]);
    expect(error.message).toContain('names thread "ghost"');
    expect(error.message).toContain('Known threads: "t1", "p1"');
    expect({ setups, workers: launches.workers, processes: launches.processes }).toEqual({ setups: 0, workers: 0, processes: 0 });
  });
});

describe("E_UNKNOWN_THREAD for names of Object.prototype", () => {
  it.each(["toString", "constructor", "__proto__", "hasOwnProperty"])("a schedule naming %s is an unknown thread, not an internal error", async (name) => {
    const threads = { t1: spec("worker", "counter.mjs", "bump") };
    const error = await rejection(new TraceExecutor(`${name}:read t1:read`, runOptions()).run({ threads }), UnknownThreadError);
    expect([error.code, error.thread]).toEqual(["E_UNKNOWN_THREAD", name]);
  });
});

describe("E_UNKNOWN_MARKER", () => {
  it.each(KINDS)("a marker that exists nowhere in a %s thread's sources is rejected", async (kind) => {
    // Arrange
    const threads = { t1: spec(kind, "two-steps.mjs", "twoSteps") };
    // Act
    const error = await rejection(new TraceExecutor("t1:first t1:nowhere", runOptions()).run({ threads }), UnknownMarkerError);
    // Assert
    expect([error.code, error.category, error.thread, error.marker]).toEqual(["E_UNKNOWN_MARKER", "input", "t1", "nowhere"]);
    expect(error.message).toContain('The schedule uses marker "nowhere" for thread "t1"');
    expect(error.message).toContain('Markers found in the sources thread "t1" loaded: first, second.');
  });

  it("process threads never run their function when the schedule is rejected", async () => {
    // Arrange: each thread would append to the journal as its first statement.
    const file = join(tempDir(), "journal.txt");
    const threads = { p1: spec("process", "journal.mjs", "record", ["p1"]), p2: spec("process", "journal.mjs", "record", ["p2"]) };
    // Act
    const error = await rejection(new TraceExecutor("p1:nowhere", runOptions()).run({ setup: () => ({ file }), threads }), UnknownMarkerError);
    // Assert
    expect(error.code).toBe("E_UNKNOWN_MARKER");
    expect(existsSync(file)).toBe(false);
  });

  // Teardown resumes workers paused at their ready point before terminating them; the function
  // must still not start. Before the ready-point handshake this raced in ~75% of runs like these
  // (eight paused workers, six runs), so the test can fail.
  it("worker threads never run their function when the schedule is rejected (8 workers, 6 runs)", async () => {
    // Arrange
    const counters = Array.from({ length: 6 }, () => new Int32Array(new SharedArrayBuffer(4)));
    const threads = Object.fromEntries(Array.from({ length: 8 }, (_, i) => [`t${i}`, spec("worker", "counter.mjs", "bump")]));
    // Act
    for (const counter of counters) {
      await rejection(new TraceExecutor("t0:nowhere", runOptions()).run({ setup: () => ({ counter }), threads }), UnknownMarkerError);
    }
    // Assert: bump() increments the counter as its first effect.
    expect(counters.map((c) => c[0])).toEqual([0, 0, 0, 0, 0, 0]);
  });

  it.each(KINDS)('"// interlace: fake" inside a string or template literal is not a marker (%s)', async (kind) => {
    // Arrange: the fixture really contains the text, twice, outside comments.
    expect(readFileSync(fixture("counter.mjs"), "utf8").match(/\/\/ interlace: fake/g)).toHaveLength(2);
    const threads = { t1: spec(kind, "counter.mjs", "bump") };
    // Act
    // Processes get a copy of the state, so they get private memory rather than shared memory.
    const setup = kind === "process" ? () => ({ counter: new Int32Array(4) }) : counterState;
    const error = await rejection(new TraceExecutor("t1:fake", runOptions()).run({ setup, threads }), UnknownMarkerError);
    // Assert
    expect([error.code, error.marker]).toEqual(["E_UNKNOWN_MARKER", "fake"]);
    expect(error.message).toContain('Markers found in the sources thread "t1" loaded: read, write.');
  });
});

describe("E_SCHEDULE_SYNTAX", () => {
  it.each([
    ["t1 read", 'Malformed step "t1"'],
    ["", "Empty schedule"],
    ["t1:", 'Malformed step "t1:"'],
  ])("the constructor throws on %j", (schedule, fragment) => {
    // Act
    const error = thrown(() => new TraceExecutor(schedule), ScheduleSyntaxError);
    // Assert
    expect([error.code, error.category]).toEqual(["E_SCHEDULE_SYNTAX", "input"]);
    expect(error.message).toContain(fragment);
  });
});

describe("E_MODULE_NOT_FOUND", () => {
  it.each(KINDS)("a missing %s module is rejected before setup() and before any thread launches", async (kind) => {
    // Arrange: a valid worker comes first, so a partial launch would be seen.
    const launches = recordLaunches();
    let setups = 0;
    const threads = { t0: spec("worker", "counter.mjs", "bump"), t1: spec(kind, "does-not-exist.mjs", "run") };
    const setup = (): { counter: Int32Array } => {
      setups += 1;
      return counterState();
    };
    // Act
    const run = new TraceExecutor("t0:read t1:go", runOptions()).run({ setup, threads });
    const error = await rejection(run, ModuleNotFoundError);
    launches.stop();
    // Assert
    expect([error.code, error.category]).toEqual(["E_MODULE_NOT_FOUND", "input"]);
    expect(error.message).toContain(`Module of thread "t1" not found: ${fixturePath("does-not-exist.mjs")}`);
    expect({ setups, workers: launches.workers, processes: launches.processes }).toEqual({ setups: 0, workers: 0, processes: 0 });
  });
});

describe("E_EXPORT_NOT_FOUND", () => {
  it.each(KINDS)("a missing export of a %s thread lists the exports that exist", async (kind) => {
    // Arrange
    const threads = { t1: spec(kind, "exports.mjs", "gamma") };
    // Act
    const error = await rejection(new TraceExecutor("t1:go", runOptions()).run({ threads }), ExportNotFoundError);
    // Assert
    expect([error.code, error.category]).toEqual(["E_EXPORT_NOT_FOUND", "input"]);
    expect(error.message).toContain('Thread "t1"');
    expect(error.message).toContain(`${shownPath("exports.mjs")} has no exported function "gamma"`);
    expect(error.message).toContain("Exports found: VERSION, alpha, beta.");
  });
});

describe("E_MODULE_LOAD", () => {
  it.each(KINDS)("a %s module with a syntax error fails to load, naming thread and file", async (kind) => {
    // Arrange
    const threads = { t1: spec(kind, "syntax-error.mjs", "neverRuns") };
    // Act
    const error = await rejection(new TraceExecutor("t1:never", runOptions()).run({ threads }), ModuleLoadError);
    // Assert
    expect([error.code, error.category]).toEqual(["E_MODULE_LOAD", "input"]);
    expect(error.message).toContain(`Thread "t1": importing ${shownPath("syntax-error.mjs")} failed before the thread started`);
    expect(error.message).toContain("SyntaxError: missing ) after argument list");
  });

  it.each(KINDS)("a %s module throwing at top level fails to load, with the file:line of the throw", async (kind) => {
    // Arrange
    const threads = { t1: spec(kind, "throws-at-load.mjs", "neverRuns") };
    const line = lineOf("throws-at-load.mjs", 'throw new Error("top-level failure');
    // Act
    const error = await rejection(new TraceExecutor("t1:never", runOptions()).run({ threads }), ModuleLoadError);
    // Assert
    expect([error.code, error.category]).toEqual(["E_MODULE_LOAD", "input"]);
    expect(error.message).toContain(`Thread "t1": importing ${shownPath("throws-at-load.mjs")} failed`);
    expect(error.message).toContain("Error: top-level failure in throws-at-load");
    expect(error.message).toContain(`${fixturePath("throws-at-load.mjs")}:${line}:`);
  });
});

describe("E_DUPLICATE_THREAD", () => {
  it.each(KINDS)("registering a %s thread name twice throws at once; the first registration still runs", async (kind) => {
    // Arrange
    const dir = tempDir();
    const executor = new TraceExecutor("t1:first", runOptions());
    executor.run("t1", spec(kind, "journal.mjs", "record", ["t1"]));
    // Act
    const error = thrown(() => executor.run("t1", spec(kind, "journal.mjs", "record", ["again"])), DuplicateThreadError);
    const result = await executor.wait({ setup: () => ({ file: join(dir, "journal.txt") }) });
    // Assert
    expect([error.code, error.category]).toEqual(["E_DUPLICATE_THREAD", "input"]);
    expect(error.message).toContain('Thread name "t1" is used twice');
    expect(result.trace.map((entry) => String(entry.step))).toEqual(["t1:first"]);
    expect(readFileSync(join(dir, "journal.txt"), "utf8")).toBe("t1:first\nt1:second\n");
  });
});

describe("E_STATE_NOT_TRANSFERABLE", () => {
  async function rejectedState(kind: Kind, state: () => object): Promise<{ error: StateTransferError; teardowns: number; launched: number }> {
    // A valid worker thread comes first, so a partial launch would be seen.
    const launches = recordLaunches();
    let teardowns = 0;
    const threads = { t0: spec("worker", "counter.mjs", "bump"), t1: spec(kind, "counter.mjs", "bump") };
    const run = new TraceExecutor("t0:read t1:read", runOptions()).run({ setup: state, threads, teardown: () => void (teardowns += 1) });
    try {
      return { error: await rejection(run, StateTransferError), teardowns, launched: launches.workers + launches.processes };
    } finally {
      launches.stop();
    }
  }

  it.each([
    { kind: "worker" as const, state: () => ({ ...counterState(), onDone: () => 0 }), thread: "t0", fragment: "could not be cloned" },
    { kind: "process" as const, state: () => ({ shared: new SharedArrayBuffer(4) }), thread: "t1", fragment: "SharedArrayBuffer" },
  ])("state a $kind thread cannot receive is rejected before anything launches; teardown runs", async ({ kind, state, thread, fragment }) => {
    // Act
    const { error, teardowns, launched } = await rejectedState(kind, state);
    // Assert
    expect([error.code, error.category]).toEqual(["E_STATE_NOT_TRANSFERABLE", "input"]);
    expect(error.message).toContain(`cannot be passed to ${kind} thread "${thread}"`);
    expect(error.message).toContain(fragment);
    expect({ teardowns, launched }).toEqual({ teardowns: 1, launched: 0 });
  });

  // v8.serialize copies typed arrays whatever their buffer: without an explicit check, a process
  // would silently work on a private copy of shared memory.
  it("an Int32Array over a SharedArrayBuffer in a process thread's state is rejected too", async () => {
    // Act
    const { error, launched } = await rejectedState("process", counterState);
    // Assert
    expect(error.code).toBe("E_STATE_NOT_TRANSFERABLE");
    expect(error.message).toContain('process thread "t1"');
    expect(launched).toBe(0);
  });
});
