// @ts-check
/**
 * The runtime's `Atomics` wrappers.
 *
 * Always: `Atomics.wait` and `Atomics.notify`, so that the controller can tell a blocked thread
 * from a slow one without timing anything. A thread about to block reports where, and every
 * notify adds the number of waiters it woke to the controller's shared counter (`control[0]`)
 * before the notifying thread goes on, so that count is exact whenever the notifier next pauses.
 * Timed waits end by themselves and are left alone.
 *
 * The report reaches the controller before the thread is asleep. The controller then confirms
 * with a `Debugger.pause`: no JavaScript runs between the report and the builtin wait (no
 * interrupt check), so the pause is taken inside V8's wait loop, where the thread is already
 * registered as a waiter, with `interlaceAtomicsWait` (BLOCKING_WAIT_FUNCTION) on top of the
 * stack. Only then does another thread run: a notify cannot slip between the report and the sleep.
 *
 * With a recorder (the launch has an access ring), every other operation too, and each records
 * its access to an element of a numbered SharedArrayBuffer: `load` and `wait`/`waitAsync` read;
 * `store`, `add`, `sub`, `and`, `or`, `xor`, `exchange` write (with the value written);
 * `compareExchange` writes when it swapped and reads otherwise; `notify` writes (it changes the
 * waiters of that cell). A wait records its read before it reports the thread blocked. Values are
 * recorded when the arguments are primitives (an object argument would run its `valueOf` again).
 * Calls whose index is an object, a symbol or a BigInt are not recorded.
 */
import { callerStack } from "./format-error.mjs";
import { OP_READ, OP_WRITE } from "./access-ring.mjs";

/**
 * An Atomics function as the wrappers see it (the arguments are whatever the caller passed).
 * @typedef {(array: any, index: any, value?: any, other?: any) => any} Operation
 */

/** Per element kind code, a scratch array converting a value as a store into that kind does. */
const SCRATCH = [
  null,
  new Int8Array(2),
  new Uint8Array(2),
  new Uint8ClampedArray(2),
  new Int16Array(2),
  new Uint16Array(2),
  new Int32Array(2),
  new Uint32Array(2),
  new Float32Array(2),
  new Float64Array(2),
  new BigInt64Array(2),
  new BigUint64Array(2),
];

/**
 * Replaces the `Atomics` functions (see the module doc).
 * @param {(event: import("../protocol/messages.js").RunnerEvent) => void} post
 * @param {SharedArrayBuffer | undefined} control
 * @param {import("./shared-recorder.mjs").SharedRecorder | null} recorder
 */
export function wrapAtomics(post, control, recorder) {
  const wakes = new Int32Array(control ?? new SharedArrayBuffer(4));
  const { wait, notify, load, add } = Atomics;
  const record = recorder;
  define("wait", function interlaceAtomicsWait(/** @type {Int32Array} */ array, /** @type {number} */ index, /** @type {number} */ value, /** @type {number | undefined} */ timeout) {
    const untimed = timeout === undefined || timeout === Infinity || Number.isNaN(Number(timeout));
    if (untimed && load(array, index) === value) {
      if (record !== null) record.element(OP_READ, array, index, false, 0);
      const stack = callerStack();
      const on = `${array?.constructor?.name ?? "array"}(${array?.length})[${index}]`;
      post({ type: "blocked", stack, on });
      // Nothing between the report and the wait (see above).
      return wait(array, index, value);
    }
    if (record !== null) record.element(OP_READ, array, index, false, 0);
    return wait(array, index, value, timeout);
  });
  define("notify", function interlaceAtomicsNotify(/** @type {Int32Array} */ array, /** @type {number} */ index, /** @type {number | undefined} */ count) {
    const woken = notify(array, index, count);
    if (record !== null) record.element(OP_WRITE, array, index, false, 0);
    if (woken > 0) add(wakes, 0, woken);
    return woken;
  });
  if (record !== null) wrapDataOperations(record);
}

/**
 * The recording wrappers of the other operations.
 * @param {import("./shared-recorder.mjs").SharedRecorder} record
 */
