// 2. Wall time of one 4-step lost-update marker schedule, end to end through the public API.
// Variants (--variant=...):
//   bank-workers    examples/bank: 2 worker threads, TypeScript through tsx, SharedArrayBuffer
//   bank-processes  examples/bank-sqlite: 2 child processes, TypeScript through tsx, better-sqlite3
//   counter-workers fixtures/counter/counter.mjs: 2 worker threads, plain JS (no tsx in the threads)
// The bank scenarios are .ts files, loaded here with tsx's tsImport(). Not with `node --import tsx`:
// worker threads inherit the controller's execArgv, so every worker would load tsx a second time.
import { register } from "node:module";
import { tsImport } from "tsx/esm/api";
import { DIST, emit, intArg, loadInterlace, watchdog } from "./lib/script.mjs";

register("./lib/interlace-alias.mjs", import.meta.url, { data: { target: new URL("index.js", DIST).href } });
const { TraceExecutor, defineScenario, thread } = await loadInterlace();

const variants = {
  "bank-workers": async () => ({
    scenario: (await tsImport("../examples/bank/scenario.ts", import.meta.url)).default,
    schedule: "t1:read_balance t2:read_balance t1:write_balance t2:write_balance",
  }),
  "bank-processes": async () => ({
    scenario: (await tsImport("../examples/bank-sqlite/scenario.ts", import.meta.url)).default,
    schedule: "p1:read_balance p2:read_balance p1:write_balance p2:write_balance",
  }),
  "counter-workers": async () => {
    const counter = new URL("../fixtures/counter/counter.mjs", import.meta.url);
    return {
      scenario: defineScenario({
        setup: () => ({
          cells: new Int32Array(new SharedArrayBuffer(8)),
          log: new Int32Array(new SharedArrayBuffer(128)),
        }),
        threads: {
          t1: thread.worker(counter, "increment", [1]),
          t2: thread.worker(counter, "increment", [2]),
        },
        invariant: (s) => s.cells[0] === 2,
      }),
      schedule: "t1:read t2:read t1:write t2:write",
    };
  },
};

const name = process.argv.find((a) => a.startsWith("--variant="))?.slice(10);
if (!variants[name]) throw new Error(`--variant= one of ${Object.keys(variants).join(", ")}`);
const runs = intArg("runs", 10);
const { scenario, schedule } = await variants[name]();

const disarm = watchdog(90_000);
const runOnce = () => new TraceExecutor(schedule, { timeout: 10_000 }).run(scenario);
await runOnce(); // warm-up
const timings = { setupMs: [], startupMs: [], scheduleMs: [], totalMs: [] };
let lostUpdates = 0;
for (let i = 0; i < runs; i++) {
  const result = await runOnce();
  for (const key of Object.keys(timings)) timings[key].push(result.timings[key]);
  if (!result.invariantHolds) lostUpdates += 1;
}
disarm();

emit({ timings, runs, lostUpdates });
