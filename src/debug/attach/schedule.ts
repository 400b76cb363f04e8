/**
 * `interlace attach --schedule`: the external process is one thread; each step is a stop at that
 * marker. Every marker the process reaches must be the next step (otherwise the schedule stalls,
 * as `interlace run` does with one thread); once every step is taken, interlace detaches and the
 * process runs on by itself.
 *
 * @module
 */
import { ScheduleStallError, StepThreadFinishedError, UnknownMarkerError } from "../../errors.js";
import type { Schedule } from "../../engine/schedule.js";
import { renderScheduleStep } from "./render.js";
import type { Arrival, AttachedTarget } from "./target.js";

/** Walks `schedule`; resolves once its last step was taken. Throws the schedule's typed errors. */
export async function walkSchedule(
  target: AttachedTarget,
  schedule: Schedule,
  thread: string,
  timeout: number,
  write: (line: string) => void,
  wait: (arrival: Promise<Arrival>) => Promise<Arrival>,
): Promise<void> {
  const first = await wait(target.next(timeout, "its first script"));
  const known = await target.knownMarkers();
  for (const step of schedule.steps) {
    if (!known.includes(step.marker)) {
      throw new UnknownMarkerError(thread, step.marker, known, "--schedule", " (markers are read from the scripts the process loaded before it started running)");
    }
  }
  if (first === "ended") throw new StepThreadFinishedError(`${thread} ended before it ran any traced script; the schedule's first step is ${schedule.steps[0]}`);
  let index = 0;
  for (const step of schedule.steps) {
    index += 1;
    await target.resume();
    const waitingFor = `marker "${step.marker}" (step ${index}: ${step})`;
    const arrival = await wait(target.next(timeout, waitingFor));
    if (arrival === "ended") throw new StepThreadFinishedError(`${thread} ran to its end without reaching ${waitingFor}`);
    if (arrival.marker?.name !== step.marker) {
      throw new ScheduleStallError(
        `${thread} stopped at marker "${arrival.marker?.name}" (${arrival.file}:${arrival.line}) but the next step is ${step} (step ${index}); ` +
          "with one thread, every marker it reaches before the schedule ends must be the next step",
      );
    }
    write(renderScheduleStep(index, thread, arrival));
  }
}
