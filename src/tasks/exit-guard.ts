/**
 * `process.exit()` while a task run is active: task threads run in interlace's own process, so a
 * call from one of the run's tasks would end the exploration (and the CLI) with no report. The
 * guard replaces `process.exit` for the run: a call from a task of the run fails the run with
 * {@link TaskExitedError} (naming the thread, the code and the call's position) and throws it, so
 * the task's code stops there; the run fails even if the task catches that throw. Calls from code
 * outside the run's tasks exit as usual.
 *
 * @module
 */
import { TaskExitedError } from "../errors.js";
import { callerPosition } from "./dispatcher.js";

/**
 * Replaces `process.exit` until the returned function is called (which restores it).
 *
 * @param ownTask - The run's task running the current code, if any.
 * @param fail - Fails the run with the error.
 */
export function guardProcessExit(ownTask: () => { name: string } | undefined, fail: (error: TaskExitedError) => void): () => void {
  const original = process.exit;
  const guard = function exit(this: unknown, code?: number | string | null): never {
    const task = ownTask();
    if (task === undefined) return Reflect.apply(original, this ?? process, [code]) as never;
    const shown = code ?? process.exitCode ?? 0;
    const error = new TaskExitedError(task.name, String(shown), callerPosition(guard));
    fail(error);
    throw error;
  };
  process.exit = guard as typeof process.exit;
  return () => {
    // Restore only our own replacement (code under test may have replaced it since).
    if (process.exit === guard) process.exit = original;
  };
}
