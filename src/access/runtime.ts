/**
 * The access runtime: the object access-instrumented code calls (`__ila`, see `protocol.ts`).
 *
 * Each helper performs the original operation itself (or returns the receiver so that the
 * operation stays native) and, while a sink is set, reports the shared accesses it makes as
 * `Access` values, placed by the runtime's {@link AccessPolicy}, at the moment the operation
 * happens, so that an access lands in the scheduling step that made it. Reads are reported once
 * they returned, with the value read; writes before they happen, with the value written. With no
 * sink, a helper costs one null check on top of the operation.
 *
 * One runtime serves an isolate, from the global symbol registry: the first installed
 * ({@link installAccessRuntime}) wins, and instrumented code of every copy of interlace (ESM, CJS,
 * vitest's module runner) finds it there. Task threads install the task policy
 * ({@link installAccessRecorder}, which importing `recorder.ts` calls). This module has no side effect.
 *
 * @module
 */
import { Chain, Pending, type Operations } from "./chain-value.js";
import { tracksCall } from "./collections.js";
import { Callees } from "./callees.js";
import { Drivers, recordCall, type DriverOp } from "../io/drivers/index.js";
import { lockWaitsActive } from "../io/drivers/locks.js";
import { apply, isObject, methodOf, sloppyDelete, sloppySet, toKey, type Bag } from "./intrinsics.js";
import type { AccessPolicy, VariableFile } from "./policy.js";
import type { Access } from "../strategies/access.js";
import { ACCESS_KEY, AccessMode, type AccessRuntime, type AccessSink, type CallHook, type ChainValue, type PendingAssignment } from "./protocol.js";
import { createTaskPolicy } from "./task-policy.js";
import { Tracker } from "./tracker.js";
import { UNKNOWN } from "./values.js";

/**
 * Creates a runtime whose accesses are placed by `policy` (not installed: see
 * {@link installAccessRuntime}).
 */
export function createAccessRuntime(policy: AccessPolicy): AccessRuntime {
  return new Runtime(policy);
}

/**
 * Installs `runtime` as this isolate's access runtime unless one is installed already.
 *
 * @returns The installed runtime: `runtime`, or the one installed before it.
 */
export function installAccessRuntime(runtime: AccessRuntime): AccessRuntime {
  const registry = globalThis as unknown as Record<symbol, AccessRuntime | undefined>;
  return (registry[Symbol.for(ACCESS_KEY)] ??= runtime);
}

/**
 * Installs a runtime placing accesses by `policy` (default: the task policy) unless the isolate
 * has one already.
 *
 * @returns The isolate's runtime, which is the one just created only if none was installed before.
 */
export function installAccessRecorder(policy?: AccessPolicy): AccessRuntime {
  return installedAccessRuntime() ?? installAccessRuntime(createAccessRuntime(policy ?? createTaskPolicy()));
}

/** This isolate's access runtime, or undefined when none is installed. */
export function installedAccessRuntime(): AccessRuntime | undefined {
  return (globalThis as unknown as Record<symbol, AccessRuntime | undefined>)[Symbol.for(ACCESS_KEY)];
}

/**
 * `file:` URLs of the files loaded so far whose code was access-instrumented, in load order; empty
 * when no runtime is installed (then no code was). Installs nothing: import it from here, not from
 * `recorder.ts`, to ask without installing a runtime.
 */
export function accessInstrumentedFiles(): ReadonlySet<string> {
  return installedAccessRuntime()?.files ?? new Set();
}

/** The runtime. Methods use `this`: instrumented code always calls them on `__ila`. */
class Runtime implements AccessRuntime, Operations {
  readonly #policy: AccessPolicy;
  readonly #files = new Set<string>();
  /** Shared-variable names by file index and slot (the preambles' tables). */
  readonly #variables: Array<readonly string[]> = [];
  /** The URL of each file index. */
  readonly #urls: string[] = [];
  readonly #callees: Callees;
  /**
   * Task threads: the calls that are operations on external resources (SQL drivers, files,
   * connections), recorded as resource accesses instead of untraced effects (`io/drivers/`).
   */
  readonly #drivers: Drivers | null;
  /** The sink, for the drivers' accesses. */
  #sink: AccessSink | null = null;
  /** Set while the drivers record (a driver's own calls record nothing). */
  #inDriver = false;
  /** Set while a sink is: the one null check of every helper. */
  #tracker: Tracker | null = null;
  /** Set while a task run watches the calls that schedule callbacks (see {@link CallHook}). */
  #hook: CallHook | null = null;
  /** The key of the last `M`/`x`, for `K()`. */
  #key: unknown = undefined;
  /** The read of the last `l`/`L`, for `y()`. */
  #pending: Pending | null = null;

