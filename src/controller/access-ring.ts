/**
 * The controller's end of a worker's access ring (layout: `ACCESS_RING` in protocol/messages.ts;
 * writer: runtime/access-ring.mjs). Give {@link AccessRing.buffer} to the worker as
 * `ThreadLaunch.accesses`; while the thread is paused (at a breakpoint, a lock gate, asleep in a
 * confirmed wait, or idle after it returned), {@link AccessRing.drain} returns the accesses it made
 * since the last drain. Never drain a running thread: the runtime writes without locking.
 *
 * The runtime empties the ring when a run starts (before its ready point): drain after the
 * `returned`/`threw` report, before sending the next state, or the tail of the run is lost.
 *
 * Locations: `sab#<id>@<byteOffset>` for data (`sab#<id>@*`: a range of a typed array too long to
 * record element by element, which conflicts with no element), `lock:sab#<id>@<byteOffset>` for the lock of a
 * `SharedMutex`, ids as numbered by the runtime's walk of the state (runtime/shared-buffers.mjs;
 * {@link sharedBuffersOf} finds the same buffers on the controller's side).
 */
import { ACCESS_RING as R, ELEMENT_KINDS } from "../protocol/messages.js";
import { OVERFLOW_ORIGIN, WORLD, type Access } from "../strategies/access.js";
import { numberSharedBuffers } from "../runtime/shared-buffers.mjs";

const OPS = ["read", "write", "acquire", "release"] as const;
const FIRST_BIGINT_KIND = ELEMENT_KINDS.indexOf("BigInt64Array");
/** Byte offset of an access to a whole typed array (a range too long to record by element). */
const WHOLE = 0xffffffff;

/** A lock a thread stopped at a lock gate to take. */
export interface LockIntent {
  /** `lock:sab#<id>@<byteOffset>`. */
  location: string;
  label: string;
}

/** The names the runtime published for the current run (see the ring layout). */
interface Names {
  sabs: Record<string, [base: string, viewOffset: number, elementSize: number] | undefined>;
  locks: Record<string, string | undefined>;
}

/** One worker's access ring, read by the controller. */
export class AccessRing {
  /** Give it to the worker as `ThreadLaunch.accesses`. */
  readonly buffer: SharedArrayBuffer;
  /** Entries one step can hold. */
  readonly capacity: number;
  /** Named in the record of an overflowing step. */
  thread: string;
  readonly #header: Int32Array;
  readonly #meta: Int32Array;
  readonly #numbers: Float64Array;
  readonly #bigints: BigInt64Array;
  readonly #names: Uint8Array;
  #namesVersion = -1;
  #parsed: Names = { sabs: {}, locks: {} };

  /** A new, empty ring of `capacity` entries (default 65,536: 1 MiB). */
  static create(thread = "", capacity: number = R.DEFAULT_CAPACITY): AccessRing {
    if (!Number.isInteger(capacity) || capacity < 1) throw new RangeError(`AccessRing capacity must be a positive integer, got ${capacity}`);
    const buffer = new SharedArrayBuffer(R.ENTRIES_AT + capacity * R.ENTRY_BYTES);
    const header = new Int32Array(buffer, 0, R.HEADER_INTS);
    header[R.CAPACITY] = capacity;
    Atomics.store(header, 0, R.MAGIC);
    return new AccessRing(buffer, thread);
  }

  /** Reads an existing ring (made by {@link AccessRing.create}). */
  constructor(buffer: SharedArrayBuffer, thread = "") {
    const header = new Int32Array(buffer, 0, R.HEADER_INTS);
    if (header[0] !== R.MAGIC) throw new TypeError("not an interlace access ring (bad header)");
    this.buffer = buffer;
    this.thread = thread;
    this.capacity = header[R.CAPACITY]!;
    this.#header = header;
    this.#meta = new Int32Array(buffer, R.ENTRIES_AT, this.capacity * 2);
    this.#numbers = new Float64Array(buffer, R.ENTRIES_AT + this.capacity * 8, this.capacity);
    this.#bigints = new BigInt64Array(buffer, R.ENTRIES_AT + this.capacity * 8, this.capacity);
    this.#names = new Uint8Array(buffer, R.NAMES_AT, R.NAMES_BYTES);
  }

