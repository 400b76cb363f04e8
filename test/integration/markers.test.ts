/**
 * Markers in every source form a user writes (ESM, CJS, TS through tsx, TS compiled by tsc with
 * .map files), in loops and async functions, forcing exact interleavings of real worker threads.
 * The fixtures log every read and write, so each test checks the whole order, not just the sum.
 */
import { describe, expect, it } from "vitest";
import { TraceExecutor } from "interlace";
import { fixture, lineOf, opsOf, sabCounter } from "../helpers/scenarios.js";

const TS_SOURCE = fixture("counter/counter.ts");
const variants = [
  { name: "ESM (.mjs)", module: fixture("counter/counter.mjs"), source: fixture("counter/counter.mjs") },
  { name: "CJS (.cjs)", module: fixture("counter/counter.cjs"), source: fixture("counter/counter.cjs") },
  { name: "TypeScript through tsx", module: TS_SOURCE, source: TS_SOURCE },
  { name: "tsc ESM output with .map", module: fixture("counter/tsc-out/esm/counter.js"), source: TS_SOURCE },
  { name: "tsc CJS output with .map, comments removed", module: fixture("counter/tsc-out/cjs/counter.js"), source: TS_SOURCE },
];

describe.each(variants)("markers in $name", ({ module, source }) => {
  it("forces the lost update: both reads before either write", async () => {
    const result = await new TraceExecutor("t1:read t2:read t1:write t2:write").run(sabCounter(module, "increment"));

    expect(result.state.cells[0]).toBe(1);
    expect(opsOf(result.state)).toEqual([11, 21, 12, 22]);
  });

  it("forces serial orders in both directions", async () => {
    const forward = await new TraceExecutor("t1:read t1:write t2:read t2:write").run(sabCounter(module, "increment"));
    const backward = await new TraceExecutor("t2:read t2:write t1:read t1:write").run(sabCounter(module, "increment"));

    expect(forward.state.cells[0]).toBe(2);
    expect(opsOf(forward.state)).toEqual([11, 12, 21, 22]);
    expect(backward.state.cells[0]).toBe(2);
    expect(opsOf(backward.state)).toEqual([21, 22, 11, 12]);
  });

  it("reports each step at its original file and line (own-line and inline block markers)", async () => {
    const result = await new TraceExecutor("t1:read t2:read t1:write t2:write").run(sabCounter(module, "increment"));

    const readLine = lineOf(source, "const value");
    const writeLine = lineOf(source, "/* interlace: write */");
    expect(result.trace.map((t) => `${t.step} ${t.where?.file}:${t.where?.line}`)).toEqual([
      `t1:read fixtures/${source.pathname.split("/fixtures/")[1]}:${readLine}`,
      `t2:read fixtures/${source.pathname.split("/fixtures/")[1]}:${readLine}`,
      `t1:write fixtures/${source.pathname.split("/fixtures/")[1]}:${writeLine}`,
      `t2:write fixtures/${source.pathname.split("/fixtures/")[1]}:${writeLine}`,
    ]);
    expect(result.trace[0]?.where?.text).toMatch(/^const value/);
    expect(result.warnings).toEqual([]);
  });

  it("consumes one step per hit of a marker inside a loop", async () => {
    const schedule = "t1:loop_read t2:loop_read t1:loop_write t2:loop_write t2:loop_read t2:loop_write t1:loop_read t1:loop_write";
    const result = await new TraceExecutor(schedule).run(sabCounter(module, "incrementLoop", [2]));

    expect(opsOf(result.state)).toEqual([11, 21, 12, 22, 21, 22, 11, 12]);
    // t1 and t2 both read 0 and write 1; then t2 reads 1 → 2; then t1 reads 2 → 3.
    expect(result.state.cells[0]).toBe(3);
    expect(result.trace).toHaveLength(8);
  });

  it("gates markers inside async functions across awaits, timers and setImmediate", async () => {
    const result = await new TraceExecutor("t1:async_read t2:async_read t1:async_write t2:async_write").run(
      sabCounter(module, "incrementAsync"),
    );

    expect(opsOf(result.state)).toEqual([11, 21, 12, 22]);
    expect(result.state.cells[0]).toBe(1);
  });

  it("lets threads run freely once the schedule is exhausted", async () => {
    const result = await new TraceExecutor("t2:read t2:write").run(sabCounter(module, "increment"));

    // t2 ran alone from its read marker to its write marker; the last step then released both
    // threads, which finish concurrently, so only the first op's order is fixed.
    expect(opsOf(result.state)[0]).toBe(21);
    expect(opsOf(result.state).sort()).toEqual([11, 12, 21, 22]);
    expect(result.trace.map(String)).toHaveLength(2);
  });
});
