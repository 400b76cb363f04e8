// Watches the CDP traffic of interlace's controller without touching interlace: the NodeWorker
// session (workers) and the fd-3 channel (processes) created while `capture()` is active. It
// records the size of the Debugger.paused events at markers and counts messages in and out.
// Import it before dist/ so the patched child_process.spawn is the one interlace binds to.
// Inactive, it adds nothing to a run: it only instruments sessions and channels made during capture.
import childProcess from "node:child_process";
import { Session } from "node:inspector";
import { syncBuiltinESMExports } from "node:module";
import { DIST } from "./script.mjs";

const { LineReader } = await import(new URL("runtime/line-reader.mjs", DIST).href);

let active = false;
let stats;

function received(raw) {
  stats.in += 1;
  if (!raw.startsWith('{"method":"Debugger.paused"')) return;
  if (!JSON.parse(raw).params.hitBreakpoints?.length) return;
  stats.markerPauses += 1;
  stats.pausedBytes = Math.max(stats.pausedBytes ?? 0, Buffer.byteLength(raw));
}

const connect = Session.prototype.connect;
Session.prototype.connect = function (...args) {
  const result = connect.apply(this, args);
  if (active) {
    this.on("NodeWorker.receivedMessageFromWorker", ({ params }) => received(params.message));
    const post = this.post;
    this.post = function (method, ...rest) {
      if (method === "NodeWorker.sendMessageToWorker") stats.out += 1;
      return post.call(this, method, ...rest);
    };
  }
  return result;
};

const spawn = childProcess.spawn;
childProcess.spawn = function (...args) {
  const child = spawn.apply(this, args);
  const channel = child.stdio[3];
  if (active && channel) {
    const reader = new LineReader((line) => {
      if (line[0] === "C") received(line.slice(1));
    });
    channel.on("data", (chunk) => reader.push(String(chunk)));
    const write = channel.write;
    channel.write = function (data, ...rest) {
      if (String(data)[0] === "C") stats.out += 1;
      return write.call(this, data, ...rest);
    };
  }
  return child;
};
syncBuiltinESMExports();

/**
 * Runs `fn` with capture on. Returns the largest marker Debugger.paused (bytes) and the CDP
 * messages received and sent per marker pause, over the whole run (setup included).
 */
export async function capture(fn) {
  active = true;
  stats = { in: 0, out: 0, markerPauses: 0, pausedBytes: undefined };
  try {
    await fn();
  } finally {
    active = false;
  }
  const per = (n) => (stats.markerPauses ? n / stats.markerPauses : undefined);
  return { pausedBytes: stats.pausedBytes, inPerCycle: per(stats.in), outPerCycle: per(stats.out) };
}
