/**
 * Runs one marker schedule over task threads in this isolate: the task counterpart of
 * `controller/schedule-controller.ts`.
 *
 * The loop waits for a quiet point (no task code running, no task timer or I/O pending: see
 * `pending-work.ts`), asks the pure engine (`engine/task-schedule.ts`) what to do, and does it.
 * Because decisions are only taken at quiet points, the same schedule gives the same interleaving
 * whatever the speed of the I/O the tasks wait for.
 *
 * @module
 */
import { clock } from "../controller/clock.js";
import { InterlaceError, InterruptedError, ThreadError, TimeoutError, UnknownMarkerError, UsageError } from "../errors.js";
import type { Schedule } from "../engine/schedule.js";
import type { TraceEntry } from "../engine/schedule-run.js";
import { TaskScheduleRun, type TaskAction, type TaskSnapshot } from "../engine/task-schedule.js";
import type { AccessLog } from "./access-log.js";
import { installDispatcher, uninstallDispatcher } from "./dispatcher.js";
import { CallbackGates } from "./callbacks.js";
import { accessInstrumentedFiles, installedAccessRuntime } from "../access/runtime.js";
import { getGates } from "./gates.js";
import { PendingWork } from "./pending-work.js";
import { ExternalWaits, STALL_MS } from "./external-waits.js";
import { guardProcessExit } from "./exit-guard.js";
import { guardCancellations } from "./cancel-guard.js";
import { Task, TaskRun, type TaskThread } from "./task-run.js";

export type { TaskThread };

/** Options of {@link runTasks}. */
export interface TaskRunOptions {
  /** Longest time tasks may run without reaching a quiet point. */
  timeoutMs: number;
  /** Collects the shared accesses of the tasks (and their lock operations) during the run. */
  accesses?: AccessLog;
  /** Aborting it ends the run with `E_INTERRUPTED` (parked tasks are cancelled as after any failure). */
  signal?: AbortSignal;
  /** `interlace debug`: told the run's frame closures (`TaskRun.peekOf`) once the run exists. */
  onRun?: (run: Pick<TaskRun, "peekOf">) => void;
}

/** What decides a run: a marker schedule (`TaskScheduleRun`) or an exploration strategy (`TaskExploreRun`). */
export interface TaskPolicy {
  decide(tasks: readonly TaskSnapshot[]): TaskAction | Promise<TaskAction>;
  /** Whether the task holding the turn passes `await` gates without a decision. */
  passesAwait(): boolean;
}

/** What a completed task run reports (same shape as the isolate kinds'). */
export interface TaskRunOutcome {
  trace: TraceEntry[];
  warnings: string[];
  startupMs: number;
  scheduleMs: number;
  /** Each thread's resolved value, by thread name. */
  results: Record<string, unknown>;
}

/**
 * How long tasks that wait for each other get before that is reported as a deadlock or a stall:
 * code outside the tasks (a timer set before the run, an event) may still settle what they await.
 */
const GRACE_MS = 100;

/** How long the tasks of an ended run get to settle (their `finally` blocks run) before the run returns. */
const SETTLE_MS = 1_000;

/**
 * The same when the run ended with a task waiting for a database lock (a lock-order deadlock, a
 * holder cancelled mid-transaction): the database settles it by itself — PostgreSQL's deadlock
 * check runs after `deadlock_timeout`, 1 s by default — and the next run must not start on
 * connections still inside those transactions.
 */
const LOCK_SETTLE_MS = 5_000;

const NOT_INSTRUMENTED_HINT =
  " No instrumented module is loaded in this process: task threads are scheduled at awaits and markers only in code" +
  " loaded through `node --import interlace/register`, the `interlace/vitest` plugin, or `interlace run`.";

let active: { done: Promise<void>; interrupted: boolean } | null = null;

/** Every marker name registered by instrumented files loaded so far. */
export function knownTaskMarkers(): string[] {
  const names = new Set<string>();
  for (const file of getGates().files) for (const site of file.sites) if (site[3] !== undefined) names.add(site[3]);
  return [...names].sort();
}

/** Runs `schedule` over the tasks, which receive `state`. Rejects with an `InterlaceError`. */
export async function runTasks(threads: readonly TaskThread[], state: unknown, schedule: Schedule, options: TaskRunOptions): Promise<TaskRunOutcome> {
  const known = knownTaskMarkers();
  for (const step of schedule.steps) {
    if (!known.includes(step.marker)) {
      throw new UnknownMarkerError(step.thread, step.marker, known, "The schedule", getGates().files.length === 0 ? NOT_INSTRUMENTED_HINT : "");
    }
  }
  const engine = new TaskScheduleRun(schedule);
  const { startupMs, scheduleMs, results } = await runTaskPolicy(threads, state, engine, options);
  return { trace: [...engine.trace], warnings: [], startupMs, scheduleMs, results };
}

