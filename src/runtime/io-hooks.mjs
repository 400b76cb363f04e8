// @ts-check
/**
 * Installs the io hooks (io/drivers/patch.ts, compiled) in a worker or process thread whose launch
 * asks for them (`ThreadLaunch.io`): the thread's operations on files, connections, child
 * processes and native addons record their accesses into the thread's io channel (io-channel.mjs)
 * and, with `gates`, stop first at {@link interlaceIoGate} (`IO_GATE_FUNCTION`): at `io`
 * granularity each operation is a decision. With `lockGates`, a database statement that needs row
 * or advisory locks stops at {@link interlaceIoLockGate} (`IO_LOCK_GATE_FUNCTION`) instead, and the
 * controller holds it there while another thread keeps one of them.
 */
import { builtUrl } from "./access-instrument.mjs";
import { IoChannelWriter } from "./io-channel.mjs";

/**
 * @param {{ gates: boolean, record: boolean, lockGates?: boolean }} io
 * @param {SharedArrayBuffer} channel
 * @returns {Promise<{ startRun(): void }>}
 */
export async function installIo(io, channel) {
  const { installIoHooks } = await import(builtUrl("io/drivers/patch.js"));
  const writer = new IoChannelWriter(channel);
  const emit = io.record ? (/** @type {object} */ access) => writer.put(access) : () => {};
  const gate = io.gates ? interlaceIoGate : () => {};
  const installed = installIoHooks({ emit, gate, ...(io.lockGates ? { lockGate: interlaceIoLockGate } : {}) });
  return {
    startRun() {
      installed.reset();
      writer.reset();
    },
  };
}

/**
 * The io gate: the controller sees the thread paused here, before the operation the caller is
 * about to make. Without a debugger attached (or with breakpoints deactivated) it does nothing.
 */
function interlaceIoGate() {
  // eslint-disable-next-line no-debugger
  debugger;
}

/**
 * The lock gate of a database statement: the controller sees the thread paused here, reads
 * `wanted` (the locks, as JSON) from this frame, and resumes the thread once no other thread holds
 * them (at io granularity it is the operation's decision too).
 * @param {ReadonlyArray<{ location: string, label: string, mode: "read" | "write" }>} locks
 */
function interlaceIoLockGate(locks) {
  const wanted = JSON.stringify(locks);
  // eslint-disable-next-line no-debugger
  debugger;
  // Used after the pause, so that it is live there: once this function was hot (a long search in a
  // reused isolate), the optimiser dropped an unused `wanted`, the controller read `undefined`, and
  // the lock gate became a plain gate (exhaustive search reported "exploration diverged").
  return wanted;
}
