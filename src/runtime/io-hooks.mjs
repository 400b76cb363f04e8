// @ts-check
/**
 * Installs the io hooks (io/drivers/patch.ts, compiled) in a worker or process thread whose launch
 * asks for them (`ThreadLaunch.io`): the thread's operations on files, connections, child
 * processes and native addons record their accesses into the thread's io channel (io-channel.mjs)
 * and, with `gates`, stop first at {@link interlaceIoGate} (`IO_GATE_FUNCTION`): at `io`
 * granularity each operation is a decision.
 */
import { builtUrl } from "./access-instrument.mjs";
import { IoChannelWriter } from "./io-channel.mjs";

/**
 * @param {{ gates: boolean, record: boolean }} io
 * @param {SharedArrayBuffer} channel
 * @returns {Promise<{ startRun(): void }>}
 */
export async function installIo(io, channel) {
  const { installIoHooks } = await import(builtUrl("io/drivers/patch.js"));
  const writer = new IoChannelWriter(channel);
  const emit = io.record ? (/** @type {object} */ access) => writer.put(access) : () => {};
  const gate = io.gates ? interlaceIoGate : () => {};
  const installed = installIoHooks({ emit, gate });
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