/** What {@link runTaskPolicy} resolves with. */
export interface TaskPolicyOutcome {
  startupMs: number;
  scheduleMs: number;
  /** Each thread's resolved value, by thread name. */
  results: Record<string, unknown>;
}

/**
 * Runs the tasks under any policy; resolves with the timings and the threads' results once every
 * task finished. However the run ends, tasks still parked are cancelled (`TaskRun.end`) and get up
 * to {@link SETTLE_MS} to settle before it returns or rejects.
 */
export async function runTaskPolicy(
  threads: readonly TaskThread[],
  state: unknown,
  policy: TaskPolicy,
  options: TaskRunOptions,
): Promise<TaskPolicyOutcome> {
  // A run whose signal was aborted (a test that timed out) is ending: the next one waits for it.
  if (active !== null && active.interrupted) await active.done;
  if (active !== null) {
    throw new UsageError("Another run of task threads is in progress in this isolate; runs of task threads cannot overlap. Await it before starting the next.");
  }
  let finished!: () => void;
  const mine = { done: new Promise<void>((resolve) => (finished = resolve)), interrupted: options.signal?.aborted === true };
  const onAbort = (): void => void (mine.interrupted = true);
  options.signal?.addEventListener("abort", onAbort, { once: true });
  active = mine;
  try {
    return await new TaskRunController(threads, state, policy, options).run();
  } finally {
    options.signal?.removeEventListener("abort", onAbort);
    active = null;
    uninstallDispatcher();
    finished();
  }
}

class TaskRunController {
  readonly #threads: readonly TaskThread[];
  readonly #state: unknown;
  readonly #options: TaskRunOptions;
  readonly #engine: TaskPolicy;
  readonly #run: TaskRun;
  readonly #pending: PendingWork<Task>;
  readonly #ownTask: () => Task | undefined;
  readonly #waits: ExternalWaits;
  #failure: InterlaceError | undefined;
  #wake: (() => void) | undefined;
  #timer: ReturnType<typeof setTimeout> | undefined;

