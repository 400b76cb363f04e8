// 5. explore() over worker or process threads on the anchor shape (2 threads × one increment,
// fixtures/counter/counter.mjs `increment`, markers read/write), random strategy, invariant always
// true so every attempt runs. Each attempt starts fresh isolates (no reuse yet).
// Variants: --kind=worker | --kind=process
import { DIST, emit, intArg, loadInterlace, watchdog } from "./lib/script.mjs";

const kind = process.argv.find((a) => a.startsWith("--kind="))?.slice(7) ?? "worker";
const ATTEMPTS = intArg("attempts", 20);
const disarm = watchdog(120_000);
const { explore, defineScenario, thread } = await loadInterlace();
const counter = new URL("../fixtures/counter/counter.mjs", import.meta.url);
const make = kind === "worker" ? thread.worker : thread.process;
const scenario = defineScenario({
  setup: () => ({ cells: new Int32Array(new SharedArrayBuffer(8)), log: new Int32Array(new SharedArrayBuffer(128)) }),
  threads: { t1: make(counter, "increment", [1]), t2: make(counter, "increment", [2]) },
  invariant: () => true,
});
const msPerAttempt = [];
for (let round = 0; round <= 3; round++) {
  const t0 = performance.now();
  const r = await explore(kind === "worker" ? scenario : processScenario(), { strategy: "random", seed: round, maxAttempts: ATTEMPTS });
  if (round > 0) msPerAttempt.push((performance.now() - t0) / r.numExplored);
}
emit({ kind, attempts: ATTEMPTS, msPerAttempt, dist: DIST });
disarm();

/** Processes get a serialised copy of the state (no SharedArrayBuffer); the fixture only needs the arrays. */
function processScenario() {
  return defineScenario({
    setup: () => ({ cells: new Int32Array(2), log: new Int32Array(32) }),
    threads: { t1: thread.process(counter, "increment", [1]), t2: thread.process(counter, "increment", [2]) },
    invariant: () => true,
  });
}
