// @ts-check
/**
 * Numbers the SharedArrayBuffers of a run's state, so that every worker names a buffer alike.
 *
 * Each worker receives the state by structured clone: its SharedArrayBuffer objects are its own,
 * their memory is shared. The clones have the same shape, so a deterministic walk finds the same
 * buffers in the same order everywhere, and numbers them 1, 2, … in that order. The walk visits
 * own enumerable string keys in order, array elements, Map and Set values, typed arrays and
 * DataViews (their buffer) and plain buffers, up to {@link MAX_DEPTH} levels below the state,
 * each object once. Buffers it does not reach (created by a thread, or deeper) get no id, and
 * accesses to them are not recorded.
 *
 * Labels: a buffer is labelled by the first typed-array path that reaches it (`cells` for
 * `state.cells`, so an access reads `cells[3]`, counted in that view's elements), else by the first
 * path of a bare buffer or DataView (`buf`, accesses read `buf[byte 12]`). An object shaped like a
 * `SharedMutex` (`{ buffer, byteOffset, name? }`) names its lock: `name`, else its path.
 *
 * The walk expects structured-clone data (no getters, no proxies), which is what workers receive;
 * the controller walks `structuredClone(state)` to find the same ids.
 */
import { types } from "node:util";

/** How many levels below the state the walk goes. */
export const MAX_DEPTH = 8;

/** The largest id a ring entry can carry. */
const MAX_ID = 0xffffff;

/**
 * What a run knows about one of its SharedArrayBuffers.
 * @typedef {object} SharedBufferInfo
 * @property {number} id 1, 2, … in walk order
 * @property {SharedArrayBuffer} buffer
 * @property {string} base label of the path that names it (`cells`, `state`, `items[0].buf`)
 * @property {number} viewOffset byte offset of that path's view (0 for a bare buffer)
 * @property {number} elementSize bytes per element of that view; 0: labelled by byte
 * @property {Map<number, { id: number, byteOffset: number }> | null} lockCells cells used by a
 *   `SharedMutex` (byte offset → its lock handle): their Atomics operations are not data accesses
 */

/**
 * @typedef {object} SharedBuffers
 * @property {WeakMap<SharedArrayBuffer, SharedBufferInfo>} byBuffer
 * @property {SharedBufferInfo[]} list in id order
 * @property {Record<string, string>} locks `"id@byteOffset"` → label, of the SharedMutex-shaped objects found
 */

const IDENTIFIER = /^[A-Za-z_$][\w$]*$/;

/**
 * Walks `state` and numbers the SharedArrayBuffers it reaches.
 * @param {unknown} state
 * @returns {SharedBuffers}
 */
export function numberSharedBuffers(state) {
  /** @type {SharedBuffers} */
  const found = { byBuffer: new WeakMap(), list: [], locks: {} };
  walk(found, new WeakSet(), state, "state", 0);
  return found;
}

/**
 * The names a ring publishes (`names` of the ring layout).
 * @param {SharedBuffers} found
 * @returns {{ sabs: Record<string, [string, number, number]>, locks: Record<string, string> }}
 */
export function namesOf(found) {
  /** @type {Record<string, [string, number, number]>} */
  const sabs = {};
  for (const info of found.list) sabs[info.id] = [info.base, info.viewOffset, info.elementSize];
  return { sabs, locks: found.locks };
}

/**
 * @param {SharedBuffers} found
 * @param {WeakSet<object>} seen
 * @param {unknown} value
 * @param {string} path
 * @param {number} depth
 */
function walk(found, seen, value, path, depth) {
  if (typeof value !== "object" || value === null || depth > MAX_DEPTH) return;
  if (types.isSharedArrayBuffer(value)) return note(found, value, path, 0, 0);
  if (ArrayBuffer.isView(value)) {
    if (types.isSharedArrayBuffer(value.buffer)) {
      const size = types.isDataView(value) ? 0 : /** @type {Int8Array} */ (value).BYTES_PER_ELEMENT;
      note(found, value.buffer, path, value.byteOffset, size);
    }
    return;
  }
  if (seen.has(value)) return;
  seen.add(value);
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) walk(found, seen, value[i], `${path}[${i}]`, depth + 1);
  } else if (types.isMap(value)) {
    let i = 0;
    for (const [key, item] of value) walk(found, seen, item, `${path}.get(${keyText(key, i++)})`, depth + 1);
  } else if (types.isSet(value)) {
    let i = 0;
    for (const item of value) walk(found, seen, item, `${path}.values()[${i++}]`, depth + 1);
  } else {
    const record = /** @type {Record<string, unknown>} */ (value);
    if (depth < MAX_DEPTH) noteLock(found, record, path);
    for (const key of Object.keys(record)) walk(found, seen, record[key], child(path, key), depth + 1);
  }
}

/**
 * Numbers `buffer` if new, and labels it by this path if it has no typed-array label yet.
 * @param {SharedBuffers} found
 * @param {SharedArrayBuffer} buffer
 * @param {string} path
 * @param {number} viewOffset
 * @param {number} elementSize
 */
function note(found, buffer, path, viewOffset, elementSize) {
  const known = found.byBuffer.get(buffer);
  const base = labelBase(path);
  if (known === undefined) {
    if (found.list.length >= MAX_ID) return;
    const info = { id: found.list.length + 1, buffer, base, viewOffset, elementSize, lockCells: null };
    found.byBuffer.set(buffer, info);
    found.list.push(info);
  } else if (known.elementSize === 0 && elementSize > 0) {
    known.base = base;
    known.viewOffset = viewOffset;
    known.elementSize = elementSize;
  }
}

/**
 * Records the lock label of a SharedMutex-shaped object (its buffer is numbered by the walk that follows).
 * @param {SharedBuffers} found
 * @param {Record<string, unknown>} record
 * @param {string} path
 */
function noteLock(found, record, path) {
  const { buffer, byteOffset, name } = record;
  if (!types.isSharedArrayBuffer(buffer) || typeof byteOffset !== "number") return;
  if (name !== undefined && typeof name !== "string") return;
  if (Object.keys(record).some((key) => key !== "buffer" && key !== "byteOffset" && key !== "name")) return;
  // Numbered here as the walk of its keys would number it: it is the object's only buffer.
  note(found, buffer, child(path, "buffer"), 0, 0);
  const known = found.byBuffer.get(buffer);
  if (known === undefined) return;
  const key = `${known.id}@${byteOffset}`;
  if (!(key in found.locks)) found.locks[key] = name || labelBase(path);
}

/** `state.cells` → `cells`: labels leave out the leading `state.`. */
function labelBase(/** @type {string} */ path) {
  return path.startsWith("state.") ? path.slice(6) : path;
}

/** The path of property `key` of `path`. */
function child(/** @type {string} */ path, /** @type {string} */ key) {
  return IDENTIFIER.test(key) ? `${path}.${key}` : `${path}[${JSON.stringify(key)}]`;
}

/** A Map key as it appears in a label: primitives as literals, objects by position. */
function keyText(/** @type {unknown} */ key, /** @type {number} */ position) {
  if (typeof key === "string") return JSON.stringify(key);
  if (typeof key === "bigint") return `${key}n`;
  if (typeof key === "object" && key !== null) return `#${position}`;
  return String(key);
}
