/**
 * Runs one schedule over launched thread isolates: the only bridge between cdp/ and engine/.
 * Launch every isolate, wait until each is paused at its ready point with markers armed, check
 * the schedule against the markers actually loaded, then feed pauses and completions to the
 * engine and carry out its actions. Whatever happens, every isolate is disposed before returning.
 */
import {
  ExportNotFoundError,
  InspectorError,
  InterlaceError,
  ModuleLoadError,
  TargetExitedError,
  ThreadError,
  TimeoutError,
  UnknownMarkerError,
} from "../errors.js";
import type { Schedule } from "../engine/schedule.js";
import { ScheduleRun, type Action, type ThreadView, type TraceEntry, type Where } from "../engine/schedule-run.js";
import { MarkerResolver, TraceFilter, interlaceOwnRoots } from "../markers/index.js";
import type { RunnerEvent, ThreadLaunch } from "../protocol/messages.js";
import { clock } from "./clock.js";
import type { OutputSink } from "./output.js";
import { ProcessTarget, type ProcessOptions } from "./process-target.js";
import { ThreadDriver, displayPath, type ProbeResult } from "./thread-driver.js";
import type { TargetExit, TargetListener, ThreadTarget } from "./thread-target.js";
import { WorkerTarget } from "./worker-target.js";

const LOAD_FLOOR_MS = 30_000;

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
  threads(): ThreadView[];
  readonly released: boolean;
  readonly runningThread: string | null;
  readonly trace: readonly TraceEntry[];
}

export interface ControllerOptions {
  /** Longest time a thread may run without reaching a marker or finishing. */
  timeoutMs: number;
  output: OutputSink;
  tracePackages: readonly string[];
  /** Decides instead of the schedule (exploration); the schedule is then not checked against markers. */
  engine?: IsolateEngine;
}

/** What a completed schedule run reports. */
export interface ScheduleOutcome {
  trace: TraceEntry[];
  warnings: string[];
  /** Launch to every thread paused at its ready point. */
  startupMs: number;
  /** First scheduling decision to the last thread finished. */
  scheduleMs: number;
}

/** Runs `schedule` over `threads`, which receive `state`. Rejects with an `InterlaceError`. */
export async function runSchedule(threads: readonly PreparedThread[], state: unknown, schedule: Schedule, options: ControllerOptions): Promise<ScheduleOutcome> {
  return new ScheduleController(threads, state, schedule, options).run();
}

class ScheduleController {
  readonly #threads: readonly PreparedThread[];
  readonly #state: unknown;
  readonly #schedule: Schedule;
  readonly #options: ControllerOptions;
  readonly #filter: TraceFilter;
  readonly #resolver: MarkerResolver;
  readonly #targets = new Map<string, ThreadTarget>();
  readonly #drivers = new Map<string, ThreadDriver>();
  readonly #engine: IsolateEngine;
  #settle!: { resolve: () => void; reject: (error: Error) => void };
  readonly #outcome: Promise<void>;
  #settled = false;
  readonly #notReady: Set<string>;
  /** Threads whose runtime reported the end of their function (or that it never loaded). */
  readonly #ended = new Set<string>();
  #allReady!: () => void;
  #timer: ReturnType<typeof setTimeout> | undefined;
  #started = false;

  constructor(threads: readonly PreparedThread[], state: unknown, schedule: Schedule, options: ControllerOptions) {
    this.#threads = threads;
    this.#state = state;
    this.#schedule = schedule;
    this.#options = options;
    this.#filter = new TraceFilter({ tracePackages: options.tracePackages, excludeRoots: interlaceOwnRoots() });
    this.#resolver = new MarkerResolver(this.#filter);
    this.#engine = options.engine ?? new ScheduleRun(schedule, threads.map((t) => t.launch.thread));
    this.#notReady = new Set(threads.map((t) => t.launch.thread));
    this.#outcome = new Promise<void>((resolve, reject) => (this.#settle = { resolve, reject }));
    this.#outcome.catch(() => {});
  }

