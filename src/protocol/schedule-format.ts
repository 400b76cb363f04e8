/**
 * The serialized form of a schedule, as written by `Schedule#toJSON()` and accepted by
 * `interlace run --schedule <file.json>`. Bump the version on any incompatible change.
 */

/** Current version of the schedule file format. */
export const SCHEDULE_FORMAT_VERSION = 1;

/** One step on the wire. */
export interface StepJSON {
  thread: string;
  marker: string;
}

/** A schedule file: `{ "version": 1, "steps": [{ "thread": "t1", "marker": "read_balance" }, ...] }`. */
export interface ScheduleJSON {
  version: typeof SCHEDULE_FORMAT_VERSION;
  steps: StepJSON[];
}
