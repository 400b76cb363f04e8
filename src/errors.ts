/**
 * Every error interlace throws is an {@link InterlaceError} with a stable `code`.
 *
 * Two categories matter to callers (and map to CLI exit codes):
 * - `input`: bad input, rejected before any thread function runs (exit code 2);
 * - `fault`: something went wrong while threads ran (exit code 3).
 *
 * Expected outcomes (an invariant that does not hold) are results, never errors.
 */

/** Whether an error is the user's input being rejected or a fault during the run. */
export type ErrorCategory = "input" | "fault";

/** Base class of every error raised by interlace. */
export class InterlaceError extends Error {
  /** Stable machine-readable code, e.g. `E_UNKNOWN_MARKER`. */
  readonly code: string;
  /** `input` (rejected before running, exit 2) or `fault` (runtime, exit 3). */
  readonly category: ErrorCategory;

  constructor(code: string, category: ErrorCategory, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
    this.code = code;
    this.category = category;
  }
}

// ---------------------------------------------------------------- input errors

/** A schedule string or file could not be parsed. */
export class ScheduleSyntaxError extends InterlaceError {
  constructor(message: string) {
    super("E_SCHEDULE_SYNTAX", "input", message);
  }
}

/** A schedule names a thread the scenario does not define. */
export class UnknownThreadError extends InterlaceError {
  readonly thread: string;
  constructor(thread: string, known: readonly string[], where: string) {
    super(
      "E_UNKNOWN_THREAD",
      "input",
      `${where} names thread "${thread}", which the scenario does not define. ` +
        `Known threads: ${known.map((t) => `"${t}"`).join(", ") || "(none)"}.`,
    );
    this.thread = thread;
  }
}

/** A schedule names a marker that appears in no source traced by that thread. */
export class UnknownMarkerError extends InterlaceError {
  readonly thread: string;
  readonly marker: string;
  constructor(thread: string, marker: string, known: readonly string[], where: string, extraHint = "") {
    const hint = known.length
      ? `Markers found in the sources thread "${thread}" loaded: ${known.join(", ")}.`
      : `Thread "${thread}" loaded no source with an "// interlace: <name>" comment.`;
    super(
      "E_UNKNOWN_MARKER",
      "input",
      `${where} uses marker "${marker}" for thread "${thread}", but no traced source of that thread contains ` +
        `"// interlace: ${marker}". ${hint} Check the spelling, or add the comment before the statement to gate.${extraHint}`,
    );
    this.thread = thread;
    this.marker = marker;
  }
}

/** Two threads were registered under one name. */
export class DuplicateThreadError extends InterlaceError {
  constructor(thread: string) {
    super("E_DUPLICATE_THREAD", "input", `Thread name "${thread}" is used twice. Give every thread a distinct name.`);
  }
}

/** A scenario, thread spec or option is malformed. */
export class ScenarioError extends InterlaceError {
  constructor(message: string) {
    super("E_SCENARIO_INVALID", "input", message);
  }
}

/** A scenario definition has a key `defineScenario` does not know (a typo, or an option given in the wrong place). */
export class UnknownScenarioKeyError extends ScenarioError {
  readonly key: string;
  readonly known: readonly string[];
  constructor(key: string, known: readonly string[], suggestion: string | null) {
    super(
      `Scenario key ${JSON.stringify(key)} is not one defineScenario knows${suggestion === null ? "" : ` (did you mean "${suggestion}"?)`}. ` +
        `Known keys: ${known.join(", ")}.`,
    );
    this.key = key;
    this.known = known;
  }
}

/** The module a thread should run (or the scenario module) does not exist. */
export class ModuleNotFoundError extends InterlaceError {
  constructor(what: string, path: string) {
    super("E_MODULE_NOT_FOUND", "input", `${what} not found: ${path}. Check the path (thread modules are best given as new URL("./file.ts", import.meta.url)).`);
  }
}

/** The module loaded but does not export the requested function. */
export class ExportNotFoundError extends InterlaceError {
  constructor(thread: string, modulePath: string, exportName: string, available: readonly string[]) {
    super(
      "E_EXPORT_NOT_FOUND",
      "input",
      `Thread "${thread}": ${modulePath} has no exported function "${exportName}". ` +
        `Exports found: ${available.length ? available.join(", ") : "(none)"}.`,
    );
  }
}

