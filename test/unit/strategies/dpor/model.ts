/**
 * A synthetic program model for the DPOR tests: each thread is a list of events, each event the
 * list of shared accesses its step makes. Locks: a thread whose next event acquires a lock held by
 * anyone is not runnable; the acquire happens with the whole event. A run ends when no thread is
 * runnable (all finished, or deadlock); threads left waiting are then reported to
 * `Dpor.observeBlocked`.
 *
 * Also a brute-force oracle: every feasible interleaving, and its Mazurkiewicz trace — written
 * independently of `src/strategies/access.ts`, from the definition: two events of different threads
 * are dependent when they touch one location (or a container and a location within it) and one
 * writes, or operate on one lock.
 */
import type { Access } from "../../../../src/strategies/access.js";
import type { Dpor } from "../../../../src/strategies/dpor.js";

export interface Thread {
  readonly name: string;
  readonly events: readonly (readonly Access[])[];
}

export type Program = readonly Thread[];

/** What the model drives: DPOR, or a strategy that forwards to it (the portfolio). */
export type ObservingStrategy = Pick<Dpor, "beginRun" | "choose" | "observe" | "observeBlocked" | "endRun">;

export const read = (location: string): Access => ({ op: "read", location });
export const write = (location: string): Access => ({ op: "write", location });
export const acquire = (lock: string): Access => ({ op: "acquire", location: lock });
export const release = (lock: string): Access => ({ op: "release", location: lock });
/** A read or write of row `key` of table `table` (a location within the table's). */
export const readRow = (table: string, key: string): Access => ({ op: "read", location: `${table}(${key})`, within: table });
export const writeRow = (table: string, key: string): Access => ({ op: "write", location: `${table}(${key})`, within: table });
/** An effect interlace did not observe (a call into untraced code): a write of the outside world. */
export const world = (): Access => ({ op: "write", location: "*" });

/** Thread names A, B, C…, one per event list. */
export function program(...threads: (readonly (readonly Access[])[])[]): Program {
  return threads.map((events, i) => ({ name: String.fromCharCode(65 + i), events }));
}

/** The state of a run of the model. */
class Machine {
  readonly #program: Program;
  readonly #done: number[];
  readonly #holder = new Map<string, string>();

  constructor(prog: Program) {
    this.#program = prog;
    this.#done = prog.map(() => 0);
  }

  /** Threads that have events left but cannot run, with the event they wait to run. */
  blocked(): Array<[string, readonly Access[]]> {
    return this.#program.flatMap((t, i): Array<[string, readonly Access[]]> => {
      const event = t.events[this.#done[i]!];
      return event !== undefined && !this.#canRun(i) ? [[t.name, event]] : [];
    });
  }

  runnable(): string[] {
    return this.#program.filter((_, i) => this.#canRun(i)).map((t) => t.name);
  }

  /** Runs the next event of `name`; returns its accesses. */
  step(name: string): readonly Access[] {
    const i = this.#program.findIndex((t) => t.name === name);
    if (i === -1 || !this.#canRun(i)) throw new Error(`${name} is not runnable`);
    const event = this.#program[i]!.events[this.#done[i]!]!;
    for (const access of event) {
      if (access.op === "acquire") this.#holder.set(access.location, name);
      if (access.op === "release") this.#holder.delete(access.location);
    }
    this.#done[i]!++;
    return event;
  }

  #canRun(i: number): boolean {
    const event = this.#program[i]!.events[this.#done[i]!];
    return event !== undefined && event.every((a) => a.op !== "acquire" || !this.#holder.has(a.location));
  }
}

/** Options of {@link runOnce} and {@link explore}. */
export interface RunOptions {
  /** Report the threads left waiting at the end of a run to `Dpor.observeBlocked` (default true). */
  reportBlocked?: boolean;
}

