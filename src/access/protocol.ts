/**
 * The contract between access-instrumented code and the runtime it calls: the registry key the
 * preamble binds `__ila` from, and the runtime's one-letter helpers (see `transform.ts` for the
 * forms that call them and `runtime.ts` for what they do). Neither side imports the other.
 *
 * @module
 */
import type { Access } from "../strategies/access.js";

/** Registry key of the shared runtime (versioned: an incompatible runtime takes a new key). */
export const ACCESS_KEY = "interlace.access.v1";

/** Receives every access instrumented code makes while it is set. */
export type AccessSink = (access: Access) => void;

/** What the native operation after a receiver-returning helper (`x`, `p`) does to the property. */
export const AccessMode = { Read: 1, Write: 2, ReadWrite: 3 } as const;
export type AccessMode = (typeof AccessMode)[keyof typeof AccessMode];

/** Compound operators `w` applies (`"="` is the assignment of a logical assignment). */
export type CompoundOperator =
  | "=" | "+" | "-" | "*" | "/" | "%" | "**" | "<<" | ">>" | ">>>" | "&" | "|" | "^";

/**
 * Watches the calls traced code makes that schedule a callback (`setImmediate(cb)`, `p.then(cb)`,
 * `emitter.on(e, cb)`), for the task scheduler (`tasks/callbacks.ts`), which makes each callback a
 * scheduling point. Each method returns the function to call instead, with the same `this` and
 * arguments, or `undefined` to call the original.
 */
export interface CallHook {
  /** A plain call `f(…)`. */
  plain(f: Function): Function | undefined;
  /** A method call `o[key](…)` of `method`, found on `o`; the stand-in calls `method` on `o`. */
  method(method: Function, o: object, key: PropertyKey): ((...args: unknown[]) => unknown) | undefined;
}

/** The property a compound or logical assignment read, waiting for its right-hand side. */
export interface PendingAssignment {
  /** The value read. */
  readonly v: unknown;
  /** Combines the value read with `rhs`, writes the result back and returns it. */
  w(op: CompoundOperator, rhs: unknown): unknown;
}

/** The value of an optional chain so far (`h(head)` starts one). */
export interface ChainValue {
  readonly v: unknown;
  /** `null` when the value is nullish (the next `?.` short-circuits), else this. */
  n(): ChainValue | null;
  /** Member link: reads property `k` of the value. */
  g(k: unknown): ChainValue;
  /** Call link: calls the value, with the object of the previous member link as `this`. */
  c(...args: unknown[]): ChainValue;
  /**
   * `delete` of a last member link, in strict (`d`) or sloppy (`D`) code, negated: `delete o?.p`
   * is `!h(o).n()?.d("p")`, which a short-circuit makes `!undefined`, the `true` of `delete`.
   */
  d(k: unknown): boolean;
  D(k: unknown): boolean;
}

/**
 * The object instrumented code calls (`__ila`). Names are one letter to keep instrumented lines
 * short; upper-case variants are for sloppy-mode code, where a failed assignment or `delete`
 * returns quietly instead of throwing. `o` is the object expression's value, `k` the property
 * key's (before conversion: helpers convert it as the native operation would, once per read and
 * once per write, like V8).
 */
