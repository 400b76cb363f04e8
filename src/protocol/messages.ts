/**
 * Messages between the controller and the isolate-side runtime (src/runtime/*.mjs).
 * The runtime files are plain JavaScript; they follow these shapes.
 */

/** What a thread isolate must run. */
export interface ThreadLaunch {
  /** Thread name, for messages. */
  thread: string;
  /** `file:` URL of the module to import. */
  moduleUrl: string;
  /** Export to call as `fn(state, ...args)`. */
  exportName: string;
  args: unknown[];
  /** Register tsx's ESM and CJS hooks before importing (TypeScript modules). */
  useTsx: boolean;
  /**
   * Workers: the controller's counter of waiters woken by `Atomics.notify` (an Int32Array of one
   * element over it), shared by every worker of a run.
   */
  control?: SharedArrayBuffer;
  /**
   * Workers whose shared accesses are recorded: the thread's access ring (see {@link ACCESS_RING}),
   * which the runtime fills as the thread runs and the controller drains while it is paused
   * (`controller/access-ring.ts`). Absent: nothing is recorded and no access transform is loaded.
   */
  accesses?: SharedArrayBuffer;
  /**
   * With `accesses`: picomatch globs of the packages in `node_modules` whose files the access
   * transform instruments too (as `TraceFilter`'s `tracePackages`; default none).
   */
  tracePackages?: string[];
  /**
   * The io hooks (`io/drivers/patch.ts`): `gates`, stop at each external operation (`io`
   * granularity); `record`, write each operation's resource accesses into the io channel
   * (`runtime/io-channel.mjs`): `channel` for a worker (the controller reads it), the child's own
   * for a process (its agent sends what it holds before each pause, as an `A` frame).
   */
  io?: { gates: boolean; record: boolean; lockGates?: boolean; channel?: SharedArrayBuffer };
}

/** Reports from the runtime to the controller. The ready point is a pause, not a message. */
export type RunnerEvent =
  | { type: "load-failed"; detail: string }
  | { type: "export-missing"; available: string[] }
  /** `pending`: resource types still active past the quiet limit (runtime/quiet.mjs), when it was not reached. */
  | { type: "returned"; pending?: string[] }
  | { type: "threw"; stack: string }
  /** The thread is about to block in an untimed `Atomics.wait` on `on`, e.g. `Int32Array(8)[1]` (the stack says where). */
  | { type: "blocked"; stack: string; on: string };

/** Name of the runtime's `Atomics.wait` wrapper: on top of the stack of a thread asleep in a wait. */
export const BLOCKING_WAIT_FUNCTION = "interlaceAtomicsWait";

/** Name of the runtime function whose `debugger` statement is each thread's ready point. */
export const READY_FUNCTION = "interlaceThreadReady";

/**
 * Name of the runtime function whose `debugger` statement is a lock gate: a `SharedMutex.lock()`
 * about to take its lock while the ring's {@link ACCESS_RING}`.FLAG_LOCK_GATES` is on. The lock it
 * wants is in the ring header (`INTENT_ID`, `INTENT_OFFSET`); the controller resumes the thread only
 * when that lock is free, and the lock is then taken at once.
 */
export const LOCK_GATE_FUNCTION = "interlaceLockGate";

/** Name of the runtime function whose `debugger` statement is an io gate (runtime/io-hooks.mjs). */
export const IO_GATE_FUNCTION = "interlaceIoGate";

/**
 * Name of the runtime function whose `debugger` statement is the lock gate of a database
 * statement in a worker or process (runtime/io-hooks.mjs): its local `wanted` is the JSON list of
 * the locks the statement needs.
 */
export const IO_LOCK_GATE_FUNCTION = "interlaceIoLockGate";

/**
 * Registry key (`Symbol.for`) of the runtime's hook for `SharedMutex` in a worker with an access
 * ring (`runtime/lock-hooks.mjs`): how a lock reports `acquire`/`release` and stops at lock gates.
 */
export const SHARED_MEMORY_HOOK = "interlace.shared-memory.v1";

/**
 * Layout of an access ring: one SharedArrayBuffer per worker thread, written by the runtime
 * (`runtime/access-ring.mjs`, which repeats these numbers) while the thread runs, read and reset by
 * the controller while it is paused. Byte offsets and Int32 indices:
 *
 * - header, `HEADER_INTS` Int32 at byte 0: `MAGIC`, `CAPACITY` (entries), `COUNT` (entries
 *   written since the last drain, stored last with `Atomics.store`), `DROPPED` (entries that did
 *   not fit since the last drain), `FLAGS` (set by the controller: `FLAG_LOCK_GATES`), the lock
 *   intent (`INTENT_ID`: SAB id, 0 when none; `INTENT_OFFSET`: byte offset of the lock cell),
 *   `NAMES_LENGTH` and `NAMES_VERSION` (bumped whenever the runtime rewrites the names);
 * - names, `NAMES_BYTES` at byte `NAMES_AT`: UTF-8 JSON of the run's SharedArrayBuffer labels,
 *   `{ sabs: { [id]: [base, viewByteOffset, elementSize] }, locks: { "id@byteOffset": label } }`
 *   (`elementSize` 0: a bare buffer or a DataView, labelled by byte);
 * - entries at byte `ENTRIES_AT`: `CAPACITY` × 2 Int32, `[id << 8 | hasValue << 6 | kind << 2 | op, byteOffset]`
 *   (`byteOffset` -1: the whole typed array, for ranges too long to record by element; `id`
 *   `WORLD_ID`: a write of the outside world, a call into code whose effects were not observed)
 *   (`op`: 0 read, 1 write, 2 acquire, 3 release; `kind`: the element type, `ELEMENT_KINDS[kind]`);
 * - values at byte `ENTRIES_AT + CAPACITY * 8`: `CAPACITY` × 8 bytes, a Float64 or (BigInt kinds)
 *   a BigInt64 per entry, meaningful when `hasValue` is set.
 */
export const ACCESS_RING = {
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
} as const;

/** Element types of ring entries, by kind code (0: none). */
export const ELEMENT_KINDS = [
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
] as const;


/**
 * Frames on the process channel (the child's fd 3), one per line; the first character says what
 * follows: a CDP message, a runner event, or the start order.
 */
export const FRAME_CDP = "C";
export const FRAME_RUNNER = "R";
export const FRAME_START = "S";
/** Agent → controller: the resource accesses the thread recorded since the last such frame (a JSON array). */
export const FRAME_ACCESSES = "A";
/** The go-ahead of a thread resumed out of its ready point (sent just before the resume). */
export const FRAME_PROCEED = "P";

/**
 * Payload of a start frame: the state, `v8.serialize`d and base64-encoded, with the launch on the
 * first frame; later frames start the next run of the same thread in the same process.
 */
export interface StartFrame {
  launch?: ThreadLaunch;
  state: string;
}

/**
 * How long a thread whose function returned waits for the work it left behind (promise chains,
 * timers, I/O) before it reports anyway (runtime/quiet.mjs keeps the same value).
 */
export const QUIET_LIMIT_MS = 2000;
