/**
 * The pure decision core of one exploration run over worker or process threads. Whenever no
 * thread runs (each live one is paused at its start, a marker or — at statement granularity — a
 * statement), the strategy picks which one resumes; it runs until its next stop, its end, or an
 * untimed `Atomics.wait` that blocks it.
 *
 * Blocked threads are tracked without timing anything: the controller tells how many waiters
 * `Atomics.notify` has woken so far; that many blocked threads must report back (paused, blocked
 * again, or finished) before the next decision, so the set of threads to choose from is the same
 * on every replay. When no thread can run and some are blocked, the run is a deadlock.
 *
 * Same controller interface as `ScheduleRun` (ready / start / paused / finished → actions).
 */
import { DeadlockError, DeterminismLostError, RanAfterReturnError, type InterlaceError } from "../errors.js";
import { QUIET_LIMIT_MS } from "../protocol/messages.js";
import type { Action, ThreadPhase, ThreadView, TraceEntry, Where } from "./schedule-run.js";
import { pastMaxSteps, WORLD } from "../strategies/access.js";
import { StepAccounting, type AccessSource } from "./step-accesses.js";
import type { Chooser, ExploreStep } from "./task-explore.js";
import { LockHolders, type WantedLock } from "./lock-holders.js";
import { describeLockWaits, type LockWait } from "./wait-for.js";

export type { WantedLock } from "./lock-holders.js";

interface ThreadState {
  name: string;
  phase: ThreadPhase;
  marker: string | undefined;
  where: Where | undefined;
  /** Decisions that resumed this thread. */
  chosen: number;
  /** What it waits on while blocked, e.g. `Int32Array(8)[1]`. */
  on: string;
  /** Stopped at a lock's gate: the lock it is about to take. */
  wants: WantedLock | undefined;
  /** Blocked by the stall rule (see {@link IsolateExploreRun.stalled}), not in `Atomics.wait`. */
  stalled: boolean;
}

/** How long the running thread may make no progress, while another thread waits at a decision, before the stall rule applies. */
export const STALL_MS = 1_000;

/** Origin of the outside-world write a stall records. */
export const EXTERNAL_WAIT_ORIGIN = "external wait";

/** One exploration run over isolate threads. */
export class IsolateExploreRun {
  readonly #chooser: Chooser;
  /** The access source's names of locations (`AccessSource.rename`). */
  readonly #rename: (location: string) => string;
  readonly #maxSteps: number;
  readonly #threads = new Map<string, ThreadState>();
  readonly #steps: ExploreStep[] = [];
  readonly #accounting: StepAccounting;
  /** Who holds which lock, from the acquires and releases recorded. */
  readonly #holders = new LockHolders();
  #previous: string | null = null;
  #running: string | null = null;
  #started = false;
  #done = false;
  /** A chooser's answer is pending (see {@link Chooser}). */
  #holding = false;
  /** Waiters woken by notify so far, and how many of them have reported back. */
  #woken = 0;
  #reported = 0;

  /**
   * @param chooser - Picks the next thread at each decision.
   * @param threads - Thread names.
   * @param maxSteps - Decisions per thread; a thread chosen that often runs freely from then on.
   * @param accesses - Where the threads' shared accesses are collected, when they are recorded.
   */
  constructor(chooser: Chooser, threads: readonly string[], maxSteps = Number.POSITIVE_INFINITY, accesses: AccessSource | null = null) {
    this.#chooser = chooser;
    this.#rename = accesses?.rename?.bind(accesses) ?? ((location) => location);
    this.#maxSteps = maxSteps;
    this.#accounting = new StepAccounting(accesses, chooser);
    for (const name of threads) this.#threads.set(name, { name, phase: "starting", marker: undefined, where: undefined, chosen: 0, on: "", wants: undefined, stalled: false });
  }

