/**
 * `Step` and `Schedule`: the order in which threads must pass their markers.
 *
 * A schedule prints as `"t1:read_balance t2:read_balance t1:write_balance"`, and that string
 * (or the JSON form) parses back to an equal schedule.
 */
import { ScheduleSyntaxError } from "../errors.js";
import { SCHEDULE_FORMAT_VERSION, type ScheduleJSON, type StepJSON } from "../protocol/schedule-format.js";

/** Names of threads and markers: an identifier, optionally with `.` and `-` after the first character. */
export const NAME_PATTERN = /^[A-Za-z_$][\w$.-]*$/;

/** One scheduling step: `thread` may pass `marker` next. */
export class Step {
  readonly thread: string;
  readonly marker: string;

  constructor(thread: string, marker: string) {
    if (!NAME_PATTERN.test(thread)) throw new ScheduleSyntaxError(`Invalid thread name ${JSON.stringify(thread)} in a step: ${NAME_RULE}`);
    if (!NAME_PATTERN.test(marker)) throw new ScheduleSyntaxError(`Invalid marker name ${JSON.stringify(marker)} in a step: ${NAME_RULE}`);
    this.thread = thread;
    this.marker = marker;
  }

  /** `"thread:marker"`. */
  toString(): string {
    return `${this.thread}:${this.marker}`;
  }

  toJSON(): StepJSON {
    return { thread: this.thread, marker: this.marker };
  }

  /** Parses `"thread:marker"`. */
  static parse(token: string): Step {
    const colon = token.indexOf(":");
    if (colon <= 0 || colon === token.length - 1) {
      throw new ScheduleSyntaxError(`Malformed step ${JSON.stringify(token)}: expected "<thread>:<marker>", e.g. "t1:read_balance".`);
    }
    return new Step(token.slice(0, colon), token.slice(colon + 1));
  }
}

const NAME_RULE = "names start with a letter, _ or $ and continue with letters, digits, _, $, . or -.";

/** Anything `new Schedule(...)` accepts as one step. */
export type StepLike = Step | string | readonly [thread: string, marker: string] | StepJSON;

/** An ordered list of steps. Immutable. */
export class Schedule {
  readonly steps: readonly Step[];

  constructor(steps: Iterable<StepLike> = []) {
    this.steps = Object.freeze([...steps].map(toStep));
  }

  get length(): number {
    return this.steps.length;
  }

  /** The threads the schedule mentions, in order of first appearance. */
  threads(): string[] {
    return [...new Set(this.steps.map((s) => s.thread))];
  }

  /** The short form, e.g. `"t1:read t2:read"`; `Schedule.parse` reads it back. */
  toString(): string {
    return this.steps.join(" ");
  }

  toJSON(): ScheduleJSON {
    return { version: SCHEDULE_FORMAT_VERSION, steps: this.steps.map((s) => s.toJSON()) };
  }

  /** Parses the short form: steps separated by whitespace and/or commas. */
  static parse(text: string): Schedule {
    const tokens = text.split(/[\s,]+/).filter((t) => t.length > 0);
    if (tokens.length === 0) {
      throw new ScheduleSyntaxError('Empty schedule: give at least one "<thread>:<marker>" step, e.g. "t1:read_balance t2:read_balance".');
    }
    return new Schedule(tokens.map((t) => Step.parse(t)));
  }

  /**
   * Reads a schedule from the text of a file: either JSON (`{ version, steps }`, or a bare array of
   * `"t:m"` strings / `{ thread, marker }` objects) or the short form.
   */
  static fromText(text: string, origin = "schedule file"): Schedule {
    const trimmed = text.trim();
    if (!trimmed.startsWith("{") && !trimmed.startsWith("[")) return Schedule.parse(trimmed.replace(/#.*$/gm, ""));
    let value: unknown;
    try {
      value = JSON.parse(trimmed);
    } catch (error) {
      throw new ScheduleSyntaxError(`${origin} is not valid JSON: ${(error as Error).message}`);
    }
    return Schedule.fromJSON(value, origin);
  }

  /** Accepts the output of `toJSON()` or a bare array of steps. */
  static fromJSON(value: unknown, origin = "schedule"): Schedule {
    let steps: unknown = value;
    if (isRecord(value) && !Array.isArray(value)) {
      if (value.version !== SCHEDULE_FORMAT_VERSION) {
        throw new ScheduleSyntaxError(
          `${origin} has version ${JSON.stringify(value.version)}; this interlace reads version ${SCHEDULE_FORMAT_VERSION}.`,
        );
      }
      steps = value.steps;
    }
    if (!Array.isArray(steps)) {
      throw new ScheduleSyntaxError(`${origin} must be { "version": 1, "steps": [...] } or an array of steps.`);
    }
    return new Schedule(
      steps.map((entry, i) => {
        if (typeof entry === "string") return Step.parse(entry);
        if (isRecord(entry) && typeof entry.thread === "string" && typeof entry.marker === "string") {
          return new Step(entry.thread, entry.marker);
        }
        throw new ScheduleSyntaxError(`${origin}: step ${i + 1} must be "thread:marker" or { "thread": ..., "marker": ... }.`);
      }),
    );
  }
}

function toStep(like: StepLike): Step {
  if (like instanceof Step) return like;
  if (typeof like === "string") return Step.parse(like);
  if (Array.isArray(like)) return new Step(like[0], like[1]);
  const json = like as StepJSON;
  return new Step(json.thread, json.marker);
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null;
}
