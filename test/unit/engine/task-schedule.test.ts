import { describe, expect, it } from "vitest";
import { Schedule } from "../../../src/engine/schedule.js";
import { TaskScheduleRun, type TaskAction, type TaskSnapshot } from "../../../src/engine/task-schedule.js";
import { DeadlockError, ScheduleStallError, StepThreadFinishedError } from "../../../src/errors.js";

const at = (line: number) => ({ file: "counter.ts", line, column: 4 });
const start = (name: string): TaskSnapshot => ({ name, phase: "parked", gate: { kind: "start" } });
const marker = (name: string, m: string, line = 3): TaskSnapshot => ({ name, phase: "parked", gate: { kind: "marker", marker: m, where: at(line) } });
const awaitGate = (name: string): TaskSnapshot => ({ name, phase: "parked", gate: { kind: "await", where: at(9) } });
const blocked = (name: string, line = 7): TaskSnapshot => ({ name, phase: "blocked", where: at(line) });
const finished = (name: string): TaskSnapshot => ({ name, phase: "finished" });

function failure(action: TaskAction): Error {
  if (action.kind !== "fail") throw new Error(`expected a failure, got ${JSON.stringify(action)}`);
  return action.error;
}

describe("TaskScheduleRun", () => {
  it("forces the lost update: both reads, then both writes, then free", () => {
    const run = new TaskScheduleRun(Schedule.parse("t1:read t2:read t1:write t2:write"));
    expect(run.decide([start("t1"), start("t2")])).toEqual({ kind: "release", task: "t1" });
    expect(run.decide([marker("t1", "read"), start("t2")])).toEqual({ kind: "release", task: "t1" });
    expect(run.decide([marker("t1", "write"), start("t2")])).toEqual({ kind: "release", task: "t2" });
    expect(run.decide([marker("t1", "write"), marker("t2", "read")])).toEqual({ kind: "release", task: "t2" });
    expect(run.decide([marker("t1", "write"), marker("t2", "write")])).toEqual({ kind: "release", task: "t1" });
    expect(run.decide([finished("t1"), marker("t2", "write")])).toEqual({ kind: "release", task: "t2" });
    expect(run.free).toBe(false);
    expect(run.decide([finished("t1"), start("t2")])).toEqual({ kind: "free" });
    expect(run.decide([finished("t1"), finished("t2")])).toEqual({ kind: "complete" });
    expect(run.trace.map((e) => e.step.toString())).toEqual(["t1:read", "t2:read", "t1:write", "t2:write"]);
    expect(run.trace[0]!.where).toEqual(at(3));
  });

  it("resumes the step's task from an await gate it parked at after being blocked", () => {
    const run = new TaskScheduleRun(Schedule.parse("t2:m"));
    expect(run.decide([start("t1"), awaitGate("t2")])).toEqual({ kind: "release", task: "t2" });
  });

  it("lets another task run when the step's task waits for it, in declaration order", () => {
    const run = new TaskScheduleRun(Schedule.parse("t1:m"));
    expect(run.decide([blocked("t1"), marker("t2", "x"), start("t3"), start("t4")])).toEqual({ kind: "release", task: "t3" });
  });

  it("consumes the step on another strand of the task when its oldest gate is a different marker", () => {
    const run = new TaskScheduleRun(Schedule.parse("t1:write"));
    const read = { kind: "marker" as const, marker: "read", where: at(3) };
    const write = { kind: "marker" as const, marker: "write", where: at(5) };
    expect(run.decide([{ name: "t1", phase: "parked", gate: read, gates: [read, write] }])).toEqual({ kind: "release", task: "t1", gate: 1 });
    expect(run.trace[0]!.where).toEqual(at(5));
  });

  it("an empty schedule sets every task free at once", () => {
    const run = new TaskScheduleRun(new Schedule([]));
    expect(run.decide([start("a"), start("b")])).toEqual({ kind: "free" });
    expect(run.decide([finished("a"), finished("b")])).toEqual({ kind: "complete" });
  });

  it("fails when the step's task already finished", () => {
    const run = new TaskScheduleRun(Schedule.parse("t1:read t1:read"));
    run.decide([marker("t1", "read"), start("t2")]);
    const error = failure(run.decide([finished("t1"), start("t2")]));
    expect(error).toBeInstanceOf(StepThreadFinishedError);
    expect(error.message).toContain('Step 2 of 2 (t1:read) cannot be taken: task "t1" has already finished');
  });

  it("fails with a stall when the step's task waits at another marker", () => {
    const run = new TaskScheduleRun(Schedule.parse("t1:write"));
    const error = failure(run.decide([marker("t1", "read"), start("t2")]));
    expect(error).toBeInstanceOf(ScheduleStallError);
    expect(error.message).toContain('task "t1" is parked at marker "read"');
  });

  it("fails with a stall when the step's task is blocked and the others wait at markers", () => {
    const run = new TaskScheduleRun(Schedule.parse("t1:m t2:x"));
    const error = failure(run.decide([blocked("t1"), marker("t2", "x", 12)]));
    expect(error).toBeInstanceOf(ScheduleStallError);
    expect(error.message).toContain('t2: parked at marker "x" (counter.ts:12)');
  });

  it("reports a deadlock, naming each waiting task and position, when every live task is blocked", () => {
    const run = new TaskScheduleRun(new Schedule([]));
    run.decide([start("t1"), start("t2")]);
    const error = failure(run.decide([blocked("t1", 7), blocked("t2", 15)]));
    expect(error).toBeInstanceOf(DeadlockError);
    expect((error as DeadlockError).waiting).toEqual([
      { thread: "t1", at: "counter.ts:7:5" },
      { thread: "t2", at: "counter.ts:15:5" },
    ]);
    expect(error.message).toMatch(/^Deadlock: every live task is waiting/);
  });

  it("reports a deadlock while following the schedule when nobody can run", () => {
    const run = new TaskScheduleRun(Schedule.parse("t1:m"));
    const error = failure(run.decide([blocked("t1"), blocked("t2"), finished("t3")]));
    expect(error).toBeInstanceOf(DeadlockError);
    expect(error.message).toContain("(before step 1 of 1 (t1:m))");
  });

  it("refuses to decide after the run ended", () => {
    const run = new TaskScheduleRun(new Schedule([]));
    expect(run.decide([finished("t1")])).toEqual({ kind: "complete" });
    expect(() => run.decide([finished("t1")])).toThrow("after the run ended");
  });
});
