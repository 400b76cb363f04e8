// 1a. Bare CDP over the inspector WebSocket: a child started with --inspect-brk=127.0.0.1:0, driven
// with chrome-remote-interface; a breakpoint at the tick marker, one Debugger.resume per pause.
// Each cycle stalls on loopback delayed ACKs (~44 ms), so this one uses few cycles.
import { spawn } from "node:child_process";
import { fileURLToPath } from "node:url";
import CDP from "chrome-remote-interface";
import { CycleClock } from "./lib/cycle-clock.mjs";
import { TICKER_URL, TICK_LINE, emit, intArg, reap, watchdog } from "./lib/script.mjs";

const clock = new CycleClock({ warmup: intArg("warmup", 3), batches: intArg("batches", 3), batchSize: intArg("batch", 10) });
const target = fileURLToPath(new URL("./targets/ws-target.mjs", import.meta.url));
const child = spawn(process.execPath, ["--inspect-brk=127.0.0.1:0", target, String(clock.totalPauses)], {
  stdio: ["ignore", "ignore", "pipe"],
});
const disarm = watchdog(60_000, () => child.kill("SIGKILL"));

const wsUrl = await new Promise((resolve, reject) => {
  let text = "";
  child.stderr.setEncoding("utf8");
  child.stderr.on("data", (chunk) => {
    text += chunk;
    const match = /Debugger listening on (ws:\/\/\S+)/.exec(text);
    if (match) resolve(match[1]);
  });
  child.once("exit", (code) => reject(new Error(`target exited with ${code} before listening:\n${text}`)));
});

const client = await CDP({ target: wsUrl, local: true });
// Messages in = events + one response per command sent.
let events = 0;
let commands = 0;
client.on("event", () => (events += 1));
const send = (method, params) => {
  commands += 1;
  return client.send(method, params);
};
let breakpointId;
let pausedBytes;
const done = new Promise((resolve) => {
  client.on("Debugger.paused", (params) => {
    if (params.hitBreakpoints?.includes(breakpointId)) {
      // Size of the event as the inspector sent it, re-serialised (compact JSON, like the wire).
      pausedBytes ??= Buffer.byteLength(JSON.stringify({ method: "Debugger.paused", params }));
      if (clock.pause()) return resolve();
    }
    send("Debugger.resume").catch(() => {});
  });
});
await send("Debugger.enable");
({ breakpointId } = await send("Debugger.setBreakpointByUrl", { url: TICKER_URL.href, lineNumber: TICK_LINE }));
await send("Runtime.runIfWaitingForDebugger");
await done;
// Closing the session drops its breakpoints and resumes the isolate: the target finishes and exits.
await client.close();
await reap(child, 3000);
disarm();

const perCycle = (n) => n / clock.totalPauses;
emit({ usPerCycle: clock.usPerCycle(), samples: clock.samples, pausedBytes, approxBytes: true, inPerCycle: perCycle(events + commands), outPerCycle: perCycle(commands) });
