/**
 * Schedules that cannot be followed (DESIGN §6): a stall or a step for a finished thread must fail
 * at once (never by waiting for the timeout); threads that spin or block fail by E_TIMEOUT with
 * where they are. After each test, nothing may be left behind. Fixtures: fixtures/errors/.
 */
import { describe, expect, it } from "vitest";
import { ScheduleStallError, StepThreadFinishedError, TimeoutError, TraceExecutor } from "interlace";
import { KINDS, lineOf, rejection, runOptions, shownPath, spec, timed, checkNothingLeftAfterEachTest } from "../helpers/fixtures.js";

/** A generous timeout for faults that must NOT wait for it, and the bound that proves they did not. */
const LONG_TIMEOUT_MS = 20_000;
const FAST_MS = 5_000;
/** A small timeout for tests that expect one (large enough for a loaded machine to start a process). */
const SHORT_TIMEOUT_MS = 2_000;

checkNothingLeftAfterEachTest();

/** "fixtures/errors/two-steps.mjs:8" for the line holding `needle`. */
function at(file: string, needle: string): string {
  return `${shownPath(file)}:${lineOf(file, needle)}`;
}

describe("E_SCHEDULE_STALL", () => {
  it.each(KINDS)("%s threads paused where none can take the next step fail fast, listing each thread with file:line", async (kind) => {
    // Arrange: t1 passes `first` and stops at `second`; t2 stops at `first` but the next step wants t2 at `second`.
    const threads = { t1: spec(kind, "two-steps.mjs", "twoSteps"), t2: spec(kind, "two-steps.mjs", "twoSteps") };
    const executor = new TraceExecutor("t1:first t2:second", runOptions(LONG_TIMEOUT_MS));
    // Act
    const { value: error, ms } = await timed(() => rejection(executor.run({ threads }), ScheduleStallError));
    // Assert
    expect([error.code, error.category]).toEqual(["E_SCHEDULE_STALL", "fault"]);
    expect(error.message).toContain('Schedule stalled at step 2 of 2 (t2:second): thread "t2" is paused at marker "first"');
    expect(error.message).toContain(`t1: paused at marker "second" (${at("two-steps.mjs", "interlace: second")})`);
    expect(error.message).toContain(`t2: paused at marker "first" (${at("two-steps.mjs", "interlace: first")})`);
    expect(ms).toBeLessThan(FAST_MS);
  });
});

describe("E_STEP_THREAD_FINISHED", () => {
  it.each(KINDS)("a step for a %s thread that already finished fails fast", async (kind) => {
    // Arrange: t1 finishes after `second`; t2 is still alive, so the run is not over.
    const threads = { t1: spec(kind, "two-steps.mjs", "twoSteps"), t2: spec(kind, "two-steps.mjs", "twoSteps") };
    const executor = new TraceExecutor("t1:first t1:second t1:first", runOptions(LONG_TIMEOUT_MS));
    // Act
    const { value: error, ms } = await timed(() => rejection(executor.run({ threads }), StepThreadFinishedError));
    // Assert
    expect([error.code, error.category]).toEqual(["E_STEP_THREAD_FINISHED", "fault"]);
    expect(error.message).toContain('Step 3 of 3 (t1:first) cannot be taken: thread "t1" has already finished');
    expect(error.message).toContain("t1: finished");
    expect(error.message).toContain("t2: not started yet");
    expect(ms).toBeLessThan(FAST_MS);
  });

  // Steps left when the last live thread finishes are an error, not a silently shorter trace.
  for (const kind of KINDS) {
    it(`a step for the only ${kind} thread after it finished is E_STEP_THREAD_FINISHED too`, async () => {
      // Arrange
      const threads = { t1: spec(kind, "two-steps.mjs", "twoSteps") };
      const executor = new TraceExecutor("t1:first t1:second t1:first", runOptions(LONG_TIMEOUT_MS));
      // Act
      const error = await rejection(executor.run({ threads }), StepThreadFinishedError);
      // Assert
      expect(error.message).toContain('Step 3 of 3 (t1:first) cannot be taken: thread "t1" has already finished');
    });
  }
});

describe("E_TIMEOUT", () => {
  it.each(KINDS)("a %s thread spinning between two markers times out, showing where it spins", async (kind) => {
    // Arrange
    const threads = { spinner: spec(kind, "spin.mjs", "spinBetweenMarkers") };
    const executor = new TraceExecutor("spinner:before spinner:after", runOptions(SHORT_TIMEOUT_MS));
    // Act
    const error = await rejection(executor.run({ threads }), TimeoutError);
    // Assert
    expect([error.code, error.category]).toEqual(["E_TIMEOUT", "fault"]);
    expect(error.message).toContain(`Thread "spinner" ran for ${SHORT_TIMEOUT_MS} ms without reaching its next marker or finishing`);
    expect(error.message).toContain(`spinner: at ${at("spin.mjs", "spin: between")} in spinBetweenMarkers()`);
  });

  it.each(KINDS)("a %s thread spinning after the schedule is exhausted times out", async (kind) => {
    // Arrange
    const threads = { spinner: spec(kind, "spin.mjs", "spinAfterMarkers") };
    const executor = new TraceExecutor("spinner:only", runOptions(SHORT_TIMEOUT_MS));
    // Act
    const error = await rejection(executor.run({ threads }), TimeoutError);
    // Assert
    expect(error.code).toBe("E_TIMEOUT");
    expect(error.message).toContain(`Thread "spinner" did not finish within ${SHORT_TIMEOUT_MS} ms after the schedule was exhausted`);
    expect(error.message).toContain(`spinner: at ${at("spin.mjs", "spin: after")} in spinAfterMarkers()`);
  });

  describe("a worker blocked in Atomics.wait on a lock held by a paused worker", () => {
    /** holder takes the lock and is kept paused at `give`; waiter then blocks taking it. */
    async function blockedRun(): Promise<TimeoutError> {
      const file = "atomics-lock.mjs";
      const threads = { holder: spec("worker", file, "lockAndUnlock"), waiter: spec("worker", file, "lockAndUnlock") };
      const executor = new TraceExecutor("holder:take waiter:take holder:give", runOptions(SHORT_TIMEOUT_MS));
      return rejection(executor.run({ setup: () => ({ lock: new Int32Array(new SharedArrayBuffer(4)) }), threads }), TimeoutError);
    }

    it("times out naming the waiter and the file:line of the Atomics.wait call", async () => {
      // Act
      const error = await blockedRun();
      // Assert
      expect(error.code).toBe("E_TIMEOUT");
      expect(error.message).toContain(`Thread "waiter" ran for ${SHORT_TIMEOUT_MS} ms without reaching its next marker`);
      expect(error.message).toContain(`waiter: at ${at("atomics-lock.mjs", "Atomics.wait(lock")}`);
    });

    // V8 shows no frame for the Atomics.wait builtin: the pause lands on the calling line.
    it("says that the waiter is waiting in Atomics.wait", async () => {
      // Act
      const error = await blockedRun();
      // Assert
      expect(error.message).toContain(`waiter: at ${at("atomics-lock.mjs", "Atomics.wait(lock")} in acquire(), waiting in Atomics.wait`);
    });
  });
});
