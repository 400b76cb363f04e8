import { describe, expect, it } from "vitest";
import type { Access } from "../../../../src/strategies/access.js";
import { Dpor } from "../../../../src/strategies/dpor.js";
import { Prng } from "../../../../src/strategies/prng.js";
import {
  acquire,
  allInterleavings,
  allTraces,
  explore,
  preemptions,
  program,
  read,
  readRow,
  release,
  runOnce,
  traceOf,
  world,
  write,
  writeRow,
  type Program,
} from "./model.js";

const range = (n: number): number[] => Array.from({ length: n }, (_, i) => i + 1);
const factorial = (n: number): number => (n <= 1 ? 1 : n * factorial(n - 1));
const ORDERS = ["dfs", "diverse"] as const;

/** Explores `prog` to the end, checking that no run repeats a trace; returns the traces in run order. */
function exploreTraces(prog: Program, dpor: Dpor): string[] {
  const traces = explore(dpor, prog).map((decisions) => traceOf(prog, decisions));
  expect(new Set(traces).size).toBe(traces.length);
  expect(dpor.sleepBlockedRuns).toBe(0);
  expect(dpor.beginRun(traces.length)).toBe(false);
  return traces;
}

/** Each thread runs the same critical section: acquire L, one step per location written, release L. */
function lockedWriters(threads: number, locations: number): Program {
  const section = [[acquire("L")], ...range(locations).map((i) => [write(`x${i}`)]), [release("L")]];
  return program(...range(threads).map(() => section));
}

/** Two threads taking locks L and M in opposite orders. */
const abba = program(
  [[acquire("L")], [acquire("M")], [write("x")], [release("M")], [release("L")]],
  [[acquire("M")], [acquire("L")], [write("x")], [release("L")], [release("M")]],
);

/** Counter increments: read x then write x, as two steps or as one. */
const twoStepCounter = program([[read("x")], [write("x")]], [[read("x")], [write("x")]]);
const oneStepCounter = program([[read("x"), write("x")]], [[read("x"), write("x")]]);

/**
 * A small random program (the same for a seed): 2 threads of up to 6 steps or 3 of up to 4, made
 * of plain steps (one or two accesses to x, y, z), critical sections of L or M (the acquire and
 * release alone or with an access), and, with 2 threads, nested sections in either lock order.
 */
function randomProgram(seed: number): Program {
  const prng = new Prng(seed);
  const access = (): Access => ({ op: prng.int(2) === 0 ? "read" : "write", location: ["x", "y", "z"][prng.int(3)]! });
  const count = 2 + prng.int(2);
  const budget = count === 2 ? 6 : 4;
  return program(
    ...range(count).map(() => {
      const events: Access[][] = [];
      for (let attempt = 0; attempt < 4; attempt++) {
        const [l, m] = prng.int(2) === 0 ? ["L", "M"] : ["M", "L"];
        const block = [
          [[access()]],
          [[access(), access()]],
          [[acquire(l)], [access()], [release(l)]],
          [[acquire(l), access()], [access(), release(l)]],
          [[acquire(l)], [acquire(m)], [access()], [release(m)], [release(l)]],
        ][prng.int(5)]!;
        if (events.length + block.length <= budget) events.push(...block);
      }
      return events.length > 0 ? events : [[access()]];
    }),
  );
}

