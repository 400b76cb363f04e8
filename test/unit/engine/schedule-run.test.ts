import { describe, expect, it } from "vitest";
import { Schedule } from "../../../src/engine/schedule.js";
import { ScheduleRun, type Action } from "../../../src/engine/schedule-run.js";

const at = (line: number) => ({ file: "account.ts", line, column: 2 });

/** Starts a run with every thread ready. */
function started(schedule: string, threads: string[]): { run: ScheduleRun; actions: Action[] } {
  const run = new ScheduleRun(Schedule.parse(schedule), threads);
  for (const t of threads) expect(run.ready(t)).toEqual([]);
  return { run, actions: run.start() };
}

describe("ScheduleRun", () => {
  it("forces the lost-update order: both reads before either write", () => {
    const { run, actions } = started("t1:read t2:read t1:write t2:write", ["t1", "t2"]);
    expect(actions).toEqual([{ kind: "resume", thread: "t1" }]);
    // t1 reaches read: it is the next step, so it passes at once.
    expect(run.paused("t1", "read", at(2))).toEqual([{ kind: "resume", thread: "t1" }]);
    // t1 reaches write: not its turn; t2 starts.
    expect(run.paused("t1", "write", at(4))).toEqual([{ kind: "resume", thread: "t2" }]);
    expect(run.paused("t2", "read", at(2))).toEqual([{ kind: "resume", thread: "t2" }]);
    // t2 reaches write: t1 may now write.
    expect(run.paused("t2", "write", at(4))).toEqual([{ kind: "resume", thread: "t1" }]);
    expect(run.released).toBe(false);
    // t1 finishes; t2 takes the last step, which releases it.
    expect(run.finished("t1")).toEqual([{ kind: "release", threads: ["t2"] }]);
    expect(run.released).toBe(true);
    expect(run.finished("t2")).toEqual([{ kind: "complete" }]);
    expect(run.trace.map((t) => t.step.toString())).toEqual(["t1:read", "t2:read", "t1:write", "t2:write"]);
  });

  it("releases every paused thread when the last step is consumed, then completes", () => {
    const { run } = started("t1:read t2:read", ["t1", "t2"]);
    run.paused("t1", "read", at(2));
    expect(run.paused("t1", "write", at(4))).toEqual([{ kind: "resume", thread: "t2" }]);
    expect(run.paused("t2", "read", at(2))).toEqual([{ kind: "release", threads: ["t1", "t2"] }]);
    expect(run.released).toBe(true);
    // After release, markers no longer gate: any pause resumes at once.
    expect(run.paused("t2", "write", at(4))).toEqual([{ kind: "resume", thread: "t2" }]);
    expect(run.finished("t1")).toEqual([]);
    expect(run.finished("t2")).toEqual([{ kind: "complete" }]);
    expect(run.trace.map((t) => `${t.step} @${t.where?.line}`)).toEqual(["t1:read @2", "t2:read @2"]);
  });

  it("keeps exactly one thread running while steps remain", () => {
    const { run } = started("a:x b:x c:x a:y", ["a", "b", "c"]);
    const running = () => run.threads().filter((t) => t.phase === "running").map((t) => t.name);
    expect(running()).toEqual(["a"]);
    run.paused("a", "x", at(1));
    expect(running()).toEqual(["a"]);
    run.paused("a", "y", at(2));
    expect(running()).toEqual(["b"]);
    run.paused("b", "x", at(1));
    run.paused("b", "z", at(3));
    expect(running()).toEqual(["c"]);
  });

  it("consumes one step per hit of a marker in a loop", () => {
    const { run } = started("t1:tick t1:tick t2:tick t1:tick", ["t1", "t2"]);
    expect(run.paused("t1", "tick", at(3))).toEqual([{ kind: "resume", thread: "t1" }]);
    expect(run.paused("t1", "tick", at(3))).toEqual([{ kind: "resume", thread: "t1" }]);
    expect(run.paused("t1", "tick", at(3))).toEqual([{ kind: "resume", thread: "t2" }]);
    expect(run.paused("t2", "tick", at(3))).toEqual([{ kind: "resume", thread: "t2" }]);
    expect(run.nextStepIndex).toBe(3);
  });

  it("fails at once when the next step's thread is paused at another marker", () => {
    const { run } = started("t1:write t1:read", ["t1", "t2"]);
    const [action] = run.paused("t1", "read", at(2));
    expect(action?.kind).toBe("fail");
    const error = (action as Extract<Action, { kind: "fail" }>).error;
    expect(error.code).toBe("E_SCHEDULE_STALL");
    expect(error.message).toContain("step 1 of 2 (t1:write)");
    expect(error.message).toContain('t1: paused at marker "read" (account.ts:2)');
    expect(error.message).toContain("t2: not started yet");
  });

  it("fails at once when the next step's thread has finished", () => {
    const { run } = started("t1:read t1:read", ["t1", "t2"]);
    run.paused("t1", "read", at(2));
    const [action] = run.finished("t1");
    expect(action).toMatchObject({ kind: "fail" });
    const error = (action as Extract<Action, { kind: "fail" }>).error;
    expect(error.code).toBe("E_STEP_THREAD_FINISHED");
    expect(error.message).toMatch(/^Step 2 of 2 \(t1:read\) cannot be taken: thread "t1" has already finished/);
  });

  it("releases everything at start for an empty schedule", () => {
    const run = new ScheduleRun(new Schedule([]), ["a", "b"]);
    run.ready("a");
    run.ready("b");
    expect(run.start()).toEqual([{ kind: "release", threads: ["a", "b"] }]);
  });

  it("reports lost determinism when a parked thread pauses again", () => {
    const { run } = started("t1:x t2:x t1:y", ["t1", "t2"]);
    run.paused("t1", "x", at(1));
    run.paused("t1", "y", at(2));
    // t1 is parked at y; a pause from it means something else resumed it.
    const [action] = run.paused("t1", "z", at(3));
    expect(action).toMatchObject({ kind: "fail" });
    expect((action as Extract<Action, { kind: "fail" }>).error.code).toBe("E_DETERMINISM_LOST");
  });

  it("refuses to start before every thread is ready", () => {
    const run = new ScheduleRun(Schedule.parse("a:x"), ["a", "b"]);
    run.ready("a");
    expect(() => run.start()).toThrow(/b were ready/);
  });

  it("produces the same actions for the same events (replay)", () => {
    const script = (run: ScheduleRun) => [
      ...run.start(),
      ...run.paused("t1", "read", at(2)),
      ...run.paused("t1", "write", at(4)),
      ...run.paused("t2", "read", at(2)),
      ...run.paused("t2", "write", at(4)),
    ];
    const make = () => {
      const run = new ScheduleRun(Schedule.parse("t1:read t2:read t1:write t2:write"), ["t1", "t2"]);
      run.ready("t1");
      run.ready("t2");
      return script(run);
    };
    const first = make();
    for (let i = 0; i < 50; i++) expect(make()).toEqual(first);
  });
});

describe("ScheduleRun when every thread finished with steps left", () => {
  it("fails with E_STEP_THREAD_FINISHED instead of completing", () => {
    const run = new ScheduleRun(Schedule.parse("t1:first t1:second t1:first"), ["t1"]);
    run.ready("t1");
    run.start();
    run.paused("t1", "first");
    run.paused("t1", "second");

    const [action] = run.finished("t1");

    expect(action).toMatchObject({ kind: "fail" });
    expect((action as Extract<Action, { kind: "fail" }>).error.code).toBe("E_STEP_THREAD_FINISHED");
    expect(run.trace).toHaveLength(2);
  });
});
