/**
 * One schedule run over freshly launched thread isolates (`interlace run`, `TraceExecutor`):
 * an {@link IsolateGroup} used once. Whatever happens, every isolate is disposed before returning.
 */
import type { Schedule } from "../engine/schedule.js";
import { ScheduleRun } from "../engine/schedule-run.js";
import { IsolateGroup, type GroupOptions, type IsolateEngine, type PreparedThread, type RunOutcome } from "./isolate-group.js";

export type { IsolateEngine, PreparedThread };

/** What a completed schedule run reports. */
export type ScheduleOutcome = RunOutcome;

/** Runs `schedule` over `threads`, which receive `state`. Rejects with an `InterlaceError`. */
export async function runSchedule(threads: readonly PreparedThread[], state: unknown, schedule: Schedule, options: GroupOptions): Promise<ScheduleOutcome> {
  const group = new IsolateGroup(threads, options);
  try {
    return await group.run(state, new ScheduleRun(schedule, threads.map((t) => t.launch.thread)), schedule);
  } finally {
    await group.close();
  }
}
