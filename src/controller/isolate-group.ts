/**
 * The isolates of one scenario's threads, kept across runs: the only bridge between cdp/ and
 * engine/. The first run launches every isolate and waits until each is paused at its ready point
 * with its breakpoints armed; a later run sends each runtime the new state and it comes back to
 * the same ready point, armed already (explorations pay the start-up once). During a run, pauses,
 * blocked waits and completions go to the run's engine, whose actions are carried out here.
 *
 * A run that does not complete cleanly (a fault, a thrown error, a deadlock, a timeout) leaves
 * threads midway: the group then disposes every isolate, and the next run launches fresh ones.
 */
import {
  ExportNotFoundError,
  InspectorError,
  InterlaceError,
  InterruptedError,
  ModuleLoadError,
  TargetExitedError,
  RanAfterReturnError,
  ThreadError,
  TimeoutError,
  UnknownMarkerError,
} from "../errors.js";
import type { Schedule } from "../engine/schedule.js";
import type { Action, ThreadView, TraceEntry, Where } from "../engine/schedule-run.js";
import { MarkerResolver, TraceFilter, interlaceOwnRoots } from "../markers/index.js";
import { sourceLine } from "../markers/display.js";
import { QUIET_LIMIT_MS, type RunnerEvent, type ThreadLaunch } from "../protocol/messages.js";
import type { ThreadAccess } from "../engine/step-accesses.js";
import { STALL_MS, type WantedLock } from "../engine/isolate-explore.js";
import { AccessRing } from "./access-ring.js";
import { OVERFLOW_ORIGIN, WORLD } from "../strategies/access.js";
import { createIoChannel } from "../runtime/io-channel.mjs";
import { clock } from "./clock.js";
import type { OutputSink } from "./output.js";
import { ProcessTarget, type ProcessOptions } from "./process-target.js";
import { ThreadDriver, displayPath, type Granularity, type ProbeResult } from "./thread-driver.js";
import type { IoAccesses, TargetExit, TargetListener, ThreadTarget } from "./thread-target.js";
import { WorkerTarget } from "./worker-target.js";

const LOAD_FLOOR_MS = 30_000;
/** How long the stall rule's probe waits for the running thread to answer a pause request. */
const STALL_PROBE_MS = 200;

/** A thread ready to launch. */
export interface PreparedThread {
  kind: "worker" | "process";
  launch: ThreadLaunch;
  processOptions?: ProcessOptions;
}

/** What decides a run: a schedule (`ScheduleRun`) or an exploration strategy (`IsolateExploreRun`). */
export interface IsolateEngine {
  ready(thread: string, where?: Where): Action[];
  start(): Action[];
  paused(thread: string, marker: string, where?: Where): Action[];
  finished(thread: string): Action[];
  /** The running thread is about to block in an untimed `Atomics.wait` on `on` (e.g. `Int32Array(8)[1]`) at `where`. */
  blocked?(thread: string, where: Where | undefined, on: string): Action[];
  /** Waiters woken by `Atomics.notify` since the run started (told before every other event). */
  wakes?(total: number): void;
  /** Threads whose next event the run waits for (default: the running thread). */
  awaited?(): string[];
  /** The stall rule: the running thread waits outside JavaScript while others wait at a decision (null: nothing changes). */
  stalled?(thread: string): Action[] | null;
  /** The thread stopped at the gate of a `SharedMutex` it is about to take (only engines that have this get lock gates). */
  lockGate?(thread: string, lock: WantedLock, where?: Where): Action[];
  threads(): ThreadView[];
  readonly released: boolean;
  readonly runningThread: string | null;
  readonly trace: readonly TraceEntry[];
}

/** Options of a group, fixed for all its runs. */
export interface GroupOptions {
  /** Longest time a thread may run without reaching a marker or finishing. */
  timeoutMs: number;
  output: OutputSink;
  tracePackages: readonly string[];
  /** Where threads stop (default: markers only). */
  granularity?: Granularity;
  /** Record the shared accesses of worker threads (the access transform and an access ring per worker). */
  recordAccesses?: boolean;
  /** Aborting it ends the run in progress with `E_INTERRUPTED` (the isolates are then disposed). */
  signal?: AbortSignal;
}

