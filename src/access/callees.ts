/**
 * Which calls leave traced code. A call from instrumented code runs either traced code (its
 * accesses are recorded as they happen), a builtin whose effect is modelled (the collection methods
 * of `collections.ts`) or known to touch nothing shared (`Math.max`, string methods, `console.log`,
 * `setTimeout`…), interlace's own locks — or code whose effects nobody observes: a package in
 * `node_modules`, Node's own JavaScript (`EventEmitter`, `AbortController`), a native addon, an
 * untraced file. Such a call is an *untraced effect*: recorded as a write of the outside world
 * (`strategies/access.ts`), named by where the code came from, so that DPOR does not prune its
 * orders and the exploration does not claim a complete search it did not make.
 *
 * How a function is told (once per function object):
 * - interlace's own modelled functions are registered ({@link markModelled});
 * - builtins in the safe list below, by identity;
 * - other native (and bound) functions: untraced;
 * - JavaScript functions whose source text holds instrumentation (`__ila`, `__il.`): traced;
 * - other JavaScript functions: where V8 says they were defined (`function-origin.ts`): a traced
 *   file is traced code that does nothing instrumentable, anything else is untraced.
 *
 * @module
 */
import * as nodePath from "node:path";
import * as nodeUrl from "node:url";
import { types } from "node:util";
import { functionOrigin } from "./function-origin.js";

/** An untraced call: where its code comes from (a package name, `node:events`, `native`) and what was called. */
export interface UntracedCall {
  /** `lru-cache`, `@scope/pkg`, `node:events`, `native`, `src/legacy.js`, `unknown`. */
  origin: string;
  /** `LRUCache.has`, `emit`, `Statement.get`. */
  callee: string;
  /** For packages: the name to give `tracePackages`. */
  package?: string;
}

/** Registry key of the functions interlace models itself (its locks, `point()`, the worker Atomics wrappers). */
const MODELLED_KEY = "interlace.modelled.v1";

function modelledSet(): WeakSet<Function> {
  const registry = globalThis as unknown as Record<symbol, WeakSet<Function> | undefined>;
  return (registry[Symbol.for(MODELLED_KEY)] ??= new WeakSet());
}

/** Declares functions whose effects interlace records itself (lock operations): calling them is no untraced effect. */
export function markModelled(...fns: Function[]): void {
  const set = modelledSet();
  for (const fn of fns) set.add(fn);
}

/** {@link markModelled} for a class: the constructor, its static methods and its prototype's methods and accessors. */
export function markModelledClass(cls: Function): void {
  const fns: Function[] = [cls];
  for (const holder of [cls, cls.prototype as object]) {
    for (const key of Reflect.ownKeys(holder)) {
      const descriptor = Object.getOwnPropertyDescriptor(holder, key);
      for (const fn of [descriptor?.value, descriptor?.get, descriptor?.set]) if (typeof fn === "function" && fn !== cls) fns.push(fn as Function);
    }
  }
  markModelled(...fns);
}

/** Every function-valued own property of `objects` (getters excluded: nothing is run). */
function functionsOf(...objects: unknown[]): Function[] {
  const found: Function[] = [];
  for (const o of objects) {
    if (o === null || o === undefined) continue;
    if (typeof o === "function") found.push(o);
    for (const key of Reflect.ownKeys(o as object)) {
      const value = Object.getOwnPropertyDescriptor(o, key)?.value as unknown;
      if (typeof value === "function") found.push(value as Function);
    }
  }
  return found;
}

/**
 * Builtins that touch nothing another task can observe (or whose only effect is scheduling a
 * callback, which runs traced code as a step of its own), and constructors of fresh objects.
 * Reflective builtins that read or write objects they are given (`Object.keys`, `Object.assign`,
 * `JSON.stringify`, `structuredClone`) are not here: they are untraced effects.
 */
