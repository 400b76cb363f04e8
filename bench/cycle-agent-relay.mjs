// 1c. Bare fd-3 agent relay to a child process: the child inherits a Unix socketpair as fd 3 and
// runs interlace's agent worker (dist/runtime/process-agent.mjs), which relays CDP for the child's
// main thread as newline-delimited frames. This script speaks the raw frames itself: "C"+JSON for
// CDP, "S"+JSON to start, "R"+JSON back when the target is done. One Debugger.resume per pause.
import { spawn } from "node:child_process";
import { fileURLToPath } from "node:url";
import { CycleClock } from "./lib/cycle-clock.mjs";
import { DIST, TICKER_URL, TICK_LINE, emit, intArg, reap, watchdog } from "./lib/script.mjs";

const { LineReader } = await import(new URL("runtime/line-reader.mjs", DIST).href);

const clock = new CycleClock({ warmup: intArg("warmup", 500), batches: intArg("batches", 5), batchSize: intArg("batch", 2000) });
const child = spawn(process.execPath, [fileURLToPath(new URL("./targets/agent-target.mjs", import.meta.url))], {
  stdio: ["ignore", "ignore", "inherit", "pipe"],
});
const disarm = watchdog(60_000, () => child.kill("SIGKILL"));
const channel = child.stdio[3];
channel.setEncoding("utf8");

let nextId = 1;
let received = 0;
const pending = new Map();
let onPaused = () => {};
let onRunner = () => {};
const reader = new LineReader((line) => {
  if (line[0] === "C") {
    received += 1;
    const message = JSON.parse(line.slice(1));
    if (message.id !== undefined) {
      pending.get(message.id)?.(message);
      pending.delete(message.id);
    } else if (message.method === "Debugger.paused") {
      onPaused(message.params, line);
    }
  } else if (line[0] === "R") {
    onRunner(JSON.parse(line.slice(1)));
  }
});
channel.on("data", (chunk) => reader.push(chunk));
const sendRaw = (method, params) => {
  const id = nextId++;
  channel.write(`C${JSON.stringify({ id, method, params })}\n`);
  return id;
};
const call = (method, params) => new Promise((resolve) => pending.set(sendRaw(method, params), resolve));

let pausedBytes;
const finished = new Promise((resolve) => (onRunner = resolve));
const lastPause = new Promise((resolve) => {
  onPaused = (params, line) => {
    if (params.hitBreakpoints?.length) {
      pausedBytes ??= Buffer.byteLength(line) - 1; // the JSON, without the "C" of the frame
      if (clock.pause()) resolve();
    }
    sendRaw("Debugger.resume");
  };
});
await call("Debugger.enable");
await call("Debugger.setBreakpointByUrl", { url: TICKER_URL.href, lineNumber: TICK_LINE });
channel.write(`S${JSON.stringify({ iterations: clock.totalPauses })}\n`);
await lastPause;
const { total } = await finished;

// Closing the channel makes the agent end its session and the child exit.
channel.end();
await reap(child, 3000);
disarm();

const perCycle = (n) => n / clock.totalPauses;
emit({ usPerCycle: clock.usPerCycle(), samples: clock.samples, pausedBytes, inPerCycle: perCycle(received), outPerCycle: perCycle(nextId - 1), iterations: total });