/** What a completed run reports. */
export interface RunOutcome {
  trace: TraceEntry[];
  warnings: string[];
  /** Start of the run to every thread paused at its ready point (launching, the first time). */
  startupMs: number;
  /** First scheduling decision to the last thread finished. */
  scheduleMs: number;
}

type Waiting = "load" | "marker" | "finish";

/** The per-run part: the engine, the outcome, the bookkeeping of one run. */
class Run {
  readonly engine: IsolateEngine;
  readonly notReady: Set<string>;
  readonly outcome: Promise<void>;
  readonly wakeBase: number;
  settle!: { resolve: () => void; reject: (error: Error) => void };
  settled = false;
  started = false;
  allReady!: () => void;
  readonly ready: Promise<void>;

  constructor(engine: IsolateEngine, names: readonly string[], wakeBase: number) {
    this.engine = engine;
    this.notReady = new Set(names);
    this.wakeBase = wakeBase;
    this.outcome = new Promise<void>((resolve, reject) => (this.settle = { resolve, reject }));
    this.outcome.catch(() => {});
    this.ready = new Promise<void>((resolve) => (this.allReady = resolve));
  }
}

/** Launches, reuses and disposes the isolates of a fixed set of threads. */
export class IsolateGroup {
  readonly #threads: readonly PreparedThread[];
  readonly #options: GroupOptions;
  readonly #filter: TraceFilter;
  readonly #resolver: MarkerResolver;
  readonly #targets = new Map<string, ThreadTarget>();
  readonly #drivers = new Map<string, ThreadDriver>();
  /** Workers' access rings, when accesses are recorded. */
  readonly #rings = new Map<string, AccessRing>();
  /** Resource accesses of isolates disposed since the last drain. */
  #disposedIo: Array<[string, IoAccesses]> = [];
  /** Waiters woken by `Atomics.notify` in any worker of the group (`control` of their launch). */
  readonly #wakes = new Int32Array(new SharedArrayBuffer(4));
  /** Every isolate is alive and back at (or on its way to) its ready point. */
  #reusable = false;
  #run: Run | null = null;
  #timer: ReturnType<typeof setTimeout> | undefined;
  /** The stall rule's check of the running thread (see `IsolateExploreRun.stalled`). */
  #stallTimer: ReturnType<typeof setTimeout> | undefined;

  constructor(threads: readonly PreparedThread[], options: GroupOptions) {
    this.#threads = threads;
    this.#options = options;
    this.#filter = new TraceFilter({ tracePackages: options.tracePackages, excludeRoots: interlaceOwnRoots() });
    this.#resolver = new MarkerResolver(this.#filter);
  }

