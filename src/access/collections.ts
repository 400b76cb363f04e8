/**
 * What method calls do to collections. Calls on real (non-proxy) Maps, Sets, WeakMaps, WeakSets,
 * Arrays and typed arrays record their effect on the collection, decided from the receiver's type
 * and the method's name at call time. Writes are recorded per entry or element, and reads of the
 * whole collection read every element, so that two accesses conflict exactly when they touch a
 * common entry: tasks filling distinct slots of a shared array, or updating distinct existing keys
 * of a shared Map, stay independent. A range longer than {@link MAX_ELEMENTS} is recorded as the
 * collection as a whole (part `all`), which no element conflicts with: races between one element
 * and a whole-array operation on arrays that long are missed (recording them would take an access
 * per element).
 *
 * @module
 */
import { types } from "node:util";
import { apply, isArray, isObject, getOwnPropertyDescriptor, getPrototypeOf } from "./intrinsics.js";
import type { AccessPart } from "./policy.js";
import { UNKNOWN } from "./values.js";

/** The longest element range recorded element by element (beyond it: the collection as a whole). */
export const MAX_ELEMENTS = 65_536;

/** A collection whose method calls are recorded. */
export type Kind = "array" | "typed" | "map" | "set" | "weakmap" | "weakset";

/** Where collection effects are recorded (the runtime's tracker). */
export interface EffectRecorder {
  /** One access; `value` is {@link UNKNOWN} when not known. */
  emit(op: "read" | "write", o: object, part: AccessPart, key: unknown, value: unknown): void;
  /** Accesses of elements `[from, to)`, each with `value` (one `all` access beyond {@link MAX_ELEMENTS}). */
  range(op: "read" | "write", o: object, from: number, to: number, value?: unknown): void;
}

const typedArrayLength = (() => {
  const get = getOwnPropertyDescriptor(getPrototypeOf(Int8Array.prototype) as object, "length")?.get;
  if (get === undefined) throw new Error("interlace: no TypedArray length getter");
  return get;
})();
const hasOf: Readonly<Record<"map" | "set" | "weakmap" | "weakset", (key: never) => boolean>> = {
  map: Map.prototype.has, set: Set.prototype.has, weakmap: WeakMap.prototype.has, weakset: WeakSet.prototype.has,
};
const forEachOf: Readonly<Record<"map" | "set", (callback: (value: unknown, key: unknown) => void) => void>> = {
  map: Map.prototype.forEach, set: Set.prototype.forEach,
};

/** Methods whose effect on the collection is recorded, per receiver kind. */
const WHOLE_READS = ["forEach", "keys", "values", "entries", Symbol.iterator];
const SET_ALGEBRA = ["union", "intersection", "difference", "symmetricDifference", "isSubsetOf", "isSupersetOf", "isDisjointFrom"];
const ARRAY_READS = [
  "at", "concat", "entries", "every", "filter", "find", "findIndex", "findLast", "findLastIndex", "flat", "flatMap",
  "forEach", "includes", "indexOf", "join", "keys", "lastIndexOf", "map", "reduce", "reduceRight", "slice", "some",
  "toLocaleString", "toReversed", "toSorted", "toSpliced", "toString", "values", "with", Symbol.iterator,
];
const METHODS: Readonly<Record<Kind, ReadonlySet<PropertyKey>>> = {
  map: new Set(["get", "has", "set", "delete", "clear", ...WHOLE_READS]),
  set: new Set(["has", "add", "delete", "clear", ...WHOLE_READS, ...SET_ALGEBRA]),
  weakmap: new Set(["get", "has", "set", "delete"]),
  weakset: new Set(["has", "add", "delete"]),
  array: new Set(["push", "pop", "shift", "unshift", "splice", "sort", "reverse", "fill", "copyWithin", ...ARRAY_READS]),
  typed: new Set([
    "set", "sort", "reverse", "fill", "copyWithin",
    ...ARRAY_READS.filter((m) => m !== "concat" && m !== "flat" && m !== "flatMap" && m !== "toSpliced"),
  ]),
};

