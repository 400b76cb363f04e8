// Task runs that cannot complete: deadlocks, bad input, throwing tasks, and code that fakes timers.
// Runs in the "tasks" vitest project (interlace/vitest plugin).
import FakeTimers from "@sinonjs/fake-timers";
import { Mutex } from "async-mutex";
import { afterEach, describe, expect, it, vi } from "vitest";
import { DeadlockError, InterlaceError, Schedule, TraceExecutor } from "interlace";
import { Counter } from "../../fixtures/tasks/counter.js";
import { lockBoth, waitForever } from "../../fixtures/tasks/two-locks.js";

const realSetImmediate = globalThis.setImmediate;
const LOST_UPDATE = "task1:read_value task2:read_value task1:write_value task2:write_value";

async function rejection(promise: Promise<unknown>): Promise<InterlaceError> {
  try {
    await promise;
  } catch (error) {
    expect(error).toBeInstanceOf(InterlaceError);
    return error as InterlaceError;
  }
  throw new Error("expected the run to reject");
}

describe("deadlocks", () => {
  it("reports two mutexes taken in opposite orders as a deadlock naming each task and position", async () => {
    const a = new Mutex();
    const b = new Mutex();
    const log: string[] = [];
    const started = performance.now();
    const error = await rejection(
      new TraceExecutor("t1:take_first t2:take_first t1:take_second t2:take_second").run({
        t1: () => lockBoth(a, b, log, "t1"),
        t2: () => lockBoth(b, a, log, "t2"),
      }),
    );
    expect(error).toBeInstanceOf(DeadlockError);
    expect(error.code).toBe("E_DEADLOCK");
    expect((error as DeadlockError).waiting).toEqual([
      { thread: "t1", at: "fixtures/tasks/two-locks.ts:9:27  const releaseSecond = await second.acquire();" },
      { thread: "t2", at: "fixtures/tasks/two-locks.ts:9:27  const releaseSecond = await second.acquire();" },
    ]);
    expect(log).toEqual([]);
    // Detected at the first quiet point, not by a timeout.
    expect(performance.now() - started).toBeLessThan(5_000);
  });

  it("the same tasks taking the locks in one order complete under either schedule", async () => {
    for (const schedule of ["t1:take_first t2:take_first t1:take_second t2:take_second", "t2:take_first t2:take_second t1:take_first t1:take_second"]) {
      const a = new Mutex();
      const b = new Mutex();
      const log: string[] = [];
      // In the first schedule t2 waits for the lock t1 holds; t1 runs on, releases it, and t2 follows.
      const result = await new TraceExecutor(schedule).run({ t1: () => lockBoth(a, b, log, "t1"), t2: () => lockBoth(a, b, log, "t2") });
      expect(result.trace.map((e) => e.step.toString()).join(" ")).toBe(schedule);
      expect(log, schedule).toEqual(schedule.startsWith("t1") ? ["t1", "t2"] : ["t2", "t1"]);
    }
  });

  it("reports a promise that never settles as a deadlock", async () => {
    const error = await rejection(new TraceExecutor(new Schedule([])).run({ stuck: () => waitForever(), fine: async () => {} }));
    expect(error).toBeInstanceOf(DeadlockError);
    expect((error as DeadlockError).waiting).toEqual([{ thread: "stuck", at: "fixtures/tasks/two-locks.ts:18:3  await new Promise<void>(() => {});" }]);
  });
});

describe("bad input is rejected before any task runs", () => {
  it("unknown task in the schedule", async () => {
    const c = new Counter();
    const error = await rejection(new TraceExecutor("task3:read_value").run({ task1: () => c.increment(), task2: () => c.increment() }));
    expect(error.code).toBe("E_UNKNOWN_THREAD");
    expect(c.value).toBe(0);
  });

  it("unknown marker, listing the known ones", async () => {
    const c = new Counter();
    const error = await rejection(new TraceExecutor("task1:read_valeu").run({ task1: () => c.increment() }));
    expect(error.code).toBe("E_UNKNOWN_MARKER");
    expect(error.message).toContain("read_value");
    expect(c.value).toBe(0);
  });

  it("a scenario mixing tasks and workers", async () => {
    const { thread } = await import("interlace");
    const error = await rejection(
      new TraceExecutor(new Schedule([])).run({ threads: { a: thread.task(async () => {}), b: thread.worker(new URL("../../fixtures/counter/counter.mjs", import.meta.url), "increment") } }),
    );
    expect(error.code).toBe("E_SCENARIO_INVALID");
    expect(error.message).toContain("all be tasks or all be workers/processes");
  });
});

describe("a task that throws", () => {
  it("rejects the run with the task's name and a stack pointing at the original TS line", async () => {
    const c = new Counter();
    c.value = 5;
    const error = await rejection(new TraceExecutor("t1:read_checked").run({ t1: () => c.incrementOrFail(5), t2: () => c.increment() }));
    expect(error.code).toBe("E_THREAD_THREW");
    expect(error.message).toContain('Thread "t1" threw');
    expect(error.message).toContain("RangeError: counter is already at 5");
    expect(error.message).toMatch(/fixtures\/tasks\/counter\.ts:22:/);
  });
});

describe("code under test that fakes timers cannot break scheduling", () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  it("vi.useFakeTimers(): the forced lost update still happens", async () => {
    vi.useFakeTimers();
    const c = new Counter();
    await new TraceExecutor(LOST_UPDATE).run({ task1: () => c.increment(), task2: () => c.increment() });
    expect(c.value).toBe(1);
  });

  it("@sinonjs/fake-timers: a task sleeping on a fake timer nobody advances is reported, not hung", async () => {
    // The timer functions only: faking process.nextTick or queueMicrotask too would also freeze
    // vitest's own messaging (timers it schedules meanwhile are dropped at uninstall).
    const clock = FakeTimers.install({ toFake: ["setTimeout", "clearTimeout", "setImmediate", "clearImmediate", "setInterval", "clearInterval", "Date", "performance"] });
    try {
      const error = await rejection(
        new TraceExecutor(new Schedule([]), { timeout: 2_000 }).run({ sleeper: () => new Promise<void>((resolve) => setTimeout(resolve, 10)) }),
      );
      expect(error.code).toBe("E_DEADLOCK");
      const c = new Counter();
      await new TraceExecutor(LOST_UPDATE).run({ task1: () => c.increment(), task2: () => c.increment() });
      expect(c.value).toBe(1);
    } finally {
      clock.uninstall();
    }
  });

  it("real timeouts still fire under fake timers: a task spinning through awaits times out", async () => {
    vi.useFakeTimers();
    let spins = 0;
    const error = await rejection(
      new TraceExecutor("t1:read_value", { timeout: 300 }).run({
        t1: async () => {
          for (;;) {
            spins += 1;
            await new Promise<void>((resolve) => realSetImmediate(resolve));
          }
        },
      }),
    );
    expect(error.code).toBe("E_TIMEOUT");
    expect(spins).toBeGreaterThan(0);
  });
});