  /** Call once the run is over, however it ended: the last step's accesses and the lock waits reach the strategy. */
  finish(): void {
    const waits = [...this.#threads.values()].flatMap((t) =>
      t.wants !== undefined && t.phase === "at-marker" ? [{ thread: t.name, lock: { op: "acquire" as const, location: t.wants.location, label: t.wants.label } }] : [],
    );
    this.#accounting.finish(waits);
  }

  /** The decisions taken, in order. */
  get steps(): readonly ExploreStep[] {
    return this.#steps;
  }

  /** Exploration has no schedule steps to trace. */
  get trace(): readonly TraceEntry[] {
    return [];
  }

  /** Threads are never released wholesale: every stop stays a decision. */
  get released(): boolean {
    return false;
  }

  get runningThread(): string | null {
    return this.#running;
  }

  /** The running thread; else woken threads not yet back; else threads running freely. */
  awaited(): string[] {
    if (this.#running !== null) return [this.#running];
    const all = [...this.#threads.values()];
    if (this.#woken > this.#reported) return all.filter((t) => t.phase === "blocked" && !t.stalled).map((t) => t.name);
    // Stalled threads still owe their next stop: the run's timeout applies to them.
    return all.filter((t) => t.phase === "free" || t.stalled).map((t) => t.name);
  }

  /**
   * The stall rule: the running thread made no progress for {@link STALL_MS} (it answered no pause
   * request: it waits outside JavaScript, for a reply or a lock interlace does not model — a server
   * another parked thread runs, a session advisory lock), while another thread waits at a decision.
   * It counts as blocked and the others run; it comes back when it stops (or ends). Each stall
   * records a write of the outside world: where the stalled thread's effects land is timing, so
   * the search is never complete. Returns null (nothing changes) when no other thread is stopped.
   */
  stalled(thread: string): Action[] | null {
    const t = this.#get(thread);
    if (t.phase !== "running" || this.#running !== thread) return null;
    const others = [...this.#threads.values()].filter((o) => o !== t && (o.phase === "at-start" || o.phase === "at-marker"));
    if (others.length === 0) return null;
    t.phase = "blocked";
    t.stalled = true;
    t.on = "an external wait";
    this.#running = null;
    this.#accounting.unobserved({
      op: "write",
      location: WORLD,
      origin: EXTERNAL_WAIT_ORIGIN,
      label: `untraced ${EXTERNAL_WAIT_ORIGIN}: ${thread} made no progress for ${STALL_MS} ms while ${others.map((o) => o.name).join(", ")} waited (a reply or lock interlace does not model)`,
      thread,
    });
    return this.#decide();
  }

  /** A thread stops, blocks or ends: if it was blocked, it reports back (stalled ones owe no wake-up). */
  #back(t: ThreadState): void {
    if (t.phase === "blocked" && !t.stalled) this.#reported += 1;
    t.stalled = false;
  }

  threads(): ThreadView[] {
    return [...this.#threads.values()].map(({ name, phase, marker, where }) => ({ name, phase, marker, where }));
  }

  wakes(total: number): void {
    this.#woken = total;
  }

  ready(thread: string, where?: Where): Action[] {
    const t = this.#get(thread);
    t.phase = "at-start";
    t.where = where;
    return this.#started ? this.#decide() : [];
  }

  start(): Action[] {
    this.#started = true;
    return this.#decide();
  }

  /** The thread stopped at a lock's gate, about to take `lock`: it runs on only once the lock is free. */
  lockGate(thread: string, lock: WantedLock, where?: Where): Action[] {
    // Named as the recorded acquires name it (a per-attempt database path as `$state.file`).
    const named = (l: WantedLock): WantedLock => ({ ...l, location: this.#rename(l.location), ...(l.also ? { also: l.also.map(named) } : {}) });
    return this.#stopped(thread, "", where, named(lock));
  }

  paused(thread: string, marker: string, where?: Where): Action[] {
    return this.#stopped(thread, marker, where, undefined);
  }

  #stopped(thread: string, marker: string, where: Where | undefined, wants: WantedLock | undefined): Action[] {
    const t = this.#get(thread);
    if (t.phase === "blocked") this.#back(t);
    else if (t.phase === "finished" || t.phase === "starting") {
      // Not resumed by anyone: code it left behind in this run (or an earlier one) ran on.
      const at = where ? `${where.file}:${where.line}:${where.column + 1}${where.text ? `  ${where.text}` : ""}` : marker ? `marker "${marker}"` : "a statement";
      return [this.#fail(new RanAfterReturnError(thread, at, QUIET_LIMIT_MS))];
    } else if (t.phase !== "running") {
      return [this.#fail(new DeterminismLostError(`Thread "${thread}" paused at ${marker ? `"${marker}"` : "a statement"} while ${t.phase}: another debugger is attached?`))];
    }
    t.phase = "at-marker";
    t.marker = marker;
    t.where = where;
    t.wants = wants;
    if (this.#running === thread) this.#running = null;
    return this.#decide();
  }

  blocked(thread: string, where: Where | undefined, on = ""): Action[] {
    const t = this.#get(thread);
    // Woken, then blocked again before its next stop (a wait in untraced code): reported back.
    if (t.phase === "blocked") this.#back(t);
    // A thread running freely blocks outside the schedule, and one still loading outside the run:
    // their wake-ups are not ours to wait for.
    if (t.phase === "free" || t.phase === "starting") return [];
    t.phase = "blocked";
    t.marker = undefined;
    t.where = where;
    t.on = on;
    if (this.#running === thread) this.#running = null;
    return this.#decide();
  }

  finished(thread: string): Action[] {
    const t = this.#get(thread);
    if (t.phase === "blocked") this.#back(t);
    t.phase = "finished";
    t.marker = undefined;
    if (this.#running === thread) this.#running = null;
    return this.#started ? this.#decide() : [];
  }

  #decide(): Action[] {
    if (this.#done || this.#holding || this.#running !== null || this.#woken > this.#reported) return [];
    const accesses = this.#accounting.settle();
    this.#holders.apply(accesses);
    const all = [...this.#threads.values()];
    const stopped = all.filter((t) => t.phase === "at-start" || t.phase === "at-marker");
    // A thread at the gate of a lock another thread holds (in a conflicting mode) cannot run.
    const waiting = stopped.filter((t) => t.wants === undefined || this.#holders.against(t.name, t.wants) === undefined);
    if (waiting.length === 0) {
      if (all.every((t) => t.phase === "finished")) {
        this.#done = true;
        return [{ kind: "complete" }];
      }
      // A stalled thread may still come back (its reply arrives): not a deadlock yet; the run's timeout applies.
      if (all.some((t) => t.stalled)) return [];
      const blocked = all.filter((t) => t.phase === "blocked");
      const locked = stopped.filter((t) => t.wants !== undefined);
      if (blocked.length + locked.length > 0 && !all.some((t) => t.phase === "free")) return [this.#fail(deadlock(blocked, locked, all, this.#holderOf(locked)))];
      return [];
    }
    const runnable = waiting.map((t) => t.name);
    const chosen = this.#chooser.choose({
      step: this.#steps.length,
      runnable,
      atMarker: waiting.map((t) => t.phase === "at-marker" && t.marker !== ""),
      previous: this.#previous,
      sites: waiting.map((t) => (t.phase === "at-start" ? "start" : t.where === undefined ? `${t.phase} ${t.wants?.location ?? ""}` : `${t.where.file}:${t.where.line}:${t.where.column}`)),
    });
    if (typeof chosen !== "string") {
      // An interactive chooser answers later (`interlace debug`): every thread stays stopped until then.
      this.#holding = true;
      return [{ kind: "defer", actions: chosen.then((name) => {
        this.#holding = false;
        return this.#done ? [] : this.#take(name, waiting, runnable);
      }) }];
    }
    return this.#take(chosen, waiting, runnable);
  }

  #take(chosen: string, waiting: readonly ThreadState[], runnable: readonly string[]): Action[] {
    const t = waiting.find((w) => w.name === chosen);
    if (t === undefined) throw new Error(`the strategy chose "${chosen}", which is not runnable (${runnable.join(", ")})`);
    const step: ExploreStep = {
      task: chosen,
      gate: t.phase === "at-start" ? "start" : t.wants !== undefined ? "acquire" : t.marker ? "marker" : "statement",
      preemption: this.#previous !== null && this.#previous !== chosen && runnable.includes(this.#previous),
    };
    if (t.marker) step.marker = t.marker;
    if (t.wants !== undefined) {
      step.lock = t.wants.label;
      this.#holders.passed(chosen, t.wants);
    }
    if (t.phase === "at-marker" && t.where !== undefined) step.where = t.where;
    this.#steps.push(step);
    this.#accounting.taken(step);
    t.wants = undefined;
    this.#previous = chosen;
    t.marker = undefined;
    t.chosen += 1;
    if (t.chosen >= this.#maxSteps) {
      // Out of steps: it runs on without stops, beside the others; nothing waits for it but its end.
      // What it does from here is neither scheduled nor fully watched.
      this.#accounting.unobserved(pastMaxSteps(chosen, this.#maxSteps));
      t.phase = "free";
      return [{ kind: "free", thread: chosen }, ...this.#decide()];
    }
    t.phase = "running";
    this.#running = chosen;
    return [{ kind: "resume", thread: chosen }];
  }

  /** For the deadlock report: by waiting thread, the lock it waits for and another thread holding it. */
  #holderOf(locked: readonly ThreadState[]): Map<string, { label: string; holder: string }> {
    const out = new Map<string, { label: string; holder: string }>();
    for (const t of locked) {
      const held = t.wants === undefined ? undefined : this.#holders.against(t.name, t.wants);
      if (held !== undefined) out.set(t.name, { label: held.lock.label, holder: held.holder });
    }
    return out;
  }

  #fail(error: InterlaceError): Action {
    this.#done = true;
    return { kind: "fail", error };
  }

  #get(name: string): ThreadState {
    const t = this.#threads.get(name);
    if (!t) throw new Error(`unknown thread ${name}`);
    return t;
  }
}

/**
 * The deadlock report: the threads waiting for a held lock (with the cycle of the wait-for graph,
 * if any), every blocked thread and where it waits, and the threads that already finished.
 */
function deadlock(blocked: readonly ThreadState[], locked: readonly ThreadState[], all: readonly ThreadState[], holders: ReadonlyMap<string, { label: string; holder: string }>): DeadlockError {
  const position = (t: ThreadState): string => (t.where ? `${t.where.file}:${t.where.line}:${t.where.column + 1}` : "(unknown position)");
  const waiting = [...locked, ...blocked].map((t) => ({ thread: t.name, at: position(t) }));
  const waits: LockWait[] = locked.map((t) => {
    const held = holders.get(t.name);
    return { thread: t.name, lock: held?.label ?? t.wants!.label, at: `${position(t)}${t.where?.text ? `  ${t.where.text}` : ""}`, ...(held === undefined ? {} : { holder: held.holder }) };
  });
  const lines = [
    ...describeLockWaits(waits),
    ...blocked.map((t) => `  ${t.name}: waits in Atomics.wait${t.on ? ` on ${t.on}` : ""} at ${position(t)}${t.where?.text ? `  ${t.where.text}` : ""}`),
  ];
  const finished = all.filter((t) => t.phase === "finished").map((t) => t.name);
  const tail = finished.length > 0 ? `\n  finished: ${finished.join(", ")}` : "";
  const what =
    locked.length > 0 ? "every live thread waits for a lock another thread holds"
    : finished.length > 0 ? "no thread can run: every live thread waits for a notify that no running thread can send"
    : "every thread waits for another";
  return new DeadlockError(`Deadlock: ${what}.\n${lines.join("\n")}${tail}`, waiting);
}