/** The collection kind of `o`, or null (proxies are never collections: inspecting them runs traps). */
export function kindOf(o: object): Kind | null {
  if (types.isProxy(o)) return null;
  if (isArray(o)) return "array";
  if (types.isTypedArray(o)) return "typed";
  if (types.isMap(o)) return "map";
  if (types.isSet(o)) return "set";
  if (types.isWeakMap(o)) return "weakmap";
  if (types.isWeakSet(o)) return "weakset";
  return null;
}

/** Whether a call of `o[key]` has a recorded effect on `o` (beyond the method lookup). */
export function tracksCall(o: object, key: PropertyKey): boolean {
  const kind = kindOf(o);
  return kind !== null && METHODS[kind].has(key);
}

/** Length of an array or typed array, read without running user code. */
export function lengthOf(o: object, kind: "array" | "typed"): number {
  return kind === "array" ? (o as unknown[]).length : (apply(typedArrayLength, o, []) as number);
}

/** Records the effect on the collection `o` of calling its method `key` with `args`. */
export function recordCall(t: EffectRecorder, o: object, key: PropertyKey, args: readonly unknown[]): void {
  const kind = kindOf(o);
  if (kind === null || !METHODS[kind].has(key)) return;
  if (kind === "array" || kind === "typed") indexedCall(t, o, kind, key, args);
  else keyedCall(t, o, kind, key, args);
}

/** Records what iterating `o` reads: all of it (when iteration starts). */
export function recordIteration(t: EffectRecorder, o: object): void {
  const kind = kindOf(o);
  if (kind === "array" || kind === "typed") readAll(t, o, kind);
  else if (kind === "map" || kind === "set") readEntries(t, o, kind);
}

function readAll(t: EffectRecorder, o: object, kind: "array" | "typed"): void {
  if (kind === "array") t.emit("read", o, "property", "length", UNKNOWN);
  t.range("read", o, 0, lengthOf(o, kind));
}

function readEntries(t: EffectRecorder, o: object, kind: "map" | "set"): void {
  t.emit("read", o, "all", undefined, UNKNOWN);
  apply(forEachOf[kind], o, [(_: unknown, key: unknown) => t.emit("read", o, "entry", key, UNKNOWN)]);
}

function keyedCall(t: EffectRecorder, o: object, kind: "map" | "set" | "weakmap" | "weakset", key: PropertyKey, args: readonly unknown[]): void {
  const iterable = kind === "map" || kind === "set";
  if (key === "clear" && iterable) {
    const keys: unknown[] = [];
    apply(forEachOf[kind], o, [(_: unknown, k: unknown) => keys.push(k)]);
    t.emit(keys.length > 0 ? "write" : "read", o, "all", undefined, UNKNOWN);
    for (const k of keys) t.emit("write", o, "entry", k, UNKNOWN);
    return;
  }
  if (key !== "get" && key !== "has" && key !== "set" && key !== "add" && key !== "delete") {
    if (iterable) readEntries(t, o, kind);
    return;
  }
  const present = apply(hasOf[kind], o, [args[0]]) as boolean;
  // Adding a present Set value or deleting an absent key changes nothing but reads whether it is
  // there; a write that adds or removes an entry also changes membership (size, iteration order).
  const writes = key === "set" || (key === "add" && !present) || (key === "delete" && present);
  const membership = key === "delete" ? present : (key === "set" || key === "add") && !present;
  t.emit(writes ? "write" : "read", o, "entry", args[0], key === "set" ? args[1] : UNKNOWN);
  if (membership && iterable) t.emit("write", o, "all", undefined, UNKNOWN);
}

