// @ts-check
/**
 * The resource accesses a thread isolate's io hooks record (io/drivers/patch.ts), carried to the
 * controller through a SharedArrayBuffer as JSON lines. A worker's channel is read by the
 * controller itself while the worker is paused; a child process's by its agent worker
 * (process-agent.mjs), which sends what it read ahead of each pause and each runner event, so the
 * accesses of a step always reach the controller before the step's end.
 *
 * Layout: Int32 [0] bytes used, [1] accesses dropped because the channel was full; then the bytes.
 * Only the thread writes, only while it runs; readers read only while it is paused or idle.
 */

const HEADER = 8;
/** Bytes of a channel: at ~150 bytes an access, thousands per step. */
export const IO_CHANNEL_BYTES = 1 << 20;

/** @param {number} [bytes] */
export function createIoChannel(bytes = IO_CHANNEL_BYTES) {
  return new SharedArrayBuffer(HEADER + bytes);
}

export class IoChannelWriter {
  /** @param {SharedArrayBuffer} buffer */
  constructor(buffer) {
    this.header = new Int32Array(buffer, 0, 2);
    this.bytes = new Uint8Array(buffer, HEADER);
  }

  /** Appends one access; counts it as dropped when it does not fit. @param {object} access */
  put(access) {
    const line = Buffer.from(`${JSON.stringify(access)}\n`, "utf8");
    const used = Atomics.load(this.header, 0);
    if (used + line.length > this.bytes.length) {
      Atomics.add(this.header, 1, 1);
      return;
    }
    this.bytes.set(line, used);
    Atomics.store(this.header, 0, used + line.length);
  }

  /** Forgets what the channel holds (a new run). */
  reset() {
    Atomics.store(this.header, 0, 0);
    Atomics.store(this.header, 1, 0);
  }
}

/**
 * Takes everything the channel holds and empties it.
 * @param {SharedArrayBuffer} buffer
 * @returns {{ accesses: object[], dropped: number }}
 */
export function drainIoChannel(buffer) {
  const header = new Int32Array(buffer, 0, 2);
  const used = Atomics.load(header, 0);
  const dropped = Atomics.load(header, 1);
  if (used === 0 && dropped === 0) return { accesses: [], dropped: 0 };
  const text = Buffer.from(new Uint8Array(buffer, HEADER, used)).toString("utf8");
  Atomics.store(header, 0, 0);
  Atomics.store(header, 1, 0);
  const accesses = text === "" ? [] : text.split("\n").filter((l) => l !== "").map((l) => JSON.parse(l));
  return { accesses, dropped };
}
