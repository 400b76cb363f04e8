// 1d. interlace's own controller on the same loop program: one thread (a worker thread, or a child
// process with --kind=process) calls tick(shared, N) under a schedule of N "t1:tick" steps, so
// every iteration is one marker pause and one scheduling decision. Cycle = timings.scheduleMs / N.
import { capture } from "./lib/paused-size-spy.mjs";
import { TICKER_URL, emit, intArg, loadInterlace, watchdog } from "./lib/script.mjs";

const { TraceExecutor, defineScenario, thread } = await loadInterlace();

const kind = process.argv.includes("--kind=process") ? "process" : "worker";
const steps = intArg("steps", 2000);
const runs = intArg("runs", 5);

function scenario(n) {
  return defineScenario({
    setup: () => (kind === "worker" ? { counter: new Int32Array(new SharedArrayBuffer(4)) } : {}),
    threads: { t1: thread[kind](TICKER_URL, "tick", [n]) },
    invariant: (state) => kind !== "worker" || state.counter[0] === n,
  });
}

async function run(n) {
  const schedule = Array.from({ length: n }, () => "t1:tick").join(" ");
  const result = await new TraceExecutor(schedule, { timeout: 10_000 }).run(scenario(n));
  if (!result.invariantHolds || result.trace.length !== n) throw new Error(`run of ${n} steps went wrong: ${result.invariantFailure}`);
  return result.timings;
}

const disarm = watchdog(90_000);
// The warm-up run also measures the traffic (message sizes and counts); timed runs are not watched.
const traffic = await capture(() => run(steps));
const usPerCycle = [];
const startupMs = [];
for (let i = 0; i < runs; i++) {
  const timings = await run(steps);
  usPerCycle.push((timings.scheduleMs * 1000) / steps);
  startupMs.push(timings.startupMs);
}
disarm();

emit({ usPerCycle, startupMs, samples: `${runs} runs × ${steps} steps`, ...traffic });