export interface AccessRuntime {
  /** `o[k]`. */
  g(o: unknown, k: unknown): unknown;
  /** `o[k] = v`. */
  s(o: unknown, k: unknown, v: unknown): unknown;
  S(o: unknown, k: unknown, v: unknown): unknown;
  /** Reads `o[k]` for a compound assignment: `o[k] += v` is `c(o, k).w("+", v)`. */
  c(o: unknown, k: unknown): PendingAssignment;
  C(o: unknown, k: unknown): PendingAssignment;
  /**
   * Reads `o[k]` for a logical assignment and returns whether it short-circuits; the read is then
   * taken back with `y()`: `o[k] ||= v` is `l(o, k, "||") ? y().v : y().w("=", v)`. Nothing
   * runs between `l` and `y` (a conditional's test and the start of its branch), so one slot holds it.
   */
  l(o: unknown, k: unknown, op: "||" | "&&" | "??"): boolean;
  L(o: unknown, k: unknown, op: "||" | "&&" | "??"): boolean;
  y(): PendingAssignment;
  /** `o[k]++` (`prefix` 0), `++o[k]` (1), and the same with `"--"`. */
  u(o: unknown, k: unknown, op: "++" | "--", prefix: 0 | 1): unknown;
  U(o: unknown, k: unknown, op: "++" | "--", prefix: 0 | 1): unknown;
  /** `delete o[k]`. */
  d(o: unknown, k: unknown): boolean;
  D(o: unknown, k: unknown): boolean;
  /**
   * Method lookup of `o.m(…)`, which stays native: `M(o, "m").m(…)`, `M(o, k)[K()](…)`. Returns
   * `o`, or for a tracked collection method a stand-in whose method records the call's effect and
   * calls the real one with `this === o`.
   */
  M(o: unknown, k: unknown): unknown;
  /** The key the last `M` or `x` call converted (read right after it, in the same expression). */
  K(): unknown;
  /** Records a native public access that follows (`x(o, "p", 2).p = v` in a pattern); returns `o`. */
  x(o: unknown, k: unknown, mode: AccessMode): unknown;
  /** Records a native private-field access that follows (`p(o, "#f", 1).#f`); returns `o`. */
  p(o: unknown, name: string, mode: AccessMode): unknown;
  /** Records the write of private field `name` of `o` once its new value `v` is known; returns `v`. */
  q(v: unknown, o: unknown, name: string): unknown;
  /** Records the reads of a destructuring pattern's static keys: `const { a } = r(o, "a")`. Returns `o`. */
  r(o: unknown, ...keys: string[]): unknown;
  /** Records the reads of iterating `o` (`for…of`, spread, array patterns); returns `o`. */
  i(o: unknown): unknown;
  /** `k in o`, recorded as a read of `o[k]`. */
  I(k: unknown, o: unknown): boolean;
  /** Starts an optional chain: `o?.p` is `h(o).n()?.g("p").v`. */
  h(v: unknown): ChainValue;
  /**
   * A plain call's callee, before the call: `f(a)` is `k(f)(a)`. Returns the function to call (`f`
   * itself, or a stand-in calling it, same `this`), after recording, while a sink is set, an
   * effect outside traced code when `f` runs such code (see `callees.ts`).
   */
  k(f: unknown): unknown;
  /** The same for `new C(a)`: `new (n(C))(a)`. */
  n(f: unknown): unknown;
  /** A read of shared variable `slot` of file `file` (`x` → `v(x, __ilaF, slot)`); returns `value`. */
  v(value: unknown, file: number, slot: number): unknown;
  /** A write of `value` to shared variable `slot` (`x = e` → `w(x = e, __ilaF, slot)`); returns `value`. */
  w(value: unknown, file: number, slot: number): unknown;
  /** The read of a compound assignment, before its right-hand side: `x += (R(__ilaF, slot), e)`. */
  R(file: number, slot: number): void;
  /** Accesses of shared variable `slot` (`mode`) recorded with no value (`x++`, patterns, `for` heads); returns `value`. */
  V(file: number, slot: number, mode: AccessMode, value?: unknown): unknown;
  /**
   * Registers a file whose code was access-instrumented (its preamble calls it once) with the names
   * of its shared variables, by slot; returns the file's index (`__ilaF`).
   */
  f(url: string, variables?: readonly string[]): number;
  /** `file:` URLs of the files registered with `f`, in load order. */
  readonly files: ReadonlySet<string>;
  /** Installs or removes the call hook (see {@link CallHook}). */
  setCallHook(hook: CallHook | null): void;
  /** Installs or removes the sink: while one is set, every access is reported to it. */
  setSink(sink: AccessSink | null): void;
  /** Restarts the numbering of objects and symbols (the policy's `reset`), the objects reachable from `state` first. */
  resetIds(state?: unknown): void;
}
