/**
 * The gate object: the only thing instrumented code talks to.
 *
 * Instrumented files start with {@link gatesPreamble}, which binds `__il` to one object shared
 * through the global symbol registry (every copy of interlace, ESM and CJS, vitest's module runner
 * and Node's loader alike). The object is tiny and dependency-free so that the preamble can create
 * it inline when it is absent: instrumented code never imports anything. While no task run is
 * active (`run === null`) every gate is a pass-through: `a(x)` returns `x` itself, so `await` keeps
 * its exact semantics and code outside a run pays one property read per await.
 *
 * The instrumented forms (see `transform.ts`):
 * - `await X` → `await __il.a(X, __ilF, i)` (under `interlace debug`, `__il.a(X, __ilF, i, peek)`);
 * - `for await (… of X)` → `for await (… of __il.i(X, __ilF, i))`;
 * - a marker gating statement S in an async function → `__il.run !== null && await __il.m(__ilF, i); S`;
 * - the file registers its gate table once: `var __ilF = __il.f(url, table)`.
 *
 * @module
 */

/** Kinds of gate sites in a file's table. */
export const GateKind = {
  /** An `await` expression. */
  Await: 0,
  /** A marker comment gating the next statement. */
  Marker: 1,
  /** A `for await` loop: one gate per iteration. */
  ForAwait: 2,
  /** A literal `point("name")` call (registered for validation; the call parks by itself). */
  Point: 3,
} as const;
export type GateKind = (typeof GateKind)[keyof typeof GateKind];

/** One gate site: `[line (1-based, original), column (0-based, original), kind, marker name]`. */
export type GateSite = readonly [line: number, column: number, kind: GateKind, name?: string];

/** A file registered by instrumented code. */
export interface GateFile {
  /** `file:` URL of the original source. */
  readonly url: string;
  readonly sites: readonly GateSite[];
}

/** What an active run implements; installed as `gates.run` for its duration. */
export interface GateRun {
  /**
   * Called for `await X` in instrumented code; returns what the `await` should wait for. `peek`:
   * code instrumented for `interlace debug` passes a closure of the awaiting frame (`PEEK_CLOSURE`).
   */
  a(value: unknown, file: number, site: number, peek?: () => void): unknown;
  /** Called for a marker gate; returns a promise to await, or `undefined` when the caller is not a task. */
  m(file: number, site: number, peek?: () => void): Promise<void> | undefined;
  /** Wraps the iterable of a `for await` loop. */
  i(iterable: unknown, file: number, site: number): unknown;
  /** Called by `point(name)`; returns a promise to await, or `undefined` when the caller is not a task. */
  p(name: string, where: string | undefined): Promise<void> | undefined;
  /**
   * Called by the task `Mutex` before it takes `lock`; returns a promise to await first (the
   * scheduler opens it when the lock is free), or `undefined` to go ahead.
   */
  l?(lock: SchedulableLock, where: string | undefined): Promise<void> | undefined;
  /** Called by the task `Mutex` once it took (`acquire`) or gave back (`release`) `lock`. */
  r?(op: "acquire" | "release", lock: SchedulableLock): void;
}

/** The brand of {@link SchedulableLock}s (a registered symbol: every copy of interlace shares it). */
export const SCHEDULABLE_LOCK: unique symbol = Symbol.for("interlace.schedulable-lock.v1") as never;

/** A lock the task scheduler knows about (the task `Mutex` of `interlace/sync`). */
export interface SchedulableLock {
  /** Whether it is held now. */
  readonly isLocked: boolean;
  /** Its name for reports, if it was given one. */
  readonly name: string | undefined;
}

/** The shared gate object. */
export interface Gates {
  /** The active run, or `null`. */
  run: GateRun | null;
  /** Every instrumented file loaded so far, indexed by the number `f()` returned. */
  readonly files: GateFile[];
  a(value: unknown, file: number, site: number, peek?: () => void): unknown;
  m(file: number, site: number, peek?: () => void): Promise<void> | undefined;
  i(iterable: unknown, file: number, site: number): unknown;
  /** Registers a file's gate table; returns its index. */
  f(url: string, sites: readonly GateSite[]): number;
}

/** Registry key of the gate object (versioned: a future incompatible object takes a new key). */
export const GATES_KEY = "interlace.gates.v1";

/** The gate object's definition as JavaScript source (the preamble inlines it). */
const GATES_OBJECT_SOURCE =
  "{run:null,files:[]," +
  "a(x,f,i,k){return this.run===null?x:this.run.a(x,f,i,k)}," +
  "m(f,i,k){return this.run===null?void 0:this.run.m(f,i,k)}," +
  "i(x,f,i){return this.run===null?x:this.run.i(x,f,i)}," +
  "f(u,s){return this.files.push({url:u,sites:s})-1}}";

/**
 * Source text put at the start of an instrumented file (on the same line as the file's first
 * code, so line numbers do not move). It binds `__il` (the gate object) and `__ilF` (this file's
 * index).
 *
 * @param url - `file:` URL of the original source.
 * @param sites - The file's gate table; `sites[i]` describes the gate called with index `i`.
 * @param global - An expression for the global object the file does not shadow (`globalObjectIn`).
 */
export function gatesPreamble(url: string, sites: readonly GateSite[], global = "globalThis"): string {
  return (
    `var __il=(${global}[${global}.Symbol.for(${JSON.stringify(GATES_KEY)})]??=${GATES_OBJECT_SOURCE});` +
    `var __ilF=__il.f(${JSON.stringify(url)},${JSON.stringify(sites)});`
  );
}

/** The shared gate object, created (with the same definition as the preamble's) if absent. */
export function getGates(): Gates {
  const registry = globalThis as unknown as Record<symbol, Gates | undefined>;
  const key = Symbol.for(GATES_KEY);
  let gates = registry[key];
  if (gates === undefined) {
    gates = {
      run: null,
      files: [],
      a(x, f, i, k) {
        return this.run === null ? x : this.run.a(x, f, i, k);
      },
      m(f, i, k) {
        return this.run === null ? undefined : this.run.m(f, i, k);
      },
      i(x, f, i) {
        return this.run === null ? x : this.run.i(x, f, i);
      },
      f(u, s) {
        return this.files.push({ url: u, sites: s }) - 1;
      },
    };
    registry[key] = gates;
  }
  return gates;
}