  /** Whether `SharedMutex.lock()` stops at a lock gate (`LOCK_GATE_FUNCTION`) before taking its lock. */
  get lockGates(): boolean {
    return (Atomics.load(this.#header, R.FLAGS) & R.FLAG_LOCK_GATES) !== 0;
  }

  set lockGates(on: boolean) {
    if (on) Atomics.or(this.#header, R.FLAGS, R.FLAG_LOCK_GATES);
    else Atomics.and(this.#header, R.FLAGS, ~R.FLAG_LOCK_GATES);
  }

  /** Entries waiting to be drained. */
  get size(): number {
    return Math.min(Atomics.load(this.#header, R.COUNT), this.capacity);
  }

  /**
   * The accesses made since the last drain, in order, and empties the ring.
   *
   * A step that made more accesses than the ring holds (a long loop of a thread running freely
   * past `maxSteps`, bulk work on a typed array) keeps the first {@link capacity} and ends with a
   * write of the outside world ({@link OVERFLOW_ORIGIN}): the rest were not observed, so the step
   * is taken to conflict with everything (DPOR explores its orders against every other step) and
   * the search is never called complete. The exploration goes on; it does not fail.
   */
  drain(): Access[] {
    const header = this.#header;
    const count = this.size;
    const dropped = Atomics.load(header, R.DROPPED);
    const accesses: Access[] = [];
    for (let n = 0; n < count; n++) accesses.push(this.#entry(n));
    Atomics.store(header, R.COUNT, 0);
    Atomics.store(header, R.DROPPED, 0);
    if (dropped > 0) {
      accesses.push({
        op: "write",
        location: WORLD,
        label: `thread "${this.thread}": accesses past the ${this.capacity} one step records`,
        value: `${dropped} not recorded`,
        origin: OVERFLOW_ORIGIN,
      });
    }
    return accesses;
  }

  /** The lock the thread stopped at a lock gate to take, until it took it; else null. */
  intent(): LockIntent | null {
    const id = Atomics.load(this.#header, R.INTENT_ID);
    if (id === 0) return null;
    const byteOffset = Atomics.load(this.#header, R.INTENT_OFFSET);
    return { location: `lock:sab#${id}@${byteOffset}`, label: this.#lockLabel(id, byteOffset) };
  }

  /** The human-readable name of `sab#<id>@<byteOffset>`: `cells[3]`, `buf[byte 12]`, else the location. */
  labelOf(id: number, byteOffset: number): string {
    const sab = this.#currentNames().sabs[id];
    if (sab === undefined) return `sab#${id}@${byteOffset}`;
    const [base, viewOffset, size] = sab;
    const relative = byteOffset - viewOffset;
    if (size === 0) return relative >= 0 ? `${base}[byte ${relative}]` : `${base}.buffer[byte ${byteOffset}]`;
    return relative >= 0 && relative % size === 0 ? `${base}[${relative / size}]` : `${base}.buffer[byte ${byteOffset}]`;
  }

  #entry(n: number): Access {
    const word = this.#meta[2 * n]!;
    const byteOffset = this.#meta[2 * n + 1]! >>> 0;
    const op = OPS[word & 3]!;
    const id = word >>> 8;
    if (id === R.WORLD_ID) return { op: "write", location: WORLD, label: "untraced code (a call out of traced code)", origin: "untraced code" };
    if (op === "acquire" || op === "release") return { op, location: `lock:sab#${id}@${byteOffset}`, label: this.#lockLabel(id, byteOffset) };
    if (byteOffset === WHOLE) return { op, location: `sab#${id}@*`, label: `${this.#currentNames().sabs[id]?.[0] ?? `sab#${id}`}[*]` };
    const access: Access = { op, location: `sab#${id}@${byteOffset}`, label: this.labelOf(id, byteOffset) };
    if ((word & 64) !== 0) access.value = this.#value(n, (word >>> 2) & 15);
    return access;
  }

  #value(n: number, kind: number): string {
    if (kind < FIRST_BIGINT_KIND) {
      const value = this.#numbers[n]!;
      return Object.is(value, -0) ? "-0" : String(value);
    }
    const value = this.#bigints[n]!;
    return `${ELEMENT_KINDS[kind] === "BigUint64Array" ? BigInt.asUintN(64, value) : value}n`;
  }

  #lockLabel(id: number, byteOffset: number): string {
    return this.#currentNames().locks[`${id}@${byteOffset}`] ?? this.labelOf(id, byteOffset);
  }

  #currentNames(): Names {
    const version = Atomics.load(this.#header, R.NAMES_VERSION);
    if (version !== this.#namesVersion) {
      const length = Math.min(Atomics.load(this.#header, R.NAMES_LENGTH), R.NAMES_BYTES);
      // slice(): TextDecoder refuses views of shared memory.
      const text = new TextDecoder().decode(this.#names.slice(0, length));
      this.#parsed = length === 0 ? { sabs: {}, locks: {} } : (JSON.parse(text) as Names);
      this.#namesVersion = version;
    }
    return this.#parsed;
  }
}

/**
 * The SharedArrayBuffers a worker's runtime numbers for `state`, by id: the same memory (the
 * buffers of a structured clone of `state`, walked as workers walk theirs). To read a lock's cell,
 * say, before resuming a thread stopped at a lock gate.
 */
export function sharedBuffersOf(state: unknown): Map<number, SharedArrayBuffer> {
  const found = numberSharedBuffers(structuredClone(state));
  return new Map(found.list.map((info) => [info.id, info.buffer]));
}
