// @ts-check
/**
 * Records the shared accesses of a worker thread into its access ring: which element of which
 * numbered SharedArrayBuffer (see shared-buffers.mjs) an operation read or wrote, with the value
 * when known. Used by the Atomics wrappers (atomics.mjs), the lock hooks (lock-hooks.mjs) and the
 * element-access policy of the access transform. Nothing here runs user code: typed arrays are
 * inspected with the intrinsic getters, captured at load.
 */
import { types } from "node:util";
import { ELEMENT_KINDS, RingWriter } from "./access-ring.mjs";
import { namesOf, numberSharedBuffers } from "./shared-buffers.mjs";

const TypedArrayPrototype = Object.getPrototypeOf(Int8Array.prototype);
/** @param {string | symbol} name */
const getter = (name) => {
  const get = Object.getOwnPropertyDescriptor(TypedArrayPrototype, name)?.get;
  if (get === undefined) throw new Error(`interlace: no TypedArray ${String(name)} getter`);
  return get;
};
const bufferGetter = getter("buffer");
const byteOffsetGetter = getter("byteOffset");
const lengthGetter = getter("length");
const tagGetter = getter(Symbol.toStringTag);
const { call } = Function.prototype;
/** `getter.call(receiver)` without looking up `call` on the getter each time. */
const invoke = call.bind(call);

/** Kind code by element type name. */
const KIND = new Map(ELEMENT_KINDS.map((name, code) => [name, code]));
/** Bytes per element by kind code. */
const SIZE = [0, 1, 1, 1, 2, 2, 4, 4, 4, 8, 8, 8];

/** One run's view of the ring and of the state's SharedArrayBuffers. */
export class SharedRecorder {
  /** @type {RingWriter} */
  ring;
  /** @type {import("./shared-buffers.mjs").SharedBuffers} */
  buffers = numberSharedBuffers(undefined);
  /** Set by {@link SharedRecorder.locate}: the element it found. */
  placedId = 0;
  placedOffset = 0;
  placedKind = 0;

  /** @param {SharedArrayBuffer} ring */
  constructor(ring) {
    this.ring = new RingWriter(ring);
  }

  /**
   * Starts a run: numbers the SharedArrayBuffers of its state, publishes their names, and forgets
   * what the previous run left in the ring.
   * @param {unknown} state
   */
  startRun(state) {
    this.buffers = numberSharedBuffers(state);
    this.ring.writeNames(namesOf(this.buffers));
    this.ring.reset();
  }

  /**
   * The numbered SharedArrayBuffer under a typed array, or null (not a typed array, not shared,
   * not reached from the state).
   * @param {unknown} array
   */
  infoOf(array) {
    if (!types.isTypedArray(array)) return null;
    return this.buffers.byBuffer.get(invoke(bufferGetter, array)) ?? null;
  }

  /**
   * Finds element `index` of `array` (`-1`: the whole array) in a numbered buffer, and sets
   * `placedId`, `placedOffset` (-1 for the whole array) and `placedKind`. False when it is not
   * there: not a typed array, a buffer without id, an index out of range, or a SharedMutex's cell.
   * @param {unknown} array
   * @param {number} index an integer index, or -1
   */
  locate(array, index) {
    const info = this.infoOf(array);
    if (info === null) return false;
    const kind = KIND.get(invoke(tagGetter, array)) ?? 0;
    let byteOffset = -1;
    if (index !== -1) {
      if (!(index >= 0 && index < invoke(lengthGetter, array))) return false;
      byteOffset = invoke(byteOffsetGetter, array) + index * (SIZE[kind] ?? 1);
      if (info.lockCells !== null && info.lockCells.has(byteOffset)) return false;
    }
    this.placedId = info.id;
    this.placedOffset = byteOffset;
    this.placedKind = kind;
    return true;
  }

  /**
   * Records an access to element `index` of `array` when it is an element of a numbered buffer
   * (and not a SharedMutex's cell). `value`: the element's value, as the array holds it.
   * @param {number} op
   * @param {unknown} array
   * @param {unknown} index the index argument, as the caller passed it
   * @param {boolean} hasValue
   * @param {number | bigint} value
   */
  element(op, array, index, hasValue, value) {
    const i = plainIndex(index);
    if (i < 0 || !this.locate(array, i)) return;
    this.ring.put(op, this.placedId, this.placedOffset, this.placedKind, hasValue, value);
  }

  /**
   * The kind code of a typed array's elements (0 for anything else).
   * @param {unknown} array
   */
  kindOf(array) {
    return types.isTypedArray(array) ? KIND.get(invoke(tagGetter, array)) ?? 0 : 0;
  }
}

/**
 * An index argument converted as Atomics and element accesses convert it, when that runs no user
 * code (numbers and other primitives); -1 for objects, symbols and BigInts (then not recorded:
 * converting them again could run `valueOf` twice).
 * @param {unknown} index
 */
export function plainIndex(index) {
  let n;
  if (typeof index === "number") n = index;
  else if (typeof index === "string" || typeof index === "boolean" || index === undefined || index === null) n = Number(index);
  else return -1;
  return n !== n ? 0 : Math.trunc(n); // ToIntegerOrInfinity
}
