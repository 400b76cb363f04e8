// Lock gates of worker threads in the pure exploration core: a thread stopped at the gate of a
// held lock is not runnable (holders come from the recorded acquires and releases), each step's
// accesses reach the strategy, and a lock-order deadlock is reported with its cycle.
import { describe, expect, it } from "vitest";
import { IsolateExploreRun } from "../../../src/engine/isolate-explore.js";
import type { ThreadAccess } from "../../../src/engine/step-accesses.js";
import type { Action, Where } from "../../../src/engine/schedule-run.js";
import type { Access } from "../../../src/strategies/access.js";
import { DeadlockError } from "../../../src/errors.js";

const at = (line: number): Where => ({ file: "w.mjs", line, column: 4, text: `line ${line}` });
const lock = (name: string) => ({ location: `lock:${name}`, label: name });
const access = (thread: string, op: "acquire" | "release", name: string): ThreadAccess => ({ thread, op, ...lock(name) });

/** A run whose strategy follows `order` (else the first runnable), recording what it is told. */
function setup(order: string[] = []) {
  const seen: string[][] = [];
  const observed: Array<[string, Access[]]> = [];
  const blocked: Array<[string, Access[]]> = [];
  let made: ThreadAccess[] = [];
  const chooser = {
    choose(d: { runnable: readonly string[] }): string {
      seen.push([...d.runnable]);
      const next = order.shift();
      return next !== undefined && d.runnable.includes(next) ? next : d.runnable[0]!;
    },
    observe: (t: string, a: readonly Access[]) => void observed.push([t, [...a]]),
    observeBlocked: (t: string, a: readonly Access[]) => void blocked.push([t, [...a]]),
  };
  const source = {
    drain() {
      const out = made;
      made = [];
      return out;
    },
  };
  const run = new IsolateExploreRun(chooser, ["a", "b"], Infinity, source);
  return { run, seen, observed, blocked, make: (...a: ThreadAccess[]) => void made.push(...a) };
}

const start = (run: IsolateExploreRun): Action[] => (run.ready("a"), run.ready("b"), run.start());

describe("IsolateExploreRun with lock gates", () => {
  it("does not resume a thread at the gate of a lock another thread holds, until it is released", () => {
    const { run, seen, make, observed } = setup(["a", "a", "b", "b"]);
    expect(start(run)).toEqual([{ kind: "resume", thread: "a" }]);
    expect(run.lockGate("a", lock("A"), at(3))).toEqual([{ kind: "resume", thread: "a" }]);
    make(access("a", "acquire", "A"));
    expect(run.paused("a", "", at(4))).toEqual([{ kind: "resume", thread: "b" }]);
    expect(run.lockGate("b", lock("A"), at(3))).toEqual([{ kind: "resume", thread: "a" }]);
    expect(seen.at(-1)).toEqual(["a"]); // b waits for A
    make(access("a", "release", "A"));
    expect(run.finished("a")).toEqual([{ kind: "resume", thread: "b" }]);
    expect(seen.at(-1)).toEqual(["b"]);
    expect(run.steps.map((s) => [s.task, s.gate, s.lock])).toEqual([
      ["a", "start", undefined],
      ["a", "acquire", "A"],
      ["b", "start", undefined],
      ["a", "statement", undefined],
      ["b", "acquire", "A"],
    ]);
    expect(observed.map(([t, a]) => [t, a.map((x) => x.op)])).toEqual([["a", []], ["a", ["acquire"]], ["b", []], ["a", ["release"]]]);
  });

  it("reports a lock-order deadlock with its cycle and tells the strategy which acquires wait", () => {
    const { run, blocked, make } = setup(["a", "a", "b", "b"]);
    start(run);
    run.lockGate("a", lock("A"), at(3));
    make(access("a", "acquire", "A"));
    run.lockGate("a", lock("B"), at(4)); // a stops at B's gate; b is chosen
    run.lockGate("b", lock("B"), at(3));
    make(access("b", "acquire", "B"));
    const actions = run.lockGate("b", lock("A"), at(4));
    expect(actions).toHaveLength(1);
    const action = actions[0]!;
    if (action.kind !== "fail") throw new Error(`expected a failure, got ${action.kind}`);
    expect(action.error).toBeInstanceOf(DeadlockError);
    expect(action.error.message).toContain("Cycle: a waits for B (held by b), b waits for A (held by a).");
    run.finish();
    expect(blocked).toEqual([
      ["a", [{ op: "acquire", location: "lock:B", label: "B" }]],
      ["b", [{ op: "acquire", location: "lock:A", label: "A" }]],
    ]);
  });

  // Database locks of worker/process statements (io hooks' lock gates): shared modes, locks the
  // thread holds itself, statements needing several rows.
  it("a thread at the gate of a lock it holds itself runs on (a transaction locking its row again)", () => {
    const { run, seen, make } = setup(["a", "a", "a"]);
    start(run);
    run.lockGate("a", lock("A"), at(3));
    make(access("a", "acquire", "A"));
    expect(run.lockGate("a", lock("A"), at(4))).toEqual([{ kind: "resume", thread: "a" }]);
    expect(seen.at(-1)).toEqual(["a", "b"]);
  });

  it("read locks are shared; a write waits for a reader", () => {
    const read = (name: string) => ({ ...lock(name), mode: "read" as const });
    const held = (second: { location: string; label: string; mode?: "read" | "write" }) => {
      const { run, seen, make } = setup(["a", "a", "b", "b"]);
      start(run);
      run.lockGate("a", read("A"), at(3));
      make(access("a", "acquire", "A"));
      run.paused("a", "", at(4)); // a holds A for reading; b starts
      run.lockGate("b", second, at(3));
      return seen.at(-1);
    };
    expect(held(read("A"))).toEqual(["a", "b"]);
    expect(held(lock("A"))).toEqual(["a"]);
  });

  it("a statement needing several locks waits while any of them is held", () => {
    const { run, seen, make } = setup(["a", "a", "b", "b"]);
    start(run);
    run.lockGate("a", lock("B"), at(3));
    make(access("a", "acquire", "B"));
    run.paused("a", "", at(4));
    run.lockGate("b", { ...lock("A"), also: [lock("B")] }, at(3));
    expect(seen.at(-1)).toEqual(["a"]);
  });
});

