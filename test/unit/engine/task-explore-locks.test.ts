import { describe, expect, it } from "vitest";
import { TaskExploreRun, type Chooser } from "../../../src/engine/task-explore.js";
import type { TaskAction, TaskSnapshot } from "../../../src/engine/task-schedule.js";
import type { ThreadAccess } from "../../../src/engine/step-accesses.js";
import type { Access } from "../../../src/strategies/access.js";
import { DeadlockError } from "../../../src/errors.js";

const at = (line: number) => ({ file: "bank.ts", line, column: 2 });
const start = (name: string): TaskSnapshot => ({ name, phase: "parked", gate: { kind: "start" } });
const wants = (name: string, lock: string, available: boolean, holder?: string, line = 5): TaskSnapshot => ({
  name,
  phase: "parked",
  gate: { kind: "acquire", where: at(line), lock: { location: `lock:${lock}`, label: lock, available, ...(holder ? { holder } : {}) } },
});
const finished = (name: string): TaskSnapshot => ({ name, phase: "finished" });

/** Picks the first runnable thread and records what it is told. */
class FirstRunnable implements Chooser {
  readonly seen: string[][] = [];
  readonly observed: Array<[string, Access[]]> = [];
  readonly blocked: Array<[string, Access[]]> = [];
  choose(d: { runnable: readonly string[] }): string {
    this.seen.push([...d.runnable]);
    return d.runnable[0]!;
  }
  observe(thread: string, accesses: readonly Access[]): void {
    this.observed.push([thread, [...accesses]]);
  }
  observeBlocked(thread: string, accesses: readonly Access[]): void {
    this.blocked.push([thread, [...accesses]]);
  }
}

class Queue {
  items: ThreadAccess[] = [];
  drain(): ThreadAccess[] {
    const out = this.items;
    this.items = [];
    return out;
  }
}

function failure(action: TaskAction): Error {
  if (action.kind !== "fail") throw new Error(`expected a failure, got ${JSON.stringify(action)}`);
  return action.error;
}

describe("TaskExploreRun with locks", () => {
  it("does not offer a task waiting for a held lock", () => {
    const chooser = new FirstRunnable();
    const run = new TaskExploreRun(chooser, 100);
    expect(run.decide([wants("t1", "A", false, "t2"), start("t2")])).toEqual({ kind: "release", task: "t2" });
    expect(chooser.seen).toEqual([["t2"]]);
    expect(run.steps[0]).toMatchObject({ task: "t2", gate: "start" });
  });

  it("releases a task at a free lock as an acquire step", () => {
    const run = new TaskExploreRun(new FirstRunnable(), 100);
    expect(run.decide([wants("t1", "A", true), start("t2")])).toEqual({ kind: "release", task: "t1" });
    expect(run.steps[0]).toMatchObject({ task: "t1", gate: "acquire", lock: "A", where: at(5) });
  });

  it("opens another strand's gate when the oldest waits for a held lock", () => {
    const run = new TaskExploreRun(new FirstRunnable(), 100);
    const t1: TaskSnapshot = {
      name: "t1",
      phase: "parked",
      gate: { kind: "acquire", lock: { location: "lock:A", label: "A", available: false } },
      gates: [{ kind: "acquire", lock: { location: "lock:A", label: "A", available: false } }, { kind: "await", where: at(9) }],
    };
    expect(run.decide([t1])).toEqual({ kind: "release", task: "t1", gate: 1 });
  });

  it("reports a lock-order deadlock with its cycle, at once (no grace period), and tells the strategy who waits", () => {
    const chooser = new FirstRunnable();
    const run = new TaskExploreRun(chooser, 100);
    const error = failure(run.decide([wants("t1", "B", false, "t2", 7), wants("t2", "A", false, "t1", 12)]));
    expect(error).toBeInstanceOf(DeadlockError);
    expect(error.message).toContain("Cycle: t1 waits for B (held by t2), t2 waits for A (held by t1).");
    expect(error.message).toContain("t2: waits for A, held by t1, at bank.ts:12:3");
    const action = run.decide.bind(run);
    expect(() => action([finished("t1")])).toThrow(/after the run ended/);
    run.finish();
    run.finish();
    expect(chooser.blocked).toEqual([]); // no access source: nothing recorded, nothing reported
  });

  it("hands each step's accesses to the strategy and keeps them on the step", () => {
    const chooser = new FirstRunnable();
    const source = new Queue();
    const run = new TaskExploreRun(chooser, 100, source);
    run.decide([start("t1"), start("t2")]);
    source.items.push({ thread: "t1", op: "write", location: "o#1.x", label: "o.x", value: "1" });
    run.decide([wants("t1", "A", true), start("t2")]);
    source.items.push({ thread: "t1", op: "acquire", location: "lock:A", label: "A" });
    run.decide([wants("t1", "B", false, "t2"), start("t2")]);
    run.finish();
    expect(chooser.observed).toEqual([
      ["t1", [{ op: "write", location: "o#1.x", label: "o.x", value: "1" }]],
      ["t1", [{ op: "acquire", location: "lock:A", label: "A" }]],
      ["t2", []],
    ]);
    expect(chooser.blocked).toEqual([["t1", [{ op: "acquire", location: "lock:B", label: "B" }]]]);
    expect(run.steps[0]!.accesses).toEqual([{ thread: "t1", op: "write", location: "o#1.x", label: "o.x", value: "1" }]);
  });
});