  /**
   * One run: threads receive `state`, the engine decides. With `schedule`, every marker it names
   * must exist in the loaded sources. Rejects with an `InterlaceError`.
   */
  async run(state: unknown, engine: IsolateEngine, schedule?: Schedule): Promise<RunOutcome> {
    if (this.#run) throw new Error("IsolateGroup runs cannot overlap");
    const names = this.#threads.map((t) => t.launch.thread);
    const run = new Run(engine, names, Atomics.load(this.#wakes, 0));
    this.#run = run;
    let clean = false;
    const t0 = clock.now();
    const signal = this.#options.signal;
    const interrupt = (): void => this.#fail(new InterruptedError(String(signal?.reason instanceof Error ? signal.reason.message : signal?.reason ?? "aborted")));
    if (signal?.aborted) interrupt();
    signal?.addEventListener("abort", interrupt, { once: true });
    try {
      if (this.#reusable) {
        this.#restartTimer(names, "marker");
        for (const ring of this.#rings.values()) ring.lockGates = engine.lockGate !== undefined;
        // Threads released or freed last run have inactive breakpoints; they must be live first.
        await Promise.race([Promise.all([...this.#drivers.values()].map((d) => d.rearm())), run.outcome]);
        for (const target of this.#targets.values()) target.again(state);
      } else {
        await this.#disposeAll();
        this.#restartTimer(names, "load");
        await Promise.race([this.#launchAll(state), run.outcome]);
      }
      await Promise.race([run.ready, run.outcome]);
      if (schedule) this.#checkMarkers(schedule);
      const t1 = clock.now();
      run.started = true;
      for (const name of names) engine.ready(name);
      this.#apply(run, engine.start());
      await run.outcome;
      clean = true;
      return {
        trace: [...engine.trace],
        warnings: [...new Set([...this.#drivers.values()].flatMap((d) => d.warnings))],
        startupMs: t1 - t0,
        scheduleMs: clock.now() - t1,
      };
    } finally {
      signal?.removeEventListener("abort", interrupt);
      run.settled = true;
      this.#clearTimer();
      this.#run = null;
      this.#reusable = clean && this.#targets.size === names.length;
      if (!this.#reusable) await this.#disposeAll();
    }
  }

  /**
   * The shared accesses the workers made since the last call, each with its thread. Call it only
   * while no worker runs (at a decision, or once the run is over, before the next run starts).
   */
  drainAccesses(): ThreadAccess[] {
    const out: ThreadAccess[] = [];
    for (const [thread, ring] of this.#rings) for (const access of ring.drain()) out.push({ ...access, thread });
    const taken: Array<[string, IoAccesses | undefined]> = [...this.#disposedIo, ...[...this.#targets].map(([thread, target]) => [thread, target.takeIoAccesses?.()] as [string, IoAccesses | undefined])];
    this.#disposedIo = [];
    for (const [thread, io] of taken) {
      if (io === undefined) continue;
      for (const access of io.accesses) out.push({ ...access, thread });
      // Operations the channel could not hold: what they touched is not known.
      if (io.dropped > 0) out.push({ op: "write", location: WORLD, origin: OVERFLOW_ORIGIN, label: `${io.dropped} resource accesses of one step did not fit the io channel`, thread });
    }
    return out;
  }

  /** The driver of a thread's isolate while it is launched (for `interlace debug`: frames and evaluation while paused). */
  driver(thread: string): ThreadDriver | undefined {
    return this.#drivers.get(thread);
  }

  /** Disposes every isolate. The group can still run again (launching afresh). */
  async close(): Promise<void> {
    this.#reusable = false;
    await this.#disposeAll();
  }

  async #launchAll(state: unknown): Promise<void> {
    const control = this.#wakes.buffer as SharedArrayBuffer;
    // The previous isolates' rings were kept for the last drain of their run.
    this.#rings.clear();
    this.#disposedIo = [];
    await Promise.all(
      this.#threads.map((t) =>
        this.#launch(t, state, control).catch((error: unknown) => {
          this.#fail(error instanceof InterlaceError ? error : new InspectorError(`Cannot start thread "${t.launch.thread}": ${String(error)}`, { cause: error }));
        }),
      ),
    );
  }

  async #launch(thread: PreparedThread, state: unknown, control: SharedArrayBuffer): Promise<void> {
    const name = thread.launch.thread;
    const listener: TargetListener = {
      runner: (event) => this.#onRunner(thread, event),
      exit: (exit) => this.#onExit(name, exit),
    };
    let launch: ThreadLaunch = thread.launch;
    const record = this.#options.recordAccesses === true;
    if (thread.kind === "worker" && record) {
      const ring = AccessRing.create(name);
      ring.lockGates = this.#run?.engine.lockGate !== undefined;
      this.#rings.set(name, ring);
      launch = { ...launch, accesses: ring.buffer, tracePackages: [...this.#options.tracePackages] };
    }
    // The io hooks: gates at io granularity; a process's resource accesses whenever accesses are
    // recorded (what processes share is outside their heaps), a worker's at io granularity.
    const gates = this.#options.granularity === "io";
    if (gates || (record && thread.kind === "process")) {
      // Lock gates need the recorded acquires and releases: the engine knows the holders from them.
      const lockGates = record && this.#run?.engine.lockGate !== undefined;
      launch = { ...launch, io: { gates, record, ...(lockGates ? { lockGates } : {}), ...(thread.kind === "worker" ? { channel: createIoChannel() } : {}) } };
    }
    const target =
      thread.kind === "worker"
        ? await WorkerTarget.launch({ ...launch, control }, state, listener, this.#options.output)
        : ProcessTarget.launch(launch, state, listener, this.#options.output, thread.processOptions);
    this.#targets.set(name, target);
    if (!this.#run || this.#run.settled) return;
    const driver = new ThreadDriver(
      target,
      this.#resolver,
      this.#filter,
      {
        ready: () => this.#onReady(name),
        stopped: (marker, where) => this.#event((run) => run.engine.paused(name, marker, where)),
        failed: (error) => this.#fail(error),
        lockGate: (where) => this.#onLockGate(name, where),
        ioLockGate: (where, wanted) => this.#onIoLockGate(name, where, wanted),
      },
      this.#options.granularity ?? "markers",
    );
    this.#drivers.set(name, driver);
    await driver.start();
  }

  /** A worker stopped at a lock gate: a scheduling point when the engine handles them and the ring says which lock. */
  #onLockGate(name: string, where: Where | null): boolean {
    const run = this.#run;
    const intent = this.#rings.get(name)?.intent();
    if (!run || run.settled || !run.started || !run.engine.lockGate || !intent) return false;
    this.#event((r) => r.engine.lockGate?.(name, intent, where ?? undefined) ?? []);
    return true;
  }

  /** A database statement of a worker or process stopped at its lock gate, needing `wanted` (first the lock it waits for, if any). */
  #onIoLockGate(name: string, where: Where, wanted: readonly WantedLock[]): boolean {
    const run = this.#run;
    if (!run || run.settled || !run.started || !run.engine.lockGate || wanted.length === 0) return false;
    const [first, ...also] = wanted;
    this.#event((r) => r.engine.lockGate?.(name, also.length > 0 ? { ...first!, also } : first!, where) ?? []);
    return true;
  }

  #onReady(name: string): void {
    const run = this.#run;
    if (!run) return;
    run.notReady.delete(name);
    if (run.notReady.size === 0) run.allReady();
  }

  #checkMarkers(schedule: Schedule): void {
    for (const step of schedule.steps) {
      const driver = this.#drivers.get(step.thread)!;
      if (!driver.markerNames.has(step.marker)) {
        throw new UnknownMarkerError(step.thread, step.marker, [...driver.markerNames].sort(), "The schedule");
      }
    }
  }

  #onRunner(thread: PreparedThread, event: RunnerEvent): void {
    const name = thread.launch.thread;
    const run = this.#run;
    if (!run) {
      // Nothing runs between runs: whatever this is, the isolates are not fit for another run.
      this.#reusable = false;
      return;
    }
    const modulePath = displayPath(thread.launch.moduleUrl);
    switch (event.type) {
      case "blocked": {
        // Waits outside traced code (tsx compiling synchronously, say) end by themselves.
        const where = this.#tracedFrame(event.stack);
        const driver = this.#drivers.get(name);
        if (where === null || !driver || !run.engine.blocked) return;
        // Blocked only once it is asleep in the wait (see ThreadDriver.confirmBlocked).
        void driver.confirmBlocked().then((asleep) => {
          if (asleep && this.#run === run) this.#event((r) => r.engine.blocked?.(name, where, event.on) ?? []);
        });
        return;
      }
      case "load-failed":
        return this.#fail(new ModuleLoadError(name, modulePath, event.detail));
      case "export-missing":
        return this.#fail(new ExportNotFoundError(name, modulePath, thread.launch.exportName, event.available));
      case "threw":
        return this.#fail(new ThreadError(name, event.stack));
      case "returned":
        if (event.pending !== undefined) {
          // It left work running (an interval, a far timer): that code would run between decisions
          // of later steps, or of later runs. The isolate is not reused.
          this.#reusable = false;
          return this.#fail(new RanAfterReturnError(name, null, QUIET_LIMIT_MS, event.pending));
        }
        if (run.started) this.#event((r) => r.engine.finished(name));
        return;
    }
  }

  /** The innermost frame of a runtime-reported stack that is in traced code, as a display position. */
  #tracedFrame(stack: string): Where | null {
    for (const line of stack.split("\n")) {
      const m = /\(?((?:file:\/\/|\/)[^()]*?):(\d+):(\d+)\)?\s*$/.exec(line.trim());
      if (!m || !this.#filter.shouldTraceFile(m[1]!)) continue;
      const file = m[1]!;
      const lineNo = Number(m[2]);
      const text = sourceLine(file, lineNo);
      return { file: displayPath(file), line: lineNo, column: Number(m[3]) - 1, ...(text === undefined ? {} : { text }) };
    }
    return null;
  }

  #onExit(thread: string, exit: TargetExit): void {
    this.#reusable = false;
    const detail = exit.stack ? `${exit.detail}\n${exit.stack}` : exit.detail;
    this.#fail(new TargetExitedError(thread, detail));
  }

  /**
   * Hands an event to the current run's engine (told the wake count first) and applies its actions
   * (null: the event changed nothing, the timers stay as they are).
   */
  #event(handle: (run: Run) => Action[] | null): void {
    const run = this.#run;
    if (!run || run.settled) return;
    run.engine.wakes?.(Atomics.load(this.#wakes, 0) - run.wakeBase);
    let actions: Action[] | null;
    try {
      actions = handle(run);
    } catch (error) {
      // The strategy could not go on (a replay that cannot follow its decisions, a diverged
      // search): the run ends with that error, never as an uncaught exception of an event handler.
      return this.#fail(error instanceof Error ? error : new Error(String(error)));
    }
    if (actions !== null) this.#apply(run, actions);
  }

  #apply(run: Run, actions: Action[]): void {
    if (run.settled) return;
    const engine = run.engine;
    for (const action of actions) {
      switch (action.kind) {
        case "resume":
          this.#drivers.get(action.thread)!.resume();
          break;
        case "free": {
          const driver = this.#drivers.get(action.thread)!;
          driver.disarm();
          driver.resume();
          break;
        }
        case "release":
          for (const view of engine.threads()) {
            if (view.phase !== "finished") this.#drivers.get(view.name)!.disarm();
          }
          for (const name of action.threads) this.#drivers.get(name)!.resume();
          this.#restartTimer(engine.threads().filter((t) => t.phase !== "finished").map((t) => t.name), "finish");
          break;
        case "complete":
          run.settled = true;
          this.#clearTimer();
          run.settle.resolve();
          return;
        case "fail":
          return this.#fail(action.error);
        case "defer":
          // Every thread is stopped until the engine's chooser answers (`interlace debug`): no timeout meanwhile.
          this.#clearTimer();
          action.actions.then(
            (actions) => this.#apply(run, actions),
            (error: unknown) => this.#fail(error instanceof Error ? error : new Error(String(error))),
          );
          return;
      }
    }
    if (!engine.released) {
      const running = engine.runningThread;
      this.#restartTimer(engine.awaited?.() ?? (running ? [running] : []), "marker");
      if (running !== null && engine.stalled !== undefined) this.#armStall(run, running);
    }
  }

  /**
   * After STALL_MS, probes the running thread: one that answers a pause request runs JavaScript
   * (it makes progress: checked again later); one that does not waits outside it, and the engine
   * may let the others run (the stall rule).
   */
  #armStall(run: Run, thread: string): void {
    this.#stallTimer = clock.setTimeout(() => {
      this.#stallTimer = undefined;
      const driver = this.#drivers.get(thread);
      if (!driver || this.#run !== run || run.settled || run.engine.runningThread !== thread) return;
      void driver.probe(STALL_PROBE_MS).then((probe) => {
        if (this.#run !== run || run.settled || run.engine.runningThread !== thread) return;
        if (!probe.blockedInNative) return this.#armStall(run, thread);
        this.#event((r) => {
          const actions = r.engine.stalled?.(thread) ?? null;
          // Nobody else waits at a decision: nothing changes (and the run's timeout keeps running).
          if (actions === null) this.#armStall(run, thread);
          return actions;
        });
      });
    }, STALL_MS);
  }

  #fail(error: Error): void {
    const run = this.#run;
    if (!run || run.settled) return;
    run.settled = true;
    this.#clearTimer();
    run.settle.reject(error);
  }

  #restartTimer(threads: string[], waitingFor: Waiting): void {
    this.#clearTimer();
    if (threads.length === 0) return;
    this.#timer = clock.setTimeout(() => void this.#timedOut(threads, waitingFor), this.#limit(waitingFor));
  }

  /** Loading (spawning, tsx compiling) gets at least LOAD_FLOOR_MS, whatever the marker timeout. */
  #limit(waitingFor: Waiting): number {
    return waitingFor === "load" ? Math.max(this.#options.timeoutMs, LOAD_FLOOR_MS) : this.#options.timeoutMs;
  }

  #clearTimer(): void {
    if (this.#timer !== undefined) clock.clearTimeout(this.#timer);
    this.#timer = undefined;
    if (this.#stallTimer !== undefined) clock.clearTimeout(this.#stallTimer);
    this.#stallTimer = undefined;
  }

  async #timedOut(timed: string[], waitingFor: Waiting): Promise<void> {
    const run = this.#run;
    if (!run || run.settled) return;
    // Threads paused at their ready point are not the ones holding up the start.
    const threads = waitingFor === "load" || !run.started ? timed.filter((t) => run.notReady.has(t)) : timed;
    const ms = this.#limit(waitingFor);
    const probes = await Promise.all(
      threads.map(async (name) => {
        const driver = this.#drivers.get(name);
        return `  ${name}: ${driver ? describeProbe(await driver.probe(500)) : "not attached yet"}`;
      }),
    );
    const what =
      waitingFor === "load"
        ? `did not finish loading within ${ms} ms`
        : !run.started
          ? `did not come back to its start within ${ms} ms`
          : waitingFor === "marker"
            ? `ran for ${ms} ms without reaching its next marker or finishing`
            : `did not finish within ${ms} ms after the schedule was exhausted`;
    const who = threads.length === 1 ? `Thread "${threads[0]}"` : `Threads ${threads.map((t) => `"${t}"`).join(", ")}`;
    this.#fail(new TimeoutError(
      `${who} ${what}. Where ${threads.length === 1 ? "it is" : "they are"}:\n${probes.join("\n")}\n` +
        "A thread blocked on another (paused) thread cannot progress until that thread is scheduled: " +
        "add a marker before the blocking call, or raise the limit with --timeout <ms> / { timeout }.",
    ));
  }

  async #disposeAll(): Promise<void> {
    const targets = [...this.#targets];
    // Their last step's resource accesses, kept for the run's last drain (as the rings are).
    for (const [thread, target] of targets) this.#disposedIo.push([thread, target.takeIoAccesses?.() ?? { accesses: [], dropped: 0 }]);
    this.#targets.clear();
    this.#drivers.clear();
    await Promise.all(targets.map(([, target]) => target.dispose()));
  }
}


function describeProbe(probe: ProbeResult): string {
  if (probe.blockedInNative) return "blocked inside a synchronous native call (no answer to a pause request)";
  const at = probe.where ? `${probe.where.file}:${probe.where.line}` : "an unknown location";
  const inFunction = probe.functionName ? ` in ${probe.functionName}()` : "";
  // Atomics.wait has no frame of its own: the pause lands on the line that calls it.
  const waiting = probe.where?.text && /\bAtomics\.wait\s*\(/.test(probe.where.text) ? ", waiting in Atomics.wait" : "";
  return `at ${at}${inFunction}${waiting}`;
}