/** Importing a thread's module threw (syntax error, top-level exception). */
export class ModuleLoadError extends InterlaceError {
  readonly thread: string;
  /** The module, as shown (relative to the working directory when under it). */
  readonly modulePath: string;
  /** What importing it threw. */
  readonly detail: string;
  constructor(thread: string, modulePath: string, detail: string) {
    super("E_MODULE_LOAD", "input", `Thread "${thread}": importing ${modulePath} failed before the thread started:\n${detail}`);
    this.thread = thread;
    this.modulePath = modulePath;
    this.detail = detail;
  }
}

/** The state returned by `setup()` cannot be sent to a thread. */
export class StateTransferError extends InterlaceError {
  constructor(thread: string, kind: string, detail: string) {
    super(
      "E_STATE_NOT_TRANSFERABLE",
      "input",
      `The state returned by setup() cannot be passed to ${kind} thread "${thread}": ${detail}. ` +
        (kind === "process"
          ? "Processes receive a serialised copy: share files, database paths, ports or URLs instead of memory."
          : "Workers receive a structured clone: use plain data and SharedArrayBuffers."),
    );
  }
}

/** A scenario module could not be loaded or has no scenario as its default export. */
export class ScenarioLoadError extends InterlaceError {
  constructor(path: string, detail: string) {
    super("E_SCENARIO_LOAD", "input", `Cannot use ${path} as a scenario: ${detail}`);
  }
}

/** Command-line usage error. */
export class UsageError extends InterlaceError {
  constructor(message: string) {
    super("E_USAGE", "input", message);
  }
}

// ---------------------------------------------------------------- runtime faults

/** A thread's function threw or rejected. */
export class ThreadError extends InterlaceError {
  readonly thread: string;
  /** The thread's error stack, source-mapped to original files. */
  readonly threadStack: string;
  constructor(thread: string, threadStack: string) {
    super("E_THREAD_THREW", "fault", `Thread "${thread}" threw:\n${indent(threadStack)}`);
    this.thread = thread;
    this.threadStack = threadStack;
  }
}

/** A target isolate exited or crashed before its thread function finished. */
export class TargetExitedError extends InterlaceError {
  readonly thread: string;
  constructor(thread: string, detail: string) {
    super("E_TARGET_EXITED", "fault", `Thread "${thread}" ended before its function returned: ${detail}.`);
    this.thread = thread;
  }
}

/**
 * A task thread called `process.exit()`: task threads run in interlace's own process, so the call
 * is refused (it would end the exploration) and the run fails with this error.
 */
export class TaskExitedError extends InterlaceError {
  readonly thread: string;
  readonly exitCode: string;
  /** `file:line:column` of the call, when known. */
  readonly position: string | undefined;
  constructor(thread: string, exitCode: string, position: string | undefined) {
    super(
      "E_TASK_EXITED",
      "fault",
      `Thread "${thread}" called process.exit(${exitCode})${position === undefined ? "" : ` at ${position}`}. ` +
        "Task threads share interlace's process, so the call was refused and the run stopped; " +
        "to test code that exits, run it in a worker or process thread (`thread.worker(url, fn)` or `thread.process(url, fn)`).",
    );
    this.thread = thread;
    this.exitCode = exitCode;
    this.position = position;
  }
}

/**
 * What a task left parked at a gate meets when interlace ends the attempt (another thread failed,
 * the run timed out or was abandoned): its pending `await` or marker rejects with this error, so
 * its `catch` and `finally` blocks run and release what it holds.
 */
export class TaskCancelledError extends InterlaceError {
  readonly thread: string;
  constructor(thread: string) {
    super("E_TASK_CANCELLED", "fault", `Thread "${thread}" was cancelled: interlace ended the attempt while it was parked at a scheduling point.`);
    this.thread = thread;
  }
}

/** Every live thread is paused and none can take the next step. */
export class ScheduleStallError extends InterlaceError {
  constructor(message: string) {
    super("E_SCHEDULE_STALL", "fault", message);
  }
}

/** The next step belongs to a thread that has already finished. */
export class StepThreadFinishedError extends InterlaceError {
  constructor(message: string) {
    super("E_STEP_THREAD_FINISHED", "fault", message);
  }
}

/** A thread ran longer than the timeout without reaching a marker or finishing. */
export class TimeoutError extends InterlaceError {
  constructor(message: string) {
    super("E_TIMEOUT", "fault", message);
  }
}