function wrapDataOperations(record) {
  const { load, store, exchange, compareExchange, waitAsync } = /** @type {{ [name in "load" | "store" | "exchange" | "compareExchange" | "waitAsync"]: Operation }} */ (/** @type {unknown} */ (Atomics));
  /** `value` as an element of `array` holds it; NO_VALUE when converting it again could run user code. */
  const converted = (/** @type {unknown} */ array, /** @type {unknown} */ value) => {
    const scratch = SCRATCH[record.kindOf(array)];
    if (scratch == null || (typeof value === "object" && value !== null) || typeof value === "symbol" || typeof value === "function") return NO_VALUE;
    scratch[0] = /** @type {never} */ (value);
    return /** @type {number | bigint} */ (scratch[0]);
  };
  /** @param {unknown} array @param {unknown} index @param {number | bigint | typeof NO_VALUE} value */
  const wrote = (array, index, value) => {
    if (value === NO_VALUE) record.element(OP_WRITE, array, index, false, 0);
    else record.element(OP_WRITE, array, index, true, value);
  };
  const methods = {
    /** @type {Operation} */
    load(array, index) {
      const value = load(array, index);
      record.element(OP_READ, array, index, true, value);
      return value;
    },
    /** @type {Operation} */
    store(array, index, value) {
      const result = store(array, index, value);
      wrote(array, index, converted(array, result));
      return result;
    },
    /** @type {Operation} */
    exchange(array, index, value) {
      const old = exchange(array, index, value);
      wrote(array, index, converted(array, value));
      return old;
    },
    /** @type {Operation} */
    compareExchange(array, index, expected, replacement) {
      const old = compareExchange(array, index, expected, replacement);
      const wanted = converted(array, expected);
      if (wanted === NO_VALUE || old === wanted) wrote(array, index, converted(array, replacement));
      else record.element(OP_READ, array, index, true, old);
      return old;
    },
    /** @type {Operation} */
    waitAsync(array, index, value, timeout) {
      record.element(OP_READ, array, index, false, 0);
      return waitAsync(array, index, value, timeout);
    },
  };
  for (const [name, fn] of Object.entries(methods)) if (name !== "waitAsync" || waitAsync !== undefined) define(name, fn);
  for (const name of /** @type {const} */ (["add", "sub", "and", "or", "xor"])) define(name, readModifyWrite(name, converted, wrote));
}

/**
 * A wrapper of `Atomics[name]`, which returns the old value and writes `old <op> value`.
 * @param {"add" | "sub" | "and" | "or" | "xor"} name
 * @param {(array: unknown, value: unknown) => number | bigint | typeof NO_VALUE} converted
 * @param {(array: unknown, index: unknown, value: number | bigint | typeof NO_VALUE) => void} wrote
 */
function readModifyWrite(name, converted, wrote) {
  const operation = /** @type {Operation} */ (/** @type {unknown} */ (Atomics[name]));
  const combine = COMBINE[name];
  const methods = {
    /** @type {Operation} */
    [name](array, index, value) {
      const old = operation(array, index, value);
      const operand = converted(array, value);
      wrote(array, index, operand === NO_VALUE ? NO_VALUE : converted(array, combine(old, operand)));
      return old;
    },
  };
  return /** @type {Function} */ (methods[name]);
}

/** Marks a value that could not be converted without running user code. */
const NO_VALUE = Symbol("no value");

/** The arithmetic of each read-modify-write (the result is then converted to the element kind). */
const COMBINE = {
  add: (/** @type {any} */ a, /** @type {any} */ b) => a + b,
  sub: (/** @type {any} */ a, /** @type {any} */ b) => a - b,
  and: (/** @type {any} */ a, /** @type {any} */ b) => a & b,
  or: (/** @type {any} */ a, /** @type {any} */ b) => a | b,
  xor: (/** @type {any} */ a, /** @type {any} */ b) => a ^ b,
};

/**
 * @param {string} name
 * @param {Function} value
 */
function define(name, value) {
  Object.defineProperty(Atomics, name, { configurable: true, writable: true, value });
  // The wrappers record their own accesses: a call of one is no untraced effect (src/access/callees.ts,
  // whose registry key this repeats).
  const registry = /** @type {Record<symbol, WeakSet<Function> | undefined>} */ (/** @type {unknown} */ (globalThis));
  (registry[Symbol.for("interlace.modelled.v1")] ??= new WeakSet()).add(value);
}