  async run(): Promise<ScheduleOutcome> {
    const t0 = clock.now();
    try {
      const allReady = new Promise<void>((resolve) => (this.#allReady = resolve));
      this.#restartTimer(this.#threads.map((t) => t.launch.thread), "load");
      await Promise.race([this.#launchAll(), this.#outcome]);
      await Promise.race([allReady, this.#outcome]);
      this.#checkMarkers();
      const t1 = clock.now();
      this.#started = true;
      for (const t of this.#threads) this.#engine.ready(t.launch.thread);
      this.#apply(this.#engine.start());
      await this.#outcome;
      return {
        trace: [...this.#engine.trace],
        warnings: [...new Set([...this.#drivers.values()].flatMap((d) => d.warnings))],
        startupMs: t1 - t0,
        scheduleMs: clock.now() - t1,
      };
    } finally {
      this.#settled = true;
      this.#clearTimer();
      await this.#disposeAll();
    }
  }

  async #launchAll(): Promise<void> {
    await Promise.all(
      this.#threads.map((t) =>
        this.#launch(t).catch((error: unknown) => {
          this.#fail(error instanceof InterlaceError ? error : new InspectorError(`Cannot start thread "${t.launch.thread}": ${String(error)}`, { cause: error }));
        }),
      ),
    );
  }

  async #launch(thread: PreparedThread): Promise<void> {
    const name = thread.launch.thread;
    const listener: TargetListener = {
      runner: (event) => this.#onRunner(thread, event),
      exit: (exit) => this.#onExit(name, exit),
    };
    const target =
      thread.kind === "worker"
        ? await WorkerTarget.launch(thread.launch, this.#state, listener, this.#options.output)
        : ProcessTarget.launch(thread.launch, this.#state, listener, this.#options.output, thread.processOptions);
    this.#targets.set(name, target);
    if (this.#settled) return;
    const driver = new ThreadDriver(target, this.#resolver, this.#filter, {
      ready: () => {
        this.#notReady.delete(name);
        if (this.#notReady.size === 0) this.#allReady();
      },
      marker: (marker, where) => this.#apply(this.#engine.paused(name, marker.name, where)),
      failed: (error) => this.#fail(error),
    });
    this.#drivers.set(name, driver);
    await driver.start();
  }

  #checkMarkers(): void {
    if (this.#options.engine) return;
    for (const step of this.#schedule.steps) {
      const driver = this.#drivers.get(step.thread)!;
      if (!driver.markerNames.has(step.marker)) {
        throw new UnknownMarkerError(step.thread, step.marker, [...driver.markerNames].sort(), "The schedule");
      }
    }
  }

  #onRunner(thread: PreparedThread, event: RunnerEvent): void {
    const name = thread.launch.thread;
    this.#ended.add(name);
    const modulePath = displayPath(thread.launch.moduleUrl);
    switch (event.type) {
      case "load-failed":
        return this.#fail(new ModuleLoadError(name, modulePath, event.detail));
      case "export-missing":
        return this.#fail(new ExportNotFoundError(name, modulePath, thread.launch.exportName, event.available));
      case "threw":
        return this.#fail(new ThreadError(name, event.stack));
      case "returned":
        if (this.#started && !this.#settled) this.#apply(this.#engine.finished(name));
        return;
    }
  }

  #onExit(thread: string, exit: TargetExit): void {
    const detail = exit.stack ? `${exit.detail}\n${exit.stack}` : exit.detail;
    this.#fail(new TargetExitedError(thread, detail));
  }

  #apply(actions: Action[]): void {
    if (this.#settled) return;
    for (const action of actions) {
      switch (action.kind) {
        case "resume":
          this.#drivers.get(action.thread)!.resume();
          break;
        case "release":
          for (const view of this.#engine.threads()) {
            if (view.phase !== "finished") this.#drivers.get(view.name)!.disarm();
          }
          for (const name of action.threads) this.#drivers.get(name)!.resume();
          this.#restartTimer(this.#engine.threads().filter((t) => t.phase !== "finished").map((t) => t.name), "finish");
          break;
        case "complete":
          this.#settled = true;
          this.#clearTimer();
          this.#settle.resolve();
          return;
        case "fail":
          return this.#fail(action.error);
      }
    }
    if (!this.#engine.released) {
      const running = this.#engine.runningThread;
      this.#restartTimer(running ? [running] : [], "marker");
    }
  }

  #fail(error: Error): void {
    if (this.#settled) return;
    this.#settled = true;
    this.#clearTimer();
    this.#settle.reject(error);
  }

  #restartTimer(threads: string[], waitingFor: "load" | "marker" | "finish"): void {
    this.#clearTimer();
    if (threads.length === 0) return;
    this.#timer = clock.setTimeout(() => void this.#timedOut(threads, waitingFor), this.#limit(waitingFor));
  }

  /** Loading (spawning, tsx compiling) gets at least LOAD_FLOOR_MS, whatever the marker timeout. */
  #limit(waitingFor: "load" | "marker" | "finish"): number {
    return waitingFor === "load" ? Math.max(this.#options.timeoutMs, LOAD_FLOOR_MS) : this.#options.timeoutMs;
  }

  #clearTimer(): void {
    if (this.#timer !== undefined) clock.clearTimeout(this.#timer);
    this.#timer = undefined;
  }

  async #timedOut(timed: string[], waitingFor: "load" | "marker" | "finish"): Promise<void> {
    if (this.#settled) return;
    // Threads paused at their ready point are not the ones holding up the start.
    const threads = waitingFor === "load" ? timed.filter((t) => this.#notReady.has(t)) : timed;
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
    await Promise.all(
      [...this.#targets].map(([name, target]) => {
        const started = this.#drivers.get(name)?.started ?? false;
        return target.dispose({ idle: !started || this.#ended.has(name) });
      }),
    );
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