/** Every live task waits for something that only another task of the run could do. */
export class DeadlockError extends InterlaceError {
  /** Each waiting task and where it waits. */
  readonly waiting: ReadonlyArray<{ thread: string; at: string }>;
  constructor(message: string, waiting: ReadonlyArray<{ thread: string; at: string }>) {
    super("E_DEADLOCK", "fault", message);
    this.waiting = waiting;
  }
}

/** `setup()` or `teardown()` of a scenario threw. */
export class ScenarioHookError extends InterlaceError {
  constructor(hook: string, cause: unknown) {
    const stack = userStack(cause);
    super("E_HOOK_THREW", "fault", `The scenario's ${hook}() threw: ${describeError(cause)}${stack === "" ? "" : `\n${stack}`}`, { cause });
  }
}

/** interlace's own code (`src/` or `dist/`), left out of the stacks shown to users. */
const OWN_CODE = new URL(".", import.meta.url);

/**
 * The frames of a thrown error's stack that are the user's code (not Node's, not interlace's), as
 * printed by V8 (source-mapped when source maps are on, as interlace's loaders and tsx turn them),
 * indented; "" when there are none or it is not an Error.
 */
export function userStack(value: unknown, limit = 8): string {
  if (!(value instanceof Error) || typeof value.stack !== "string") return "";
  const own = [OWN_CODE.href, decodeURIComponent(OWN_CODE.pathname)];
  const frames: string[] = [];
  for (const line of value.stack.split("\n")) {
    if (!/^\s+at /.test(line) || /\(node:|at node:|\(native\)|\(<anonymous>\)|[\\/]bin[\\/]interlace\.js:/.test(line) || own.some((prefix) => line.includes(prefix))) continue;
    // Frames of packages below the user's own (a test runner's, a framework's) are not theirs.
    if (frames.length > 0 && /[\\/]node_modules[\\/]/.test(line)) break;
    frames.push(`    ${line.trim()}`);
    if (frames.length === limit) break;
  }
  return frames.join("\n");
}

/**
 * A systematic search (DPOR, exhaustive, the markers strategy) replayed a prefix of decisions and the
 * threads did something else than in the run it recorded: what they do depends on something
 * interlace does not decide. The message starts `exploration diverged at step N: …` (the portfolio
 * catches it and goes on at random) and says what to do.
 */
export class ExplorationDivergedError extends InterlaceError {
  constructor(detail: string) {
    super(
      "E_NOT_DETERMINISTIC",
      "fault",
      `${detail}; the program is not deterministic under interlace's control. Something else decides what the threads do: ` +
        "the time, randomness, a path or id that changes every run, state an earlier attempt left in a file, database or server. " +
        "Make setup reset every shared resource and keep paths fixed, or use --strategy portfolio (the default: it goes on at random) or random/pct, which need no replay.",
    );
  }
}

/** Something outside interlace resumed a thread (a second debugger): the run is no longer deterministic. */
export class DeterminismLostError extends InterlaceError {
  constructor(message: string) {
    super("E_DETERMINISM_LOST", "fault", message);
  }
}

/**
 * A worker or process thread ran traced code after it had returned and had stayed busy past the
 * quiet limit (a `setInterval`, a timer armed far ahead): code between runs cannot be scheduled.
 */
export class RanAfterReturnError extends InterlaceError {
  readonly thread: string;
  /**
   * @param at - Where the code ran, or null when the thread reported work still pending (`pending`).
   * @param pending - Node's resource types still active (`Timeout`, `FSReqCallback`, `TCPWRAP`).
   */
  constructor(thread: string, at: string | null, quietLimitMs: number, pending: readonly string[] = []) {
    const what =
      at === null
        ? `Thread "${thread}" returned but left work running: ${pending.join(", ")} still active ${quietLimitMs} ms after its function returned (an interval, a timer armed far ahead, a handle left open).`
        : `Thread "${thread}" ran code at ${at} after its function had returned and the work it left behind (promise chains, timers, I/O) had ` +
          `been waited for (an unref'd timer, a callback of a resource it left open).`;
    super(
      "E_RAN_AFTER_RETURN",
      "fault",
      `${what} Code that runs after a thread has ended cannot be scheduled: await what the thread starts, or clear its timers and close ` +
        `what it opened before it returns.`,
    );
    this.thread = thread;
  }
}

/**
 * Worker threads were asked for from code that runs in a worker thread itself (vitest's
 * `pool: "threads"`): the inspector's NodeWorker domain that drives them exists on the main thread only.
 */
export class MainThreadRequiredError extends InterlaceError {
  constructor(workers: readonly string[]) {
    super(
      "E_NOT_MAIN_THREAD",
      "input",
      `Worker threads (${workers.map((w) => `"${w}"`).join(", ")}) are driven through the inspector of a process's main thread, ` +
        `and this code runs in a worker thread (vitest's pool "threads"?), where that inspector domain does not exist. ` +
        `Run it on a main thread: in vitest, use pool "forks": \`test: { pool: "forks" }\` in vitest.config, or ` +
        `\`vitest --pool=forks\`. Task and process threads work from any thread.`,
    );
  }
}

/** A run was stopped by its caller's signal (Ctrl-C, `kill`) before it finished: teardown ran, every thread was stopped. */
export class InterruptedError extends InterlaceError {
  constructor(reason: string) {
    super("E_INTERRUPTED", "fault", `The run was interrupted (${reason}) before it finished; teardown ran and every thread was stopped.`);
  }
}

/** The inspector channel to a target failed. */
export class InspectorError extends InterlaceError {
  constructor(message: string, options?: { cause?: unknown }) {
    super("E_INSPECTOR", "fault", message, options);
  }
}

/** Renders any thrown value as one line of text. */
export function describeError(value: unknown): string {
  if (value instanceof Error) return `${value.name}: ${value.message}`;
  return String(value);
}

function indent(text: string): string {
  return text
    .split("\n")
    .map((line) => `    ${line}`)
    .join("\n");
}

// ---------------------------------------------------------------- interlace debug

/** `interlace debug`: a command names a thread the scenario does not define. */
export class DebugUnknownThreadError extends InterlaceError {
  readonly thread: string;
  constructor(thread: string, known: readonly string[], runnable: readonly string[]) {
    super(
      "E_UNKNOWN_THREAD",
      "input",
      `No thread "${thread}" in this scenario. Threads: ${known.join(", ")}; runnable now: ${runnable.length > 0 ? runnable.join(", ") : "none"}.`,
    );
    this.thread = thread;
  }
}

/**
 * `interlace debug`: a command that cannot be done where the session stands. `code` is one of
 * `E_DEBUG_NOT_RUNNABLE` (the thread cannot take the next step), `E_DEBUG_STEP_RANGE` (`goto`
 * outside the interleaving walked or recorded), `E_DEBUG_NO_NEXT` (`next` with no recorded decision
 * left), `E_DEBUG_NOT_PAUSED` (`print`/`where` of a thread that is not stopped), `E_DEBUG_SIDE_EFFECT`
 * (`print` of an expression V8 refused as possibly side-effecting), `E_DEBUG_EVAL` (the expression
 * threw), `E_DEBUG_NOT_FINISHED` (`invariant` before every thread finished), `E_DEBUG_SAVE` (the file
 * cannot be written).
 */
export class DebugCommandError extends InterlaceError {
  constructor(code: `E_DEBUG_${string}`, message: string) {
    super(code, "input", message);
  }
}


// ---------------------------------------------------------------- interlace attach

/** `interlace attach`: the WebSocket URL is not on this machine's loopback interface. */
export class AttachNotLoopbackError extends InterlaceError {
  constructor(url: string, host: string) {
    super(
      "E_ATTACH_NOT_LOOPBACK",
      "input",
      `interlace attach connects to loopback inspector URLs only (127.0.0.1, localhost, [::1]); ${url} is on "${host}". ` +
        "Start the process on this machine with node --inspect-wait=127.0.0.1:0 app.js and pass the ws:// URL it prints.",
    );
  }
}

/** `interlace attach`: nothing answers at the WebSocket URL (or it is not an inspector URL). */
export class AttachUnreachableError extends InterlaceError {
  constructor(url: string, reason: string) {
    super(
      "E_ATTACH_UNREACHABLE",
      "input",
      `Cannot connect to the inspector at ${url}: ${reason}. Check that the process is still running and was started with ` +
        "node --inspect-wait=127.0.0.1:0 (or --inspect), and copy the URL from its \"Debugger listening on ws://…\" line: " +
        "the id after the port is new every time the process starts.",
    );
  }
}