const SAFE: ReadonlySet<Function> = new Set<Function>([
  ...functionsOf(Math, Number, String.prototype, Number.prototype, Boolean.prototype, BigInt, BigInt.prototype, Symbol, Symbol.prototype),
  ...functionsOf(RegExp.prototype, Date.prototype, Function.prototype, Promise, Promise.prototype, Error),
  String, String.fromCharCode, String.fromCodePoint, String.raw, Boolean, Object, Array, Array.isArray, Array.of, Array.from,
  Object.is, Object.getPrototypeOf, Object.create, Object.prototype.toString, Object.prototype.valueOf,
  Object.prototype.toLocaleString, Object.prototype.isPrototypeOf, Object.prototype.propertyIsEnumerable,
  Date, Date.now, Date.parse, Date.UTC, JSON.parse, RegExp,
  parseInt, parseFloat, isNaN, isFinite, encodeURI, encodeURIComponent, decodeURI, decodeURIComponent,
  EvalError, RangeError, ReferenceError, SyntaxError, TypeError, URIError, AggregateError,
  Map, Set, WeakMap, WeakSet, WeakRef, ArrayBuffer, ArrayBuffer.isView, SharedArrayBuffer, DataView,
  Int8Array, Uint8Array, Uint8ClampedArray, Int16Array, Uint16Array, Int32Array, Uint32Array, Float32Array, Float64Array,
  BigInt64Array, BigUint64Array,
  setTimeout, setInterval, setImmediate, clearTimeout, clearInterval, clearImmediate, queueMicrotask, process.nextTick,
  ...functionsOf(console),
  ...functionsOf(nodePath.posix, nodePath.win32), nodeUrl.fileURLToPath, nodeUrl.pathToFileURL, URL, URLSearchParams,
  Buffer.from, Buffer.alloc, Buffer.allocUnsafe, Buffer.concat, Buffer.isBuffer, Buffer.byteLength,
  TextEncoder, TextDecoder, TextEncoder.prototype.encode, TextDecoder.prototype.decode,
  AbortController, EventTarget, performance.now, Proxy, Reflect.getPrototypeOf,
  // A generator's next/return/throw run its body, which is recorded if traced (compiled async
  // functions drive their generator this way); an untraced generator's body is not seen.
  ...functionsOf(Object.getPrototypeOf(function* () {}).prototype, Object.getPrototypeOf(async function* () {}).prototype),
]);

/** Registry key of interlace's stand-ins for builtins it patches (a stand-in is judged as its original). */
const STAND_INS_KEY = "interlace.stand-ins.v1";

function standIns(): WeakMap<Function, Function> {
  const registry = globalThis as unknown as Record<symbol, WeakMap<Function, Function> | undefined>;
  return (registry[Symbol.for(STAND_INS_KEY)] ??= new WeakMap());
}

/** Declares `standIn`, a wrapper interlace installs over a builtin, to be judged as `original`. */
export function markStandIn(standIn: Function, original: Function): void {
  standIns().set(standIn, original);
}

/** `fn.call(…)` and `fn.apply(…)` call their receiver: that is the function to classify. */
const FORWARDERS: ReadonlySet<Function> = new Set<Function>([Function.prototype.call, Function.prototype.apply]);

/** `null`: traced or modelled; `"native"`: untraced native code; else where the code comes from. */
type Kind = null | "native" | UntracedCall;

const { toString } = Function.prototype;

/** Classifies the functions traced code calls. One per access runtime. */
export class Callees {
  readonly #cache = new WeakMap<Function, Kind>();
  readonly #tracedFiles: () => ReadonlySet<string>;
  readonly #locate: boolean;

  /**
   * @param tracedFiles - `file:` URLs of the instrumented files (the access runtime's registry).
   * @param locate - Ask V8 where unmarked JavaScript functions come from (task threads); without it
   *   (worker threads), such functions count as untraced.
   */
  constructor(tracedFiles: () => ReadonlySet<string>, locate: boolean) {
    this.#tracedFiles = tracedFiles;
    this.#locate = locate;
  }