/** Runs the model once under `dpor` (run number `run`); the decisions, or null when it has nothing left. */
export function runOnce(dpor: ObservingStrategy, prog: Program, run: number, options: RunOptions = {}): string[] | null {
  if (!dpor.beginRun(run)) return null;
  const machine = new Machine(prog);
  const decisions: string[] = [];
  let previous: string | null = null;
  for (let runnable = machine.runnable(); runnable.length > 0; runnable = machine.runnable()) {
    const chosen = dpor.choose({ step: decisions.length, runnable, atMarker: runnable.map(() => true), previous });
    if (!runnable.includes(chosen)) throw new Error(`chose ${chosen}, not runnable at step ${decisions.length}`);
    dpor.observe(chosen, machine.step(chosen));
    decisions.push(chosen);
    previous = chosen;
  }
  if (options.reportBlocked ?? true) for (const [name, event] of machine.blocked()) dpor.observeBlocked(name, event);
  dpor.endRun(false);
  return decisions;
}

/** Every run until the strategy stops (or `maxRuns`). */
export function explore(dpor: ObservingStrategy, prog: Program, options: RunOptions & { maxRuns?: number } = {}): string[][] {
  const runs: string[][] = [];
  for (let run = 0; run < (options.maxRuns ?? 100_000); run++) {
    const decisions = runOnce(dpor, prog, run, options);
    if (decisions === null) break;
    runs.push(decisions);
  }
  return runs;
}

/** Every maximal feasible interleaving of the model (brute force). */
export function allInterleavings(prog: Program): string[][] {
  const out: string[][] = [];
  const walk = (prefix: string[]): void => {
    const machine = new Machine(prog);
    for (const name of prefix) machine.step(name);
    const runnable = machine.runnable();
    if (runnable.length === 0) out.push(prefix);
    for (const name of runnable) walk([...prefix, name]);
  };
  walk([]);
  return out;
}

/**
 * The Mazurkiewicz trace of an interleaving, as a string: the events run, and the order of every
 * pair of dependent events of different threads. Equal strings ⇔ equivalent interleavings.
 */
export function traceOf(prog: Program, decisions: readonly string[]): string {
  const done = new Map<string, number>();
  const events = decisions.map((name) => {
    const index = done.get(name) ?? 0;
    done.set(name, index + 1);
    return { id: `${name}${index}`, name, accesses: prog.find((t) => t.name === name)!.events[index]! };
  });
  const order: string[] = [];
  events.forEach((a, i) => {
    for (const b of events.slice(i + 1)) if (a.name !== b.name && dependentEvents(a.accesses, b.accesses)) order.push(`${a.id}<${b.id}`);
  });
  return `${[...done].sort().map(([n, c]) => `${n}${c}`).join(",")} | ${order.sort().join(" ")}`;
}

/** Preemptions in a run of the model: switches away from a thread that could have gone on. */
export function preemptions(prog: Program, decisions: readonly string[]): number {
  const machine = new Machine(prog);
  let count = 0;
  decisions.forEach((name, i) => {
    const previous = decisions[i - 1];
    if (previous !== undefined && previous !== name && machine.runnable().includes(previous)) count++;
    machine.step(name);
  });
  return count;
}

/** The distinct traces of all interleavings (brute force). */
export function allTraces(prog: Program): Set<string> {
  return new Set(allInterleavings(prog).map((d) => traceOf(prog, d)));
}

/**
 * Two events are dependent when they operate on one lock, or touch one location and one writes;
 * `world` (location "*", an effect nobody observed) writes every location.
 */
function dependentEvents(a: readonly Access[], b: readonly Access[]): boolean {
  const lock = (x: Access): boolean => x.op === "acquire" || x.op === "release";
  // A container (a table) overlaps what is within it (its rows); two rows of one table do not overlap.
  const overlap = (x: Access, y: Access): boolean =>
    x.location === y.location || x.location === "*" || y.location === "*" || x.within === y.location || y.within === x.location;
  return a.some((x) => b.some((y) => (lock(x) && lock(y) ? x.location === y.location : !lock(x) && !lock(y) && overlap(x, y) && (x.op === "write" || y.op === "write"))));
}