describe.each(ORDERS)("Dpor, order %s: one execution per trace", (order) => {
  const dpor = (): Dpor => new Dpor({ order });

  it.each(range(5))("%d threads writing independent locations: 1 execution", (n) => {
    const prog = program(...range(n).map((i) => [[write(`x${i}`)], [read(`x${i}`)], [write(`x${i}`)]]));
    expect(exploreTraces(prog, dpor())).toHaveLength(1);
  });

  it.each(range(4).map((n) => [n, 2 ** n]))("two threads writing the same %d locations in turn: %d executions", (n, count) => {
    const writes = range(n).map((i) => [write(`x${i}`)]);
    const prog = program(writes, writes);
    const traces = exploreTraces(prog, dpor());
    expect(traces).toHaveLength(count);
    expect(new Set(traces)).toEqual(allTraces(prog));
  });

  it.each(range(4).map((n) => [n, factorial(n)]))("%d threads serialised by one lock: %d executions", (n, count) => {
    const prog = lockedWriters(n, 1);
    const traces = exploreTraces(prog, dpor());
    expect(traces).toHaveLength(count);
    expect(new Set(traces)).toEqual(allTraces(prog));
  });

  it.each(range(4))("two threads writing the same %d locations under one lock: 2 executions", (n) => {
    const prog = lockedWriters(2, n);
    const traces = exploreTraces(prog, dpor());
    expect(traces).toHaveLength(2);
    expect(new Set(traces)).toEqual(allTraces(prog));
  });

  it("counter, read and write as separate steps: 4 executions of its 6 interleavings", () => {
    expect(allInterleavings(twoStepCounter)).toHaveLength(6);
    const traces = exploreTraces(twoStepCounter, dpor());
    expect(traces).toHaveLength(4);
    expect(new Set(traces)).toEqual(allTraces(twoStepCounter));
  });

  it("counter, each increment one step (read x; write x): 2 executions of its 2 interleavings", () => {
    expect(allInterleavings(oneStepCounter)).toHaveLength(2);
    expect(exploreTraces(oneStepCounter, dpor())).toHaveLength(2);
  });

  it("locks taken in opposite orders: 3 executions (L first, M first, deadlock)", () => {
    const traces = exploreTraces(abba, dpor());
    expect(traces).toHaveLength(3);
    expect(new Set(traces)).toEqual(allTraces(abba));
  });

  it.each(range(16))("random program #%d: one execution per trace, and every trace", (seed) => {
    const prog = randomProgram(seed);
    expect(new Set(exploreTraces(prog, dpor()))).toEqual(allTraces(prog));
  });

  it("two untraced calls: 2 executions (the outside world is written by both)", () => {
    const prog = program([[world()]], [[world()]]);
    expect(exploreTraces(prog, dpor())).toHaveLength(2);
  });

  it("an untraced call and another thread's read of any location: 2 executions; with a step that touches nothing: 1", () => {
    expect(exploreTraces(program([[world()]], [[read("x")]]), dpor())).toHaveLength(2);
    expect(exploreTraces(program([[world()]], [[]]), dpor())).toHaveLength(1);
  });

  it("an untraced call beside two independent writers is ordered against both: 4 executions of 3 threads (2 × 2)", () => {
    // A and C write different locations (independent), B calls untraced code: it may touch either.
    const prog = program([[write("x")]], [[world()]], [[write("y")]]);
    const traces = exploreTraces(prog, dpor());
    expect(traces).toHaveLength(4);
    expect(new Set(traces)).toEqual(allTraces(prog));
  });

  it("rows of one table: different rows 1 execution, the same row 2, a table-level read against a row write 2", () => {
    expect(exploreTraces(program([[writeRow("t", "1")]], [[writeRow("t", "2")]]), dpor())).toHaveLength(1);
    expect(exploreTraces(program([[writeRow("t", "1")]], [[writeRow("t", "1")]]), dpor())).toHaveLength(2);
    expect(exploreTraces(program([[read("t")]], [[writeRow("t", "2")]]), dpor())).toHaveLength(2);
    expect(exploreTraces(program([[writeRow("t", "2")]], [[read("t")]]), dpor())).toHaveLength(2);
    expect(exploreTraces(program([[read("t")]], [[readRow("t", "2")]]), dpor())).toHaveLength(1);
    expect(exploreTraces(program([[writeRow("t", "1")]], [[writeRow("u", "1")]]), dpor())).toHaveLength(1);
  });

  it("lost update on one row beside an update of another row: 2 threads × (read; write) on row 1 = 4 executions; on rows 1 and 2 = 1", () => {
    const same = program([[readRow("t", "1")], [writeRow("t", "1")]], [[readRow("t", "1")], [writeRow("t", "1")]]);
    expect(exploreTraces(same, dpor())).toHaveLength(4);
    expect(new Set(exploreTraces(same, dpor()))).toEqual(allTraces(same));
    const apart = program([[readRow("t", "1")], [writeRow("t", "1")]], [[readRow("t", "2")], [writeRow("t", "2")]]);
    expect(exploreTraces(apart, dpor())).toHaveLength(1);
  });

  it.each(range(12))("random program #%d over rows and tables: one execution per trace, and every trace", (seed) => {
    const prng = new Prng(1000 + seed);
    const pick = (): Access => {
      const op = prng.int(2) === 0 ? "read" : "write";
      const which = prng.int(4);
      return which === 0 ? { op, location: "t" } : { op, location: `t(${which})`, within: "t" };
    };
    const prog = program(...range(2 + prng.int(2)).map(() => range(1 + prng.int(3)).map(() => [pick()])));
    expect(new Set(exploreTraces(prog, dpor()))).toEqual(allTraces(prog));
  });

  it.each(range(12))("random program #%d with untraced calls: one execution per trace, and every trace", (seed) => {
    const prog = randomProgram(seed).map((thread, i) => ({
      ...thread,
      events: thread.events.map((event, k) => ((k + i + seed) % 3 === 0 && !event.some((a) => a.op === "acquire" || a.op === "release") ? [world()] : event)),
    }));
    expect(new Set(exploreTraces(prog, dpor()))).toEqual(allTraces(prog));
  });
});

