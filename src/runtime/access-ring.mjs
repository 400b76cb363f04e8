// @ts-check
/**
 * Writer of a worker's access ring: the shared accesses its thread makes, appended as it runs and
 * read by the controller while the thread is paused (`controller/access-ring.ts`). The layout is
 * `ACCESS_RING` of `protocol/messages.ts`; this file repeats its numbers (plain JavaScript loaded
 * by path cannot import TypeScript), and a unit test keeps the two equal.
 *
 * Appending allocates nothing: two Int32 and one 8-byte value per entry, then the new count with
 * `Atomics.store`, so that a reader that loads the count sees the entries before it. Entries beyond
 * the capacity are dropped and counted in `DROPPED`, which the reader turns into an error.
 */

/** Layout of the ring; equal to `ACCESS_RING` in protocol/messages.ts. */
export const RING = Object.freeze({
  MAGIC: 0x494c5231,
  HEADER_INTS: 16,
  CAPACITY: 1,
  COUNT: 2,
  DROPPED: 3,
  FLAGS: 4,
  INTENT_ID: 5,
  INTENT_OFFSET: 6,
  NAMES_LENGTH: 7,
  NAMES_VERSION: 8,
  FLAG_LOCK_GATES: 1,
  NAMES_AT: 64,
  NAMES_BYTES: 16_384,
  ENTRIES_AT: 64 + 16_384,
  ENTRY_BYTES: 16,
  DEFAULT_CAPACITY: 65_536,
  WORLD_ID: 0xffffff,
});

/** Element types by kind code; equal to `ELEMENT_KINDS` in protocol/messages.ts. */
export const ELEMENT_KINDS = Object.freeze([
  "",
  "Int8Array",
  "Uint8Array",
  "Uint8ClampedArray",
  "Int16Array",
  "Uint16Array",
  "Int32Array",
  "Uint32Array",
  "Float32Array",
  "Float64Array",
  "BigInt64Array",
  "BigUint64Array",
]);

/** Kind codes of the BigInt element types (their values travel as BigInt64). */
export const FIRST_BIGINT_KIND = 10;

export const OP_READ = 0;
export const OP_WRITE = 1;
export const OP_ACQUIRE = 2;
export const OP_RELEASE = 3;

// Captured before run-thread.mjs wraps Atomics: the ring's own operations are never recorded.
const { load, store, add } = Atomics;

/** Bytes a ring of `capacity` entries takes. */
export function ringBytes(/** @type {number} */ capacity) {
  return RING.ENTRIES_AT + capacity * RING.ENTRY_BYTES;
}

/** Appends entries to one ring. */
export class RingWriter {
  #header;
  #meta;
  #numbers;
  #bigints;
  #names;
  #capacity;

  /** @param {SharedArrayBuffer} buffer a ring laid out by the controller (`AccessRing.create`) */
  constructor(buffer) {
    this.#header = new Int32Array(buffer, 0, RING.HEADER_INTS);
    if (this.#header[0] !== RING.MAGIC) throw new Error("interlace: the access ring has no valid header");
    const capacity = this.#header[RING.CAPACITY] ?? 0;
    this.#capacity = capacity;
    this.#meta = new Int32Array(buffer, RING.ENTRIES_AT, capacity * 2);
    this.#numbers = new Float64Array(buffer, RING.ENTRIES_AT + capacity * 8, capacity);
    this.#bigints = new BigInt64Array(buffer, RING.ENTRIES_AT + capacity * 8, capacity);
    this.#names = new Uint8Array(buffer, RING.NAMES_AT, RING.NAMES_BYTES);
  }

  /**
   * Appends one access.
   * @param {number} op OP_READ…OP_RELEASE
   * @param {number} id the SharedArrayBuffer's id (1…2^24-1)
   * @param {number} byteOffset of the element in that buffer
   * @param {number} kind element kind code (0: none)
   * @param {boolean} hasValue whether `value` is the value read or written
   * @param {number | bigint} value a number, or a bigint for the BigInt kinds
   */
  put(op, id, byteOffset, kind, hasValue, value) {
    const header = this.#header;
    const n = load(header, RING.COUNT);
    if (n >= this.#capacity) {
      if (load(header, RING.DROPPED) < 0x7fffffff) add(header, RING.DROPPED, 1);
      return;
    }
    this.#meta[2 * n] = (id << 8) | (hasValue ? 64 : 0) | (kind << 2) | op;
    this.#meta[2 * n + 1] = byteOffset;
    if (hasValue) {
      if (kind >= FIRST_BIGINT_KIND) this.#bigints[n] = /** @type {bigint} */ (value);
      else this.#numbers[n] = /** @type {number} */ (value);
    }
    store(header, RING.COUNT, n + 1);
  }

  /** Forgets what the previous run left (entries, overflow, lock intent); the controller's flags stay. */
  reset() {
    store(this.#header, RING.COUNT, 0);
    store(this.#header, RING.DROPPED, 0);
    store(this.#header, RING.INTENT_ID, 0);
  }

  /** Whether the controller asked `SharedMutex.lock()` to stop at a lock gate first. */
  gatesOn() {
    return (load(this.#header, RING.FLAGS) & RING.FLAG_LOCK_GATES) !== 0;
  }

  /** Announces the lock about to be taken (`id` 0: none). */
  setIntent(/** @type {number} */ id, /** @type {number} */ byteOffset) {
    store(this.#header, RING.INTENT_OFFSET, byteOffset);
    store(this.#header, RING.INTENT_ID, id);
  }

  /**
   * Publishes the labels of this run's SharedArrayBuffers (see `names` in the layout). Entries that
   * do not fit are left out, whole, from the end: their accesses are then labelled by id.
   * @param {{ sabs: Record<string, [string, number, number]>, locks: Record<string, string> }} names
   */
  writeNames(names) {
    const encoder = new TextEncoder();
    const sabs = Object.entries(names.sabs);
    const locks = Object.entries(names.locks);
    let bytes = encoder.encode(JSON.stringify(names));
    while (bytes.length > RING.NAMES_BYTES && sabs.length + locks.length > 0) {
      if (locks.length > 0) locks.length = Math.floor(locks.length / 2);
      else sabs.length = Math.floor(sabs.length / 2);
      bytes = encoder.encode(JSON.stringify({ sabs: Object.fromEntries(sabs), locks: Object.fromEntries(locks) }));
    }
    this.#names.set(bytes);
    store(this.#header, RING.NAMES_LENGTH, bytes.length);
    add(this.#header, RING.NAMES_VERSION, 1);
  }
}
