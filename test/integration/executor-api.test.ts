/**
 * The library API as a vitest user writes it, mirroring the Python original's
 * `TraceExecutor(schedule).run(...)`.
 */
import { afterEach, describe, expect, it, vi } from "vitest";
import { Schedule, Step, TraceExecutor, TimeoutError, defineScenario, thread } from "interlace";
import { fixture, opsOf, type SabState } from "../helpers/scenarios.js";

const counter = fixture("counter/counter.mjs");

describe("TraceExecutor", () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  it("runs threads registered one by one, Python style, with Schedule and Step objects", async () => {
    const schedule = new Schedule([new Step("thread1", "read"), new Step("thread2", "read"), new Step("thread1", "write"), new Step("thread2", "write")]);
    const executor = new TraceExecutor(schedule, { timeout: 5_000 });
    executor.run("thread1", thread.worker(counter, "increment", [1]));
    executor.run("thread2", thread.worker(counter, "increment", [2]));

    const result = await executor.wait<SabState>({
      setup: () => ({ cells: new Int32Array(new SharedArrayBuffer(8)), log: new Int32Array(new SharedArrayBuffer(64)) }),
      invariant: (s) => s.cells[0] === 2,
    });

    expect(result.invariantHolds).toBe(false);
    expect(result.invariantFailure).toBe("invariant returned false");
    expect(result.state.cells[0]).toBe(1);
    expect(opsOf(result.state)).toEqual([11, 21, 12, 22]);
    expect(result.schedule).toBe(schedule);
    expect(result.trace.map((t) => t.step)).toEqual(schedule.steps);
  });

  it("reports a throwing invariant as a violation with its message, not as an error", async () => {
    const scenario = defineScenario<SabState>({
      setup: () => ({ cells: new Int32Array(new SharedArrayBuffer(8)), log: new Int32Array(new SharedArrayBuffer(64)) }),
      threads: { a: thread.worker(counter, "increment", [1]) },
      invariant: (s) => {
        if (s.cells[0] !== 5) throw new RangeError(`count is ${s.cells[0]}`);
      },
    });

    const result = await new TraceExecutor("a:read a:write").run(scenario);

    expect(result.invariantHolds).toBe(false);
    expect(result.invariantFailure).toBe("invariant threw RangeError: count is 1");
  });

  it("keeps its own timeouts working while the test fakes timers", async () => {
    vi.useFakeTimers();
    const scenario = defineScenario<{ cells: Int32Array }>({
      setup: () => ({ cells: new Int32Array(new SharedArrayBuffer(4)) }),
      threads: { spinner: thread.worker(fixture("api/spin.mjs"), "spinAfterMarker") },
    });

    const error = await new TraceExecutor("spinner:start spinner:start", { timeout: 300 }).run(scenario).catch((e: unknown) => e);

    expect(error).toBeInstanceOf(TimeoutError);
    expect((error as TimeoutError).message).toMatch(/Thread "spinner" ran for 300 ms without reaching its next marker/);
    expect((error as TimeoutError).message).toMatch(/spinner: at fixtures\/api\/spin\.mjs:4 in spinAfterMarker\(\)/);
  });

  it("rejects a non-positive timeout", () => {
    expect(() => new TraceExecutor("a:b", { timeout: 0 })).toThrow(/timeout must be a positive number/);
  });
});