describe("Dpor", () => {
  it("lastRaces() names the conflicting accesses of the counter (A A B B: A's write, then B's read)", () => {
    const dpor = new Dpor();
    expect(runOnce(dpor, twoStepCounter, 0)).toEqual(["A", "A", "B", "B"]);
    // A's read and B's write, A's write and B's write, are ordered through the race below: not races.
    expect(dpor.lastRaces()).toEqual([{ first: { thread: "A", step: 1, access: write("x") }, second: { thread: "B", step: 2, access: read("x") } }]);
  });

  it("lastRaces() for one-step increments and for lock acquisitions", () => {
    const counter = new Dpor();
    runOnce(counter, oneStepCounter, 0);
    expect(counter.lastRaces()).toEqual([{ first: { thread: "A", step: 0, access: read("x") }, second: { thread: "B", step: 1, access: write("x") } }]);
    const locked = new Dpor();
    runOnce(locked, lockedWriters(2, 1), 0); // A's section, then B's: the acquisitions race, the writes do not
    expect(locked.lastRaces()).toEqual([{ first: { thread: "A", step: 0, access: acquire("L") }, second: { thread: "B", step: 3, access: acquire("L") } }]);
  });

  it("needs the threads left waiting: without observeBlocked, the order where B takes both locks first is missed", () => {
    expect(explore(new Dpor(), abba, { reportBlocked: false })).toHaveLength(2);
  });

  it("diverse order reverses the earliest races first; depth-first the latest", () => {
    const writes = range(4).map((i) => [write(`x${i}`)]);
    const prog = program(writes, writes);
    const secondRun = (order: "dfs" | "diverse"): string => explore(new Dpor({ order }), prog, { maxRuns: 2 })[1]!.join("");
    expect(secondRun("dfs")).toBe("AAABBBBA");
    expect(secondRun("diverse")).toBe("BBBBAAAA");
  });

  it.each(ORDERS)("order %s with a preemption bound: fewer executions, none over the bound, and the search ends", (order) => {
    const writes = range(3).map((i) => [write(`x${i}`)]);
    const prog = program(writes, writes, writes);
    const all = explore(new Dpor({ order }), prog);
    expect(all).toHaveLength(216);
    for (const bound of [0, 1, 2]) {
      const dpor = new Dpor({ order, preemptionBound: bound });
      const runs = explore(dpor, prog);
      expect(runs.length).toBeGreaterThan(0);
      expect(runs.length).toBeLessThan(all.length);
      expect(Math.max(...runs.map((d) => preemptions(prog, d)))).toBeLessThanOrEqual(bound);
      expect(dpor.beginRun(runs.length)).toBe(false);
    }
  });

  it("rejects a bad preemption bound or order", () => {
    expect(() => new Dpor({ preemptionBound: -1 })).toThrow(RangeError);
    expect(() => new Dpor({ preemptionBound: 1.5 })).toThrow(RangeError);
    expect(() => new Dpor({ order: "bfs" as "dfs" })).toThrow(RangeError);
  });

  it("a program without steps: one run, then done", () => {
    const dpor = new Dpor();
    expect(explore(dpor, [])).toEqual([[]]);
  });

  describe("reports a program that no longer behaves as recorded", () => {
    // Run 0 (A A B) leaves B to run before A's second write: run 1 replays step 0.
    const recorded = program([[write("x")], [write("x")]], [[write("x")]]);

    it.each([
      ["runnable threads differ", program([[write("x")], [write("x")]], [[write("x")]], [[write("y")]]), /^exploration diverged at step 0: runnable was \[A, B\], now \[A, B, C\]/],
      ["a replayed step's accesses differ", program([[write("y")], [write("x")]], [[write("x")]]), /^exploration diverged at step 0: A's step made \[write y\], before \[write x\]/],
    ])("%s", (_, changed, message) => {
      const dpor = new Dpor();
      runOnce(dpor, recorded, 0);
      expect(() => runOnce(dpor, changed, 1)).toThrow(message);
      expect(dpor.beginRun(2)).toBe(false);
    });

    it("the run ends before its recorded decisions", () => {
      const dpor = new Dpor();
      runOnce(dpor, recorded, 0);
      dpor.beginRun(1);
      expect(dpor.choose({ step: 0, runnable: ["A", "B"], atMarker: [true, true], previous: null })).toBe("A");
      dpor.observe("A", [write("x")]);
      expect(() => dpor.endRun(false)).toThrow(/^exploration diverged at step 1: runnable was \[A, B\], now \[\] \(the run ended\)/);
    });
  });

  it("requires observe() after each step, for the thread chosen", () => {
    const dpor = new Dpor();
    dpor.beginRun(0);
    const decision = { step: 0, runnable: ["A", "B"], atMarker: [true, true], previous: null };
    expect(() => dpor.observe("A", [])).toThrow(/without a step/);
    expect(dpor.choose(decision)).toBe("A");
    expect(() => dpor.choose({ ...decision, step: 1 })).toThrow(/observe\(\) was not called after step 0/);
    expect(() => dpor.observe("B", [])).toThrow(/reports thread B, but step 0 chose A/);
  });
});
