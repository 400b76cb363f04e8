/**
 * What a worker or process thread writes on client sockets (the io hooks, `patch.ts`).
 *
 * `Socket#write` is inherited from `stream.Writable` (it is not an own method of `net.Socket`'s
 * prototype), so it is wrapped on that prototype explicitly: a write a thread makes on a socket is
 * a write of the peer's endpoint, a step of its own at io granularity. Conservative: what the
 * server does with the bytes is not observed. Before, the patch looked for an own `write` and
 * wrapped nothing, so a client interlace does not model (node-redis in a process, a hand-written
 * protocol) sent its commands unseen and DPOR called the search complete.
 *
 * **Session sockets** record nothing when written: the sockets a modelled driver opens (the
 * `Socket#connect` of a pg, SQLite, ioredis or node-redis operation in progress), and the sockets
 * whose connect was a session a modelled client announced (ioredis and node-redis connect a tick
 * after their `connect()`). Every command such a client sends was recorded when the thread called
 * it (as SQL rows, Redis keys, or a write of the outside world where not modelled); its bytes,
 * sent later from the client's queue, are the same operations again.
 *
 * @module
 */
import { createRequire } from "node:module";
import { classifyConnect } from "../net.js";
import { emitEffect, emitWorld, type DriverOp, type Finish } from "./common.js";
import { calls } from "./patch-depth.js";

const require_ = createRequire(import.meta.url);
const net = require_("node:net") as typeof import("node:net");

/** Sockets whose writes are recorded by a modelled client's operations already. */
const sessionSockets = new WeakSet<object>();

/** How many modelled driver operations are in progress: a socket they connect is a session socket. */
export const driverCalls = { depth: 0 };

/** Runs `fn` as a modelled driver operation (see {@link driverCalls}). */
export function asDriver<T>(fn: () => T): T {
  driverCalls.depth += 1;
  try {
    return fn();
  } finally {
    driverCalls.depth -= 1;
  }
}

/**
 * The finish of a connect that was an announced session: its socket (the receiver of
 * `Socket#connect`, or what `net.connect` returned) becomes a session socket.
 */
export function sessionConnect(receiver: unknown, finish: Finish | void): Finish {
  return (result, error) => {
    const value = finish === undefined ? result : finish(result, error);
    if (!error) {
      const socket = receiver instanceof net.Socket ? receiver : value;
      if (socket instanceof net.Socket) sessionSockets.add(socket);
    }
    return value;
  };
}

/** `Socket#write`: a write of the peer's endpoint (standard output and error are not resources). */
const socketWrite: DriverOp = (socket, args, emit) => {
  const s = socket as { remoteAddress?: string; remotePort?: number; _pipeName?: string };
  const target = s.remoteAddress !== undefined && s.remotePort !== undefined ? { host: s.remoteAddress, port: s.remotePort } : typeof s._pipeName === "string" ? { path: s._pipeName } : null;
  if (target === null) return emitWorld("node:net", "socket write", "socket.write(…) on a socket without a known peer", emit);
  const effect = classifyConnect(target);
  emitEffect({ ...effect, text: `${effect.text.replace(/^connect /, "write to ")}: ${bytesText(args[0])}` }, "node:net", "socket", emit);
};

/** The start of what a socket write sends, as text (binary data shown by its length). */
function bytesText(data: unknown): string {
  const text = typeof data === "string" ? data : data instanceof Uint8Array ? Buffer.from(data.buffer, data.byteOffset, data.byteLength).toString("latin1") : "";
  if (text === "" && data instanceof Uint8Array) return `${data.byteLength} bytes`;
  return /^[\x20-\x7e\r\n\t]*$/.test(text) ? JSON.stringify(text) : `${text.length} bytes`;
}

/** Whether a write on `socket` records nothing: a session socket, or the process's own output. */
function quietSocket(socket: unknown): boolean {
  return socket === process.stdout || socket === process.stderr || (socket !== null && typeof socket === "object" && sessionSockets.has(socket));
}

type Wrap = (fn: Function, op: DriverOp) => Function;

/**
 * Wraps `Socket#write` (inherited, so defined on `net.Socket.prototype`) and marks the sockets
 * modelled drivers connect. Call after `Socket#connect` itself was wrapped.
 */
export function patchSockets(wrap: Wrap): void {
  const proto = net.Socket.prototype as unknown as Record<string, Function>;
  const write = proto["write"]!;
  const recorded = wrap(write, socketWrite);
  proto["write"] = function (this: unknown, ...args: unknown[]): unknown {
    return Reflect.apply(calls.depth > 0 || quietSocket(this) ? write : recorded, this, args);
  };
  const connect = proto["connect"]!;
  proto["connect"] = function (this: object, ...args: unknown[]): unknown {
    if (driverCalls.depth > 0) sessionSockets.add(this);
    return Reflect.apply(connect, this, args);
  };
}
