// The stall rule in the pure exploration core: a running thread that waits outside JavaScript
// while another waits at a decision counts as blocked, the other runs, the stall is recorded as a
// write of the outside world (never complete), and the stalled thread rejoins when it stops.
import { describe, expect, it } from "vitest";
import { IsolateExploreRun } from "../../../src/engine/isolate-explore.js";
import type { ThreadAccess } from "../../../src/engine/step-accesses.js";
import type { Where } from "../../../src/engine/schedule-run.js";
import type { Access } from "../../../src/strategies/access.js";

const at = (line: number): Where => ({ file: "p.mjs", line, column: 2 });

function setup(order: string[]) {
  const seen: string[][] = [];
  const observed: Array<[string, Access[]]> = [];
  const chooser = {
    choose(d: { runnable: readonly string[] }): string {
      seen.push([...d.runnable]);
      const next = order.shift();
      return next !== undefined && d.runnable.includes(next) ? next : d.runnable[0]!;
    },
    observe: (t: string, a: readonly Access[]) => void observed.push([t, [...a]]),
  };
  const run = new IsolateExploreRun(chooser, ["a", "b"], Infinity, { drain: (): ThreadAccess[] => [] });
  run.ready("a");
  run.ready("b");
  return { run, seen, observed };
}

describe("IsolateExploreRun: the stall rule", () => {
  it("nothing changes while no other thread waits at a decision", () => {
    const { run } = setup(["b", "a"]);
    expect(run.start()).toEqual([{ kind: "resume", thread: "b" }]);
    expect(run.finished("b")).toEqual([{ kind: "resume", thread: "a" }]);
    expect(run.stalled("a")).toBeNull();
    expect(run.runningThread).toBe("a");
  });

  it("a stalled thread lets the other run, rejoins when it stops, and the stall is a write of the outside world", () => {
    const { run, seen, observed } = setup(["a", "b", "b", "a"]);
    expect(run.start()).toEqual([{ kind: "resume", thread: "a" }]);
    expect(run.paused("a", "", at(1))).toEqual([{ kind: "resume", thread: "b" }]); // b's start
    expect(run.paused("b", "", at(1))).toEqual([{ kind: "resume", thread: "b" }]);
    // b waits outside JavaScript while a waits at a decision:
    expect(run.stalled("b")).toEqual([{ kind: "resume", thread: "a" }]);
    expect(seen.at(-1)).toEqual(["a"]);
    expect(run.awaited()).toEqual(["a"]);
    // b's reply arrives while a runs: b stops and waits for the next decision.
    expect(run.paused("b", "", at(2))).toEqual([]);
    expect(run.paused("a", "", at(2))).toEqual([{ kind: "resume", thread: "a" }]);
    expect(seen.at(-1)).toEqual(["a", "b"]);
    const world = observed.flatMap(([, a]) => a).filter((x) => x.origin === "external wait");
    expect(world).toHaveLength(1);
    expect(world[0]!.label).toMatch(/b made no progress for 1000 ms while a waited/);
  });

  it("no thread left to run but a stalled one: not a deadlock, the run waits for it (its timeout applies)", () => {
    const { run } = setup(["a", "b", "b"]);
    run.start();
    run.paused("a", "", at(1)); // b's start
    run.paused("b", "", at(1)); // b again
    expect(run.stalled("b")).toEqual([{ kind: "resume", thread: "a" }]);
    expect(run.finished("a")).toEqual([]);
    expect(run.awaited()).toEqual(["b"]);
    expect(run.finished("b")).toEqual([{ kind: "complete" }]);
  });
});
