import { describe, expect, it } from "vitest";
import type { Access } from "../../../../src/strategies/access.js";
import { Execution } from "../../../../src/strategies/dpor-execution.js";
import { acquire, read, release, write } from "./model.js";

/** An execution of the given steps, in order. */
function run(...steps: Array<[string, Access[]]>): Execution {
  const execution = new Execution();
  for (const [thread, accesses] of steps) execution.add(thread, accesses);
  return execution;
}

describe("Execution (happens-before and races)", () => {
  it("orders program order and dependent steps, not independent ones", () => {
    const e = run(["A", [write("x")]], ["B", [write("y")]], ["B", [read("x")]], ["A", [read("y")]]);
    expect(e.happensBefore(0, 2)).toBe(true); // A's write x → B's read x
    expect(e.happensBefore(1, 2)).toBe(true); // program order
    expect(e.happensBefore(0, 1)).toBe(false);
    expect(e.happensBefore(1, 3)).toBe(true); // B's write y → A's read y
  });

  it("reports only immediate races: a race ordered through another step is not one", () => {
    // A writes x twice; B writes x: only A's last write races with it.
    const e = run(["A", [write("x")]], ["A", [write("x")]], ["B", [write("x")]]);
    expect(e.races).toEqual([{ first: 1, second: 2 }]);
    // B reads x after A wrote it and after C overwrote it: C's write is between.
    const f = run(["A", [write("x")]], ["C", [write("x")]], ["B", [read("x")]]);
    expect(f.races).toEqual([
      { first: 0, second: 1 },
      { first: 1, second: 2 },
    ]);
  });

  it("reads do not race with reads", () => {
    expect(run(["A", [read("x")]], ["B", [read("x")]]).races).toEqual([]);
  });

  it("an acquire races with the previous acquire of the lock, not with the release between; the critical sections do not race", () => {
    const e = run(["A", [acquire("L")]], ["A", [write("x")]], ["A", [release("L")]], ["B", [acquire("L")]], ["B", [write("x")]], ["B", [release("L")]]);
    expect(e.races).toEqual([{ first: 0, second: 3 }]);
    expect(e.happensBefore(1, 4)).toBe(true);
  });

  it("an acquire ordered after the previous critical section by a data dependence does not race", () => {
    // B read what A wrote inside its section before taking the lock: the data race is the one to reverse.
    const e = run(["A", [acquire("L")]], ["A", [write("x")]], ["A", [release("L")]], ["B", [read("x")]], ["B", [acquire("L")]]);
    expect(e.races).toEqual([{ first: 1, second: 3 }]);
  });

  it("reversal(): the steps between the race that do not happen-after its first step, then its second", () => {
    // A0 wx, B1 wy, C2 ry (after B1), A3 rz, B4 rx: race A0–B4; B1 and C2 are independent of A0, A3 follows it.
    const e = run(["A", [write("x")]], ["B", [write("y")]], ["C", [read("y")]], ["A", [read("z")]], ["B", [read("x")]]);
    expect(e.races).toContainEqual({ first: 0, second: 4 });
    expect(e.reversal({ first: 0, second: 4 }).map((s) => s.thread)).toEqual(["B", "C", "B"]);
  });

  it("a step left waiting races with the acquire it waits behind, not through its data accesses, and orders nothing", () => {
    const e = run(["A", [acquire("L")]], ["A", [write("y")]], ["B", [write("x")]]);
    e.add("B", [acquire("L"), read("y")], true);
    expect(e.races).toEqual([{ first: 0, second: 3 }]);
    e.add("C", [acquire("L")], true);
    expect(e.races).toEqual([
      { first: 0, second: 3 },
      { first: 0, second: 4 },
    ]);
    // Reversing a race never runs another waiting step on the way.
    expect(e.reversal({ first: 0, second: 4 }).map((s) => s.thread)).toEqual(["B", "C"]);
  });

  it("contextStart(): the first of the consecutive steps of one thread", () => {
    const e = run(["A", [write("x")]], ["B", [write("y")]], ["B", [write("z")]], ["B", [write("w")]]);
    expect(e.contextStart(3)).toBe(1);
    expect(e.contextStart(0)).toBe(0);
  });
});