function indexedCall(t: EffectRecorder, o: object, kind: "array" | "typed", key: PropertyKey, args: readonly unknown[]): void {
  const length = lengthOf(o, kind);
  const all = (): void => t.range("write", o, 0, length);
  // Methods that change the length write it last; the others (but splice) read it first.
  const resizes = kind === "array" && (key === "push" || key === "pop" || key === "shift" || key === "unshift");
  if (kind === "array" && !resizes && key !== "splice") t.emit("read", o, "property", "length", UNKNOWN);
  switch (key) {
    case "push":
      if (args.length > MAX_ELEMENTS) t.range("write", o, length, length + args.length);
      else args.forEach((value, i) => t.emit("write", o, "element", length + i, value));
      break;
    case "pop":
      if (length > 0) t.emit("write", o, "element", length - 1, UNKNOWN);
      break;
    case "shift":
    case "sort":
    case "reverse":
      all();
      break;
    case "unshift":
      t.range("write", o, 0, length + args.length);
      break;
    case "splice":
      splice(t, o, length, args);
      break;
    case "fill": {
      const from = relative(args[1], length, 0);
      const to = relative(args[2], length, length);
      if (from === null || to === null) t.range("write", o, 0, length, args[0]);
      else t.range("write", o, from, to, args[0]);
      break;
    }
    case "copyWithin": {
      const target = relative(args[0], length, 0);
      const from = relative(args[1], length, 0);
      const to = relative(args[2], length, length);
      if (target === null || from === null || to === null) return all();
      const count = Math.max(0, Math.min(to - from, length - target));
      t.range("read", o, from, from + count);
      t.range("write", o, target, target + count);
      break;
    }
    case "set": {
      // TypedArray.prototype.set(source, offset): writes as many elements as the source has.
      const source = args[0];
      const offset = relative(args[1], length, 0);
      const kindOfSource = isObject(source) ? kindOf(source) : null;
      const count = kindOfSource === "array" || kindOfSource === "typed" ? lengthOf(source as object, kindOfSource) : null;
      if (offset === null || count === null) all();
      else t.range("write", o, offset, Math.min(offset + count, length));
      break;
    }
    case "keys":
      break; // Yields indices only: reads the length (arrays; typed arrays have a fixed one).
    case "at": {
      const index = integer(args[0]);
      const resolved = index === null ? null : index < 0 ? length + index : index;
      if (resolved === null) t.range("read", o, 0, length);
      else if (resolved >= 0 && resolved < length) t.emit("read", o, "element", resolved, UNKNOWN);
      break;
    }
    case "slice": {
      const from = relative(args[0], length, 0);
      const to = relative(args[1], length, length);
      if (from === null || to === null) t.range("read", o, 0, length);
      else t.range("read", o, from, to);
      break;
    }
    default:
      t.range("read", o, 0, length); // The other methods read every element.
  }
  if (resizes) t.emit("write", o, "property", "length", UNKNOWN);
}

function splice(t: EffectRecorder, o: object, length: number, args: readonly unknown[]): void {
  const start = args.length === 0 ? 0 : relative(args[0], length, 0);
  const count = args.length < 2 ? null : integer(args[1]);
  const deleted =
    start === null ? null
    : args.length === 0 ? 0
    : args.length === 1 ? length - start
    : count === null ? null
    : Math.min(Math.max(count, 0), length - start);
  const inserted = Math.max(args.length - 2, 0);
  if (start === null || deleted === null) {
    t.range("write", o, 0, length + inserted);
    return t.emit("write", o, "property", "length", UNKNOWN);
  }
  // Same count in and out: only the spliced elements change; else every element after start moves.
  const end = deleted === inserted ? start + deleted : Math.max(length, length - deleted + inserted);
  t.range("write", o, start, end);
  t.emit(deleted === inserted ? "read" : "write", o, "property", "length", UNKNOWN);
}

/** ToIntegerOrInfinity of a plain number or `undefined` (0); null for anything else. */
function integer(arg: unknown): number | null {
  if (arg === undefined) return 0;
  if (typeof arg !== "number") return null; // Converting it could run user code (valueOf).
  return Number.isNaN(arg) ? 0 : Math.trunc(arg);
}

/** A relative index argument (`slice`, `fill`…) resolved against `length`; null when not a plain number. */
function relative(arg: unknown, length: number, fallback: number): number | null {
  const n = arg === undefined ? fallback : integer(arg);
  if (n === null) return null;
  return n < 0 ? Math.max(length + n, 0) : Math.min(n, length);
}