  constructor(policy: AccessPolicy) {
    this.#policy = policy;
    this.#callees = new Callees(() => this.#files, policy.locateFunctions === true);
    this.#drivers =
      policy.locateFunctions === true
        ? new Drivers({ identity: (o) => policy.locate(o, "all", undefined)?.location.replace(/\[\*\]$/, "") ?? "?" })
        : null;
  }

  get files(): ReadonlySet<string> {
    return this.#files;
  }

  f(url: string, variables: readonly string[] = []): number {
    this.#files.add(url);
    this.#urls.push(url);
    return this.#variables.push(variables) - 1;
  }

  k(f: unknown): unknown {
    if (this.#tracker !== null) {
      const op = this.#driver(f, undefined);
      if (op !== null) {
        const fn = (this.#hook === null ? undefined : this.#hook.plain(f as Function)) ?? (f as Function);
        return this.#driverStandIn(op, undefined, (args) => apply(fn as (...a: unknown[]) => unknown, undefined, args));
      }
      this.#call(f, undefined);
    }
    return this.#hook === null || typeof f !== "function" ? f : this.#hook.plain(f) ?? f;
  }

  n(f: unknown): unknown {
    if (this.#tracker !== null) this.#call(f, undefined);
    return f;
  }

  v(value: unknown, file: number, slot: number): unknown {
    this.#tracker?.variable("read", this.#fileOf(file), slot, value);
    return value;
  }

  w(value: unknown, file: number, slot: number): unknown {
    this.#tracker?.variable("write", this.#fileOf(file), slot, value);
    return value;
  }

  R(file: number, slot: number): void {
    this.#tracker?.variable("read", this.#fileOf(file), slot, UNKNOWN);
  }

  V(file: number, slot: number, mode: AccessMode, value?: unknown): unknown {
    const tracker = this.#tracker;
    if (tracker !== null) {
      const at = this.#fileOf(file);
      if (mode !== AccessMode.Write) tracker.variable("read", at, slot, UNKNOWN);
      if (mode !== AccessMode.Read) tracker.variable("write", at, slot, UNKNOWN);
    }
    return value;
  }

  /** A file's index, URL and shared-variable names, for the policy. */
  #fileOf(file: number): VariableFile {
    return { index: file, url: this.#urls[file] ?? "", names: this.#variables[file] ?? [] };
  }

  setCallHook(hook: CallHook | null): void {
    this.#hook = hook;
  }

  setSink(sink: AccessSink | null): void {
    this.#tracker = sink === null ? null : new Tracker(sink, this.#policy);
    this.#sink = sink;
    this.#drivers?.reset();
  }

  resetIds(state?: unknown): void {
    this.#policy.reset?.(state);
    this.#drivers?.name(state);
  }

  g(o: unknown, k: unknown): unknown {
    return this.#tracker === null ? (o as Bag)[k as PropertyKey] : this.#recordedGet(o, k);
  }

  s(o: unknown, k: unknown, v: unknown): unknown {
    if (this.#tracker === null) (o as Bag)[k as PropertyKey] = v;
    else this.#recordedPut(o, k, v, true);
    return v;
  }

  S(o: unknown, k: unknown, v: unknown): unknown {
    this.put(o, k, v, false);
    return v;
  }

  c(o: unknown, k: unknown): PendingAssignment {
    return this.#begin(o, k, true);
  }

  C(o: unknown, k: unknown): PendingAssignment {
    return this.#begin(o, k, false);
  }

  l(o: unknown, k: unknown, op: "||" | "&&" | "??"): boolean {
    return this.#logical(o, k, op, true);
  }

  L(o: unknown, k: unknown, op: "||" | "&&" | "??"): boolean {
    return this.#logical(o, k, op, false);
  }

  y(): PendingAssignment {
    const pending = this.#pending;
    this.#pending = null;
    if (pending === null) throw new Error("interlace: y() without a logical assignment");
    return pending;
  }

  u(o: unknown, k: unknown, op: "++" | "--", prefix: 0 | 1): unknown {
    return this.#update(o, k, op, prefix, true);
  }

  U(o: unknown, k: unknown, op: "++" | "--", prefix: 0 | 1): unknown {
    return this.#update(o, k, op, prefix, false);
  }

  d(o: unknown, k: unknown): boolean {
    return this.remove(o, k, true);
  }

  D(o: unknown, k: unknown): boolean {
    return this.remove(o, k, false);
  }

  M(o: unknown, k: unknown): unknown {
    const tracker = this.#tracker;
    if ((tracker === null && this.#hook === null) || !isObject(o)) {
      this.#key = k;
      return o;
    }
    if (tracker === null) return this.#hooked(o, k);
    const key = toKey(k);
    tracker.read(o, key, UNKNOWN);
    if (!tracksCall(o, key)) {
      const method = methodOf(o, key);
      const probe = ownershipProbe(method, o);
      this.#key = key;
      if (probe === null) {
        const op = this.#driver(method, o);
        if (op !== null) {
          const hooked = this.#hook === null ? undefined : this.#hook.method(method as Function, o, key);
          const run = hooked ?? ((...args: unknown[]) => apply(method as (...a: unknown[]) => unknown, o, args));
          return { [key]: this.#driverStandIn(op, o, (args) => run(...args)) };
        }
        this.#call(method, o);
        const hooked = this.#hook === null || typeof method !== "function" ? undefined : this.#hook.method(method, o, key);
        return hooked === undefined ? o : { [key]: hooked };
      }
      // `o.hasOwnProperty(k)`, `Object.hasOwn(o, k)`, `hasOwnProperty.call(o, k)`: a read of `o[k]`.
      return {
        [key]: (...args: unknown[]): unknown => {
          const [target, property] = probe(args);
          if (isObject(target) && (typeof property === "string" || typeof property === "number" || typeof property === "symbol")) {
            tracker.read(target, toKey(property), UNKNOWN);
          }
          return apply(method as (...a: unknown[]) => unknown, o, args);
        },
      };
    }
    // A stand-in with the method looked up once: the call records its effect, then runs on `o`.
    const method = (o as Bag)[key];
    this.#key = key; // After the lookup, which may run a getter that calls M itself.
    if (typeof method !== "function") return { [key]: method };
    return {
      [key]: (...args: unknown[]): unknown => {
        tracker.call(o, key, args);
        return apply(method, o, args);
      },
    };
  }

  K(): unknown {
    return this.#key;
  }

  x(o: unknown, k: unknown, mode: AccessMode): unknown {
    const tracker = this.#tracker;
    if (tracker === null || !isObject(o)) {
      this.#key = k;
      return o;
    }
    const key = toKey(k);
    if (mode !== AccessMode.Write) tracker.read(o, key, UNKNOWN);
    if (mode !== AccessMode.Read) tracker.write(o, key, UNKNOWN);
    this.#key = key;
    return o;
  }

  p(o: unknown, name: string, mode: AccessMode): unknown {
    if (this.#tracker !== null && isObject(o)) this.#tracker.private(o, name, mode);
    return o;
  }

  q(v: unknown, o: unknown, name: string): unknown {
    if (this.#tracker !== null && isObject(o)) this.#tracker.private(o, name, AccessMode.Write, v);
    return v;
  }

  r(o: unknown, ...keys: string[]): unknown {
    const tracker = this.#tracker;
    if (tracker !== null && isObject(o)) for (const key of keys) tracker.read(o, key, UNKNOWN);
    return o;
  }

  i(o: unknown): unknown {
    if (this.#tracker !== null && isObject(o)) this.#tracker.iterate(o);
    return o;
  }

  I(k: unknown, o: unknown): boolean {
    const tracker = this.#tracker;
    if (tracker === null || !isObject(o)) return (k as PropertyKey) in (o as object); // a primitive throws, as natively
    const key = toKey(k);
    tracker.read(o, key, UNKNOWN);
    return key in o;
  }

  h(v: unknown): ChainValue {
    return new Chain(this, v);
  }

  readKey(o: unknown, k: unknown): unknown {
    return this.#tracker === null || !isObject(o) ? k : toKey(k);
  }

  readDone(o: unknown, key: unknown, value: unknown): void {
    const tracker = this.#tracker;
    if (tracker !== null && isObject(o) && (typeof key === "string" || typeof key === "symbol")) {
      tracker.read(o, key, value);
    }
  }

  put(o: unknown, k: unknown, v: unknown, strict: boolean): void {
    if (this.#tracker !== null) this.#recordedPut(o, k, v, strict);
    else if (strict) (o as Bag)[k as PropertyKey] = v;
    else sloppySet(o, k, v);
  }

  remove(o: unknown, k: unknown, strict: boolean): boolean {
    let key = k;
    if (this.#tracker !== null && isObject(o)) {
      key = toKey(k);
      this.#tracker.write(o, key as PropertyKey, UNKNOWN);
    }
    return strict ? delete (o as Bag)[key as PropertyKey] : sloppyDelete(o, key);
  }

  called(receiver: unknown, key: unknown, args: readonly unknown[], fn?: unknown): void {
    if (this.#tracker === null) return;
    if (isObject(receiver) && key !== undefined && tracksCall(receiver, key as PropertyKey)) this.#tracker.call(receiver, key as PropertyKey, args);
    else if (fn !== undefined) this.#call(fn, receiver);
  }

  /** `M` while only the call hook watches (no sink): a stand-in when the method schedules a callback. */
  #hooked(o: object, k: unknown): unknown {
    const key = toKey(k);
    this.#key = key;
    const method = methodOf(o, key);
    if (typeof method !== "function") return o;
    const hooked = this.#hook?.method(method, o, key);
    // Statements that take database locks are followed in unrecorded runs too (io/drivers/locks.ts).
    if (this.#drivers !== null && lockWaitsActive()) {
      const op = this.#driver(method, o);
      if (op !== null && this.#drivers.locking(op)) {
        const run = hooked ?? ((...args: unknown[]) => apply(method as (...a: unknown[]) => unknown, o, args));
        return { [key]: this.#driverStandIn(op, o, (args) => run(...args), true) };
      }
    }
    return hooked === undefined ? o : { [key]: hooked };
  }

  /** The driver operation calling `fn` on `receiver` is (`io/drivers/`), or null. */
  #driver(fn: unknown, receiver: unknown): DriverOp | null {
    if (this.#drivers === null || typeof fn !== "function" || this.#inDriver) return null;
    return this.#drivers.find(fn, receiver, () => this.#callees.effect(fn, receiver)?.origin ?? null);
  }

  /** The function traced code calls instead of a driver operation: records the call's resource accesses, then makes it. */
  #driverStandIn(op: DriverOp, receiver: unknown, run: (args: unknown[]) => unknown, unrecorded = false): (...args: unknown[]) => unknown {
    return (...args: unknown[]): unknown => {
      if (this.#inDriver) return run(args);
      const sink = this.#sink;
      this.#inDriver = true;
      const emit = sink !== null ? (access: Access) => sink(access) : unrecorded ? () => {} : null;
      try {
        return recordCall(op, receiver, args, emit, () => {
          // The call itself runs as usual: what it calls back into traced code is recorded.
          this.#inDriver = false;
          return run(args);
        });
      } finally {
        this.#inDriver = false;
      }
    };
  }

  /** Records the untraced effect of calling `fn` on `receiver`, if it has one. */
  #call(fn: unknown, receiver: unknown): void {
    const tracker = this.#tracker;
    if (tracker === null) return;
    const untraced = this.#callees.effect(fn, receiver);
    if (untraced !== null) tracker.untraced(untraced);
  }

  // The recording paths, out of line: the helpers V8 inlines into instrumented code stay small.

  #recordedGet(o: unknown, k: unknown): unknown {
    const key = this.readKey(o, k);
    const value = (o as Bag)[key as PropertyKey];
    this.readDone(o, key, value);
    return value;
  }

  #recordedPut(o: unknown, k: unknown, v: unknown, strict: boolean): void {
    let key = k;
    const tracker = this.#tracker;
    if (tracker !== null && isObject(o)) {
      key = toKey(k);
      tracker.write(o, key as PropertyKey, v);
    }
    if (strict) (o as Bag)[key as PropertyKey] = v;
    else sloppySet(o, key, v);
  }

  #begin(o: unknown, k: unknown, strict: boolean): Pending {
    // `k` stays unconverted: the write converts it again, as V8 does for compound assignments.
    return new Pending(this, o, k, this.g(o, k), strict);
  }

  #logical(o: unknown, k: unknown, op: "||" | "&&" | "??", strict: boolean): boolean {
    const pending = this.#begin(o, k, strict);
    this.#pending = pending;
    const value = pending.v;
    return op === "||" ? Boolean(value) : op === "&&" ? !value : value != null;
  }

  #update(o: unknown, k: unknown, op: "++" | "--", prefix: 0 | 1, strict: boolean): unknown {
    // Native ++/-- on a local: ToNumeric once, BigInts included (the cast is for the type checker).
    let value = this.g(o, k) as number;
    const result = op === "++" ? (prefix === 1 ? ++value : value++) : prefix === 1 ? --value : value--;
    this.put(o, k, value, strict);
    return result;
  }
}

const { hasOwnProperty } = Object.prototype;
const { hasOwn } = Object as unknown as { hasOwn: (o: object, k: PropertyKey) => boolean };
const { call: callMethod } = Function.prototype;

/**
 * For the builtins that ask whether an object has a property of its own: which object and key a
 * call with `args` asks about (the call is then a read of that property); null for other methods.
 */
function ownershipProbe(method: unknown, receiver: object): ((args: readonly unknown[]) => [unknown, unknown]) | null {
  if (method === hasOwnProperty) return (args) => [receiver, args[0]];
  if (method === hasOwn && receiver === Object) return (args) => [args[0], args[1]];
  if (method === callMethod && receiver === hasOwnProperty) return (args) => [args[0], args[1]];
  return null;
}
