// Task identity across callbacks, timers and nested calls; for-await and point() gates; code
// outside every task never blocked. Runs in the "tasks" vitest project (interlace/vitest plugin).
import { describe, expect, it } from "vitest";
import { TraceExecutor, point } from "interlace";
import { consume, recordStep, viaCallback, viaTimer } from "../../fixtures/tasks/identity.js";

describe("task identity", () => {
  it("a marker reached from a timer callback parks the task that set the timer", async () => {
    const log: string[] = [];
    const result = await new TraceExecutor("b:nested_step a:nested_step").run({
      a: () => viaTimer(log, "a"),
      b: () => viaTimer(log, "b"),
    });
    expect(log).toEqual(["b", "a"]);
    expect(result.trace.map((e) => `${e.step} ${e.where?.file}:${e.where?.line}`)).toEqual([
      "b:nested_step fixtures/tasks/identity.ts:6",
      "a:nested_step fixtures/tasks/identity.ts:6",
    ]);
  });

  it("a marker reached from a microtask callback and from a nested call parks the right task", async () => {
    const log: string[] = [];
    await new TraceExecutor("b:nested_step a:nested_step").run({
      a: () => viaCallback(log, "a"),
      b: async () => recordStep(log, "b"),
    });
    expect(log).toEqual(["b", "a"]);
  });

  it("for-await loops and point() are scheduling points", async () => {
    const log: string[] = [];
    await new TraceExecutor("x:before_item y:before_item y:before_item x:before_item").run({
      x: () => consume(log, "x"),
      y: () => consume(log, "y"),
    });
    expect(log).toEqual(["x0", "y0", "y1", "x1"]);
  });

  it("code outside every task passes gates while tasks are parked, and can unblock a task", async () => {
    const log: string[] = [];
    let signal!: () => void;
    const signalled = new Promise<void>((resolve) => (signal = resolve));
    // Set up outside every task, before the run: fires while task a is parked at its marker and
    // task b waits for the signal. Its own marker must not park it.
    const outside = new Promise<void>((resolve) => setTimeout(resolve, 20)).then(() => recordStep(log, "outside")).then(() => signal());
    await new TraceExecutor("b:nested_step a:nested_step").run({
      a: () => recordStep(log, "a"),
      b: async () => {
        await signalled;
        await recordStep(log, "b");
      },
    });
    await outside;
    expect(log).toEqual(["outside", "b", "a"]);
  });

  it("a task with two strands (Promise.all inside it) passes the step's marker on whichever strand is parked there", async () => {
    const { Counter } = await import("../../fixtures/tasks/counter.js");
    const outcomes = new Set<string>();
    for (let i = 0; i < 20; i++) {
      const c = new Counter();
      const result = await new TraceExecutor("a:read_value b:read_value a:write_value").run({
        a: async () => void (await Promise.all([c.increment(), c.increment()])),
        b: () => c.increment(),
      });
      outcomes.add(`${c.value} ${result.trace.map((e) => `${e.step}@${e.where?.line}`).join(" ")}`);
    }
    // One strand of a is parked at read_value, the other at write_value: step 3 takes the second.
    expect([...outcomes]).toHaveLength(1);
    expect([...outcomes][0]).toMatch(/^\d a:read_value@15 b:read_value@15 a:write_value@17$/);
  });

  it("point() outside a run resolves at once and rejects bad names", async () => {
    await expect(point("ok_name")).resolves.toBeUndefined();
    expect(() => point("not a name")).toThrow(/not a valid point name/);
  });
});
