// 5. explore() over worker or process threads, random strategy (markers strategy for marker
// granularity), invariant always true so every attempt runs to its end. The isolates are launched
// by the first attempt and reused by the others: reported are the first attempt (launch included)
// and the median of the later ones.
// Variants: --kind=worker | process; --granularity=statements | markers;
//           --program=anchor (bench/targets/sab-counter.mjs) | logged (fixtures/counter/counter.mjs)
import { DIST, emit, intArg, loadInterlace, watchdog } from "./lib/script.mjs";

const arg = (name, fallback) => process.argv.find((a) => a.startsWith(`--${name}=`))?.slice(name.length + 3) ?? fallback;
const kind = arg("kind", "worker");
const granularity = arg("granularity", "statements");
const program = arg("program", "anchor");
const ATTEMPTS = intArg("attempts", 200);
const disarm = watchdog(180_000);
const { explore, defineScenario, thread } = await loadInterlace();
const module = program === "anchor" ? new URL("./targets/sab-counter.mjs", import.meta.url) : new URL("../fixtures/counter/counter.mjs", import.meta.url);
const make = kind === "worker" ? thread.worker : thread.process;
// Processes get a serialised copy of the state (no SharedArrayBuffer); the programs only need the arrays.
const array = (n) => (kind === "worker" ? new Int32Array(new SharedArrayBuffer(4 * n)) : new Int32Array(n));
const scenario = defineScenario({
  setup: () => ({ cells: array(2), log: array(32) }),
  threads: { t1: make(module, "increment", [1]), t2: make(module, "increment", [2]) },
  invariant: () => true,
});
const firstMs = [];
const msPerAttempt = [];
const decisions = [];
for (let round = 0; round <= 3; round++) {
  const ends = [];
  const t0 = performance.now();
  await explore(scenario, {
    strategy: granularity === "markers" ? "markers" : "random",
    seed: round,
    maxAttempts: ATTEMPTS,
    onAttempt: (p) => {
      ends.push(performance.now());
      decisions.push(p.decisions);
    },
  });
  if (round === 0) continue; // warm-up
  firstMs.push(ends[0] - t0);
  const later = ends
    .slice(1)
    .map((t, i) => t - ends[i])
    .sort((a, b) => a - b);
  msPerAttempt.push(later[Math.floor(later.length / 2)]);
}
decisions.sort((a, b) => a - b);
emit({ kind, granularity, program, attempts: ATTEMPTS, firstMs, msPerAttempt, decisions: decisions[Math.floor(decisions.length / 2)], dist: DIST });
disarm();
