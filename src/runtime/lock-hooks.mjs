// @ts-check
/**
 * What a `SharedMutex` (sync/shared-mutex.ts) asks of the runtime, installed on
 * `globalThis[Symbol.for("interlace.shared-memory.v1")]` (`SHARED_MEMORY_HOOK` in
 * protocol/messages.ts) in workers whose launch has an access ring. Outside such a worker the key
 * is absent and a SharedMutex is a plain Atomics lock.
 *
 * - `lockOf(buffer, byteOffset)`: the lock handle of that cell, or null when the buffer has no id
 *   (then nothing is recorded). The cell is marked as a lock: the mutex's own Atomics operations on
 *   it are not data accesses.
 * - `gate(handle)`: when the controller turned lock gates on (`FLAG_LOCK_GATES` in the ring
 *   header), writes the lock into the header as the thread's intent and stops at the `debugger`
 *   statement of {@link interlaceLockGate} (`LOCK_GATE_FUNCTION`). The controller resumes the
 *   thread when the lock is free, so the mutex then takes it at once.
 * - `acquired(handle)`, `released(handle)`: record `acquire`/`release`; `acquired` clears the intent.
 */
import { OP_ACQUIRE, OP_RELEASE } from "./access-ring.mjs";

/** Registry key of the hook; equal to `SHARED_MEMORY_HOOK` in protocol/messages.ts. */
export const SHARED_MEMORY_HOOK = "interlace.shared-memory.v1";

/** @typedef {{ readonly id: number, readonly byteOffset: number }} LockHandle */

/**
 * Installs the hook for the runs recorded by `recorder`.
 * @param {import("./shared-recorder.mjs").SharedRecorder} recorder
 */
export function installLockHooks(recorder) {
  const hook = {
    /** @param {unknown} buffer @param {number} byteOffset @returns {LockHandle | null} */
    lockOf(buffer, byteOffset) {
      const info = recorder.buffers.byBuffer.get(/** @type {SharedArrayBuffer} */ (buffer));
      if (info === undefined) return null;
      const cells = (info.lockCells ??= new Map());
      let handle = cells.get(byteOffset);
      if (handle === undefined) cells.set(byteOffset, (handle = Object.freeze({ id: info.id, byteOffset })));
      return handle;
    },
    /** @param {LockHandle} handle */
    gate(handle) {
      if (!recorder.ring.gatesOn()) return;
      recorder.ring.setIntent(handle.id, handle.byteOffset);
      interlaceLockGate();
    },
    /** @param {LockHandle} handle */
    acquired(handle) {
      recorder.ring.put(OP_ACQUIRE, handle.id, handle.byteOffset, 0, false, 0);
      recorder.ring.setIntent(0, 0);
    },
    /** @param {LockHandle} handle */
    released(handle) {
      recorder.ring.put(OP_RELEASE, handle.id, handle.byteOffset, 0, false, 0);
    },
  };
  Object.defineProperty(globalThis, Symbol.for(SHARED_MEMORY_HOOK), { configurable: true, writable: true, value: Object.freeze(hook) });
}

/**
 * The lock gate: the controller sees the thread paused here, before it takes the lock announced in
 * the ring header. With breakpoints deactivated (or no debugger) the statement does nothing and
 * the mutex takes the lock (or waits for it) by itself.
 */
function interlaceLockGate() {
  // eslint-disable-next-line no-debugger
  debugger;
}