  /**
   * The untraced effect of calling `fn` on `receiver` (`undefined` for a plain call), or `null` when
   * the call runs only traced or modelled code. Runs no user code.
   */
  effect(callee: unknown, receiver: unknown): UntracedCall | null {
    if (typeof callee !== "function") return null; // the call throws a TypeError
    if (types.isProxy(callee)) return { origin: "unknown", callee: "a Proxy" };
    const fn: Function = standIns().get(callee) ?? callee;
    if (FORWARDERS.has(fn)) return typeof receiver === "function" ? this.effect(receiver, undefined) : null;
    let kind = this.#cache.get(fn);
    if (kind === undefined) {
      kind = this.#classify(fn);
      this.#cache.set(fn, kind);
    }
    if (kind === null) return null;
    if (kind === "native") return { origin: "native", callee: describe(fn, receiver) };
    return kind;
  }

  #classify(fn: Function): Kind {
    if (SAFE.has(fn) || modelledSet().has(fn)) return null;
    let text: string;
    try {
      text = toString.call(fn);
    } catch {
      return { origin: "unknown", callee: nameOf(fn) }; // a proxy of a function, say
    }
    if (text.includes("__ila.") || text.includes("__il.")) return null;
    if (/\{\s*\[native code\]\s*\}$/.test(text)) {
      // A promise's resolve and reject functions (anonymous, one parameter): settling wakes whoever
      // awaits, which the scheduler models; the code that then runs is recorded as it runs.
      return nameOf(fn) === "anonymous" && fn.length === 1 ? null : "native";
    }
    const url = this.#locate ? functionOrigin(fn) : null;
    if (url === null) return { origin: "unknown", callee: nameOf(fn) };
    return this.#fromUrl(url, fn);
  }

  #fromUrl(url: string, fn: Function): Kind {
    if (url.startsWith("node:")) return { origin: url, callee: nameOf(fn) };
    const path = url.startsWith("file:") ? safePath(url) : url;
    if (path === null || path === "") return { origin: "unknown", callee: nameOf(fn) };
    for (const traced of this.#tracedFiles()) if (safePath(traced) === path) return null;
    const pkg = packageOf(path);
    if (pkg !== null) return { origin: pkg, callee: nameOf(fn), package: pkg };
    return { origin: nodePath.relative(process.cwd(), path) || path, callee: nameOf(fn) };
  }
}

/** The package a path is in (`lru-cache`, `@scope/pkg`: the innermost `node_modules`), or null. */
export function packageOf(path: string): string | null {
  const parts = path.split(/[\\/]/);
  const at = parts.lastIndexOf("node_modules");
  if (at < 0 || at + 1 >= parts.length - 1) return null;
  const name = parts[at + 1]!;
  return name.startsWith("@") ? (at + 2 < parts.length - 1 ? `${name}/${parts[at + 2]}` : null) : name;
}

function safePath(url: string): string | null {
  try {
    return url.startsWith("file:") ? nodeUrl.fileURLToPath(url.replace(/[?#].*$/, "")) : url.replace(/[?#].*$/, "");
  } catch {
    return null;
  }
}

function nameOf(fn: Function): string {
  const name = Object.getOwnPropertyDescriptor(fn, "name")?.value as unknown;
  return typeof name === "string" && name !== "" ? name : "anonymous";
}

/** `Statement.get`: the receiver's class (read without running getters) and the function's name. */
function describe(fn: Function, receiver: unknown): string {
  const name = nameOf(fn).replace(/^bound /, "");
  if (receiver === null || (typeof receiver !== "object" && typeof receiver !== "function") || types.isProxy(receiver)) return name;
  const proto = Object.getPrototypeOf(receiver) as object | null;
  const ctor = proto === null ? undefined : (Object.getOwnPropertyDescriptor(proto, "constructor")?.value as unknown);
  const cls = typeof ctor === "function" ? nameOf(ctor) : "";
  return cls !== "" && cls !== "Object" ? `${cls}.${name}` : name;
}