  constructor(threads: readonly TaskThread[], state: unknown, policy: TaskPolicy, options: TaskRunOptions) {
    this.#threads = threads;
    this.#state = state;
    this.#options = options;
    this.#engine = policy;
    this.#run = new TaskRun(
      {
        finished: () => {},
        threw: (task, error) => this.#fail(new ThreadError(task.name, error instanceof Error ? error.stack ?? String(error) : String(error))),
        access: (task, access) => options.accesses?.push(task.name, access),
      },
      this.#engine.passesAwait(),
    );
    options.onRun?.(this.#run);
    const { store } = installDispatcher();
    this.#ownTask = () => {
      const task = store.getStore();
      return task instanceof Task && task.run === this.#run ? task : undefined;
    };
    this.#pending = new PendingWork<Task>(this.#ownTask, () => this.#wakeUp());
    this.#waits = new ExternalWaits(() => this.#run.tasks, this.#pending, this.#ownTask, (task, access) => options.accesses?.push(task.name, access));
  }

  async run(): Promise<TaskPolicyOutcome> {
    const t0 = clock.now();
    this.#pending.enable();
    const restoreExit = guardProcessExit(this.#ownTask, (error) => this.#fail(error));
    const detach = this.#options.accesses?.attach(() => this.#ownTask()?.name, this.#state) ?? (() => {});
    const detachWaits = this.#waits.attach();
    const signal = this.#options.signal;
    const interrupt = (): void => this.#fail(new InterruptedError(String(signal?.reason instanceof Error ? signal.reason.message : signal?.reason ?? "aborted")));
    if (signal?.aborted) interrupt();
    signal?.addEventListener("abort", interrupt, { once: true });
    // Callbacks that tasks' traced code schedules become scheduling points (through the access runtime's call hook).
    const runtime = installedAccessRuntime();
    runtime?.setCallHook(new CallbackGates(this.#ownTask, () => [...accessInstrumentedFiles(), ...getGates().files.map((f) => f.url)]));
    try {
      this.#run.start(this.#threads, this.#state);
      const t1 = clock.now();
      let graced = false;
      for (;;) {
        this.#restartTimer();
        await this.#quiet();
        if (this.#failure) throw this.#failure;
        // Tasks stalled on replies while none is parked are the only ones that can go on: wait for them.
        if (!this.#run.tasks.some((t) => t.parked.length > 0) && this.#waits.unstall()) continue;
        const decided = this.#engine.decide(this.#run.snapshot());
        let action: TaskAction;
        if ("then" in decided) {
          // An interactive chooser (`interlace debug`) holds every task parked while it decides: no timeout meanwhile.
          if (this.#timer !== undefined) clock.clearTimeout(this.#timer);
          action = await decided;
          if (this.#failure) throw this.#failure;
        } else action = decided;
        if (action.kind === "complete") break;
        if (action.kind === "fail") {
          if (!action.unlessProgress || graced) throw action.error;
          graced = true;
          await new clock.Promise<void>((resolve) => clock.setTimeout(resolve, GRACE_MS));
          continue;
        }
        graced = false;
        if (action.kind === "free") this.#run.free();
        else if (action.kind === "free-task") this.#run.freeTask(action.task);
        else this.#run.release(action.task, action.gate);
      }
      const results: Record<string, unknown> = Object.create(null) as Record<string, unknown>;
      for (const task of this.#run.tasks) results[task.name] = task.result;
      return { startupMs: t1 - t0, scheduleMs: clock.now() - t1, results };
    } finally {
      signal?.removeEventListener("abort", interrupt);
      runtime?.setCallHook(null);
      // Replies of tasks that waited for a lock count again: the ended run's tasks get to settle them.
      const lockWaits = this.#run.tasks.some((t) => t.wait?.modelled === true);
      detachWaits();
      detach();
      if (this.#timer !== undefined) clock.clearTimeout(this.#timer);
      const unguard = guardCancellations((reason) => this.#run.isCancellation(reason));
      this.#run.end();
      await this.#settleTasks(lockWaits ? LOCK_SETTLE_MS : SETTLE_MS);
      this.#pending.disable();
      restoreExit();
      await unguard(this.#run.cancelled);
    }
  }

  /** Waits until the tasks of the ended run settled, or are quiet (waiting for nothing they started), or {@link SETTLE_MS} passed. */
  async #settleTasks(limitMs: number): Promise<void> {
    if (this.#run.settled) return;
    const deadline = clock.now() + limitMs;
    let expired = false;
    const timer = clock.setTimeout(() => {
      expired = true;
      this.#wakeUp();
    }, limitMs);
    try {
      while (!expired && !this.#run.settled && clock.now() < deadline) {
        if (this.#pending.total > 0) {
          await new clock.Promise<void>((resolve) => (this.#wake = resolve));
          continue;
        }
        await new clock.Promise<void>((resolve) => clock.setImmediate(resolve));
        if (this.#pending.total === 0) return;
      }
    } finally {
      clock.clearTimeout(timer);
    }
  }

  /** Resolves once no task code runs and no task has timers or I/O pending (or the run failed). */
  async #quiet(): Promise<void> {
    for (;;) {
      if (this.#failure) return;
      if (this.#pending.total > 0) {
        // Replies that make no progress while another task is parked: the stall rule (external-waits.ts).
        let stalled = false;
        const stall = clock.setTimeout(() => {
          stalled = true;
          this.#wakeUp();
        }, Math.min(STALL_MS, this.#options.timeoutMs / 2));
        await new clock.Promise<void>((resolve) => (this.#wake = resolve));
        clock.clearTimeout(stall);
        if (stalled) this.#waits.stalled();
        continue;
      }
      await new clock.Promise<void>((resolve) => clock.setImmediate(resolve));
      if (this.#failure || this.#pending.total === 0) return;
    }
  }

  /** Called from async hooks when the last pending item completes: only resolve a promise here. */
  #wakeUp(): void {
    const wake = this.#wake;
    this.#wake = undefined;
    wake?.();
  }

  #fail(error: InterlaceError): void {
    this.#failure ??= error;
    this.#wakeUp();
  }

  #restartTimer(): void {
    if (this.#timer !== undefined) clock.clearTimeout(this.#timer);
    this.#timer = clock.setTimeout(() => this.#fail(this.#timeoutError()), this.#options.timeoutMs);
  }

  #timeoutError(): TimeoutError {
    const holder = this.#run.holder;
    const busy = this.#run.tasks.filter((t) => !t.finished && this.#pending.count(t) > 0);
    const lines = busy.map((t) => `  ${t.name}: waiting for ${this.#pending.describe(t).join(", ")}${this.#lastAwait(t)}`);
    const who = holder ? `Task "${holder.name}" ran` : "Tasks ran";
    return new TimeoutError(
      `${who} for ${this.#options.timeoutMs} ms without reaching a marker, blocking or finishing` +
        (lines.length ? `:\n${lines.join("\n")}` : " (it may be spinning through awaits in a loop).") +
        "\nRaise the timeout ({ timeout } or --timeout) if the work is legitimately slow.",
    );
  }

  #lastAwait(task: Task): string {
    const at = task.lastAwait && this.#run.where(task.lastAwait[0], task.lastAwait[1]);
    return at ? ` (last await at ${at.file}:${at.line})` : "";
  }
}
