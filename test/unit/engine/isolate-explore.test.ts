// The pure core of worker/process exploration, driven by synthetic controller events: decisions,
// blocked threads and notify wake-ups, deadlocks, maxSteps.
import { describe, expect, it } from "vitest";
import { IsolateExploreRun } from "../../../src/engine/isolate-explore.js";
import { DeadlockError } from "../../../src/errors.js";
import type { Action, Where } from "../../../src/engine/schedule-run.js";

/** Chooses the first runnable thread, or the one named next in `order`. */
function chooser(order: string[] = []) {
  const seen: Array<{ runnable: readonly string[]; atMarker: readonly boolean[] }> = [];
  return {
    seen,
    choose(d: { runnable: readonly string[]; atMarker: readonly boolean[] }) {
      seen.push({ runnable: [...d.runnable], atMarker: [...d.atMarker] });
      const next = order.shift();
      return next !== undefined && d.runnable.includes(next) ? next : d.runnable[0]!;
    },
  };
}

const at = (line: number): Where => ({ file: "f.mjs", line, column: 2, text: `line ${line}` });

function started(run: IsolateExploreRun, names: string[]): Action[] {
  for (const n of names) run.ready(n);
  return run.start();
}

describe("IsolateExploreRun", () => {
  it("one thread runs at a time; a statement stop and a marker stop are both decisions", () => {
    const c = chooser(["a", "b", "a"]);
    const run = new IsolateExploreRun(c, ["a", "b"]);
    expect(started(run, ["a", "b"])).toEqual([{ kind: "resume", thread: "a" }]);
    expect(run.paused("a", "", at(3))).toEqual([{ kind: "resume", thread: "b" }]);
    expect(run.paused("b", "read", at(4))).toEqual([{ kind: "resume", thread: "a" }]);
    expect(c.seen[2]).toEqual({ runnable: ["a", "b"], atMarker: [false, true] });
    expect(run.finished("a")).toEqual([{ kind: "resume", thread: "b" }]);
    expect(run.finished("b")).toEqual([{ kind: "complete" }]);
    expect(run.steps.map((s) => [s.task, s.gate, s.preemption])).toEqual([
      ["a", "start", false],
      ["b", "start", true],
      ["a", "statement", true],
      ["b", "marker", false],
    ]);
  });

  it("a blocked thread is not runnable; a notify that woke it holds the next decision until it reports back", () => {
    const run = new IsolateExploreRun(chooser(["consumer", "producer", "consumer"]), ["consumer", "producer"]);
    expect(started(run, ["consumer", "producer"])).toEqual([{ kind: "resume", thread: "consumer" }]);
    expect(run.blocked("consumer", at(5), "Int32Array(4)[0]")).toEqual([{ kind: "resume", thread: "producer" }]);
    // The producer's notify woke one waiter; the producer pauses first: nothing to decide yet.
    run.wakes(1);
    expect(run.paused("producer", "", at(9))).toEqual([]);
    expect(run.awaited()).toEqual(["consumer"]);
    // The consumer is back at its next statement: both are runnable again.
    expect(run.paused("consumer", "", at(6))).toEqual([{ kind: "resume", thread: "consumer" }]);
  });

  it("a woken thread that reports back before the notifier pauses is counted all the same", () => {
    const run = new IsolateExploreRun(chooser(["consumer"]), ["consumer", "producer"]);
    started(run, ["consumer", "producer"]);
    run.blocked("consumer", at(5), "Int32Array(4)[0]");
    // Woken consumer pauses while the producer still runs (the notify count is not visible yet).
    expect(run.paused("consumer", "", at(6))).toEqual([]);
    run.wakes(1);
    expect(run.paused("producer", "", at(9)).map((a) => a.kind)).toEqual(["resume"]);
  });

  it("every live thread blocked: a deadlock naming each thread, what it waits on and where", () => {
    const run = new IsolateExploreRun(chooser(), ["a", "b"]);
    started(run, ["a", "b"]);
    run.blocked("a", at(6), "Int32Array(8)[1]");
    const [fail] = run.blocked("b", at(7), "Int32Array(8)[0]");
    expect(fail?.kind).toBe("fail");
    const error = (fail as { error: unknown }).error as DeadlockError;
    expect(error).toBeInstanceOf(DeadlockError);
    expect(error.message).toContain("every thread waits for another");
    expect(error.message).toContain("a: waits in Atomics.wait on Int32Array(8)[1] at f.mjs:6:3  line 6");
    expect(error.waiting).toEqual([
      { thread: "a", at: "f.mjs:6:3" },
      { thread: "b", at: "f.mjs:7:3" },
    ]);
  });

  it("a thread blocked after the others finished: a lost wakeup, reported as a deadlock", () => {
    const run = new IsolateExploreRun(chooser(["consumer", "producer"]), ["consumer", "producer"]);
    started(run, ["consumer", "producer"]);
    run.paused("consumer", "", at(3));
    run.finished("producer");
    const [fail] = run.blocked("consumer", at(4), "Int32Array(4)[1]");
    expect((fail as { error: Error }).error.message).toMatch(/no thread can run[\s\S]*consumer: waits[\s\S]*finished: producer/);
  });

  it("maxSteps: the decision that uses a thread's last step frees it, and the others go on being scheduled", () => {
    const run = new IsolateExploreRun(chooser(["a", "a", "b"]), ["a", "b"], 2);
    expect(started(run, ["a", "b"])).toEqual([{ kind: "resume", thread: "a" }]);
    expect(run.paused("a", "", at(3))).toEqual([{ kind: "free", thread: "a" }, { kind: "resume", thread: "b" }]);
    expect(run.paused("b", "", at(4))).toEqual([{ kind: "free", thread: "b" }]);
    expect(run.awaited().sort()).toEqual(["a", "b"]);
    expect(run.finished("b")).toEqual([]);
    expect(run.finished("a")).toEqual([{ kind: "complete" }]);
  });
});
