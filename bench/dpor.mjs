// DPOR over task threads, on the fixtures of test/tasks/dpor-fixtures.test.ts (fixtures/dpor/*.mjs):
// how many executions DPOR needs to finish its search (one per class of equivalent interleavings)
// against exhaustive's count of all interleavings, and how fast it reaches the first failure.
// The fixtures are loaded through interlace's load-time instrumentation (what
// `node --import interlace/register` installs), which records the shared accesses DPOR needs;
// their `import "interlace"` resolves to the dist/ under test.
//
// Run by run.mjs (section "DPOR over task threads"); standalone, `node bench/dpor.mjs` measures the
// work tree's dist/ and prints the table too.
import { register } from "node:module";
import { performance } from "node:perf_hooks";
import { pathToFileURL } from "node:url";
import { median, num, spread, table } from "./lib/stats.mjs";

const REPS = 5;
const BUDGET = 100_000;
const quiet = { reproduceOnFailure: 0, shrinkBudget: 0 };

/** Milliseconds and result of one exploration. */
async function timed(explore, options) {
  const t0 = performance.now();
  const result = await explore(options);
  return { ms: performance.now() - t0, result };
}

/** Shortest sample of executions/s: small searches are repeated until it has passed. */
const SAMPLE_MS = 25;

/**
 * Complete search (stopOnFirst: false): its execution count, whether it finished, and executions/s
 * (`reps` samples after an untimed warm-up, each repeating the search for at least SAMPLE_MS; with
 * `reps` 0, of the warm-up run alone).
 */
async function complete(explore, options, reps = REPS) {
  const search = () => timed(explore, { ...options, stopOnFirst: false, maxAttempts: BUDGET, ...quiet });
  const first = await search();
  const perS = reps === 0 ? [(1000 * first.result.numExplored) / first.ms] : [];
  for (let rep = 0; rep < reps; rep++) {
    let [ms, executions] = [0, 0];
    while (ms < SAMPLE_MS) {
      const run = await search();
      [ms, executions] = [ms + run.ms, executions + run.result.numExplored];
    }
    perS.push((1000 * executions) / ms);
  }
  return { executions: first.result.numExplored, complete: first.result.complete, failed: first.result.numFailed, perS };
}

/** Search to the first failure: executions (deterministic for dpor and exhaustive) and ms per run. */
async function firstFailure(explore, options) {
  const runs = [];
  for (let rep = 0; rep <= REPS; rep++) runs.push(await timed(explore, { ...options, maxAttempts: BUDGET, ...quiet }));
  const found = runs.map((r) => (r.result.propertyHolds ? null : r.result.numExplored));
  return { executions: found[0], deterministic: found.every((n) => n === found[0]), kind: runs[0].result.counterexample?.failure.kind ?? null, ms: runs.slice(1).map((r) => r.ms) };
}

async function main() {
  const { DIST, emit, watchdog } = await import("./lib/script.mjs");
  const disarm = watchdog(90_000);
  register("./lib/interlace-alias.mjs", import.meta.url, { data: { target: new URL("index.js", DIST).href } });
  await import(new URL("tasks/register.js", DIST).href); // instruments the fixtures as they load
  const { explore } = await import(new URL("index.js", DIST).href);
  const counter = await import("../fixtures/dpor/counter.mjs");
  const dining = await import("../fixtures/dpor/dining-philosophers.mjs");

  const rows = [];
  const STRATEGIES = [["dpor dfs", { strategy: "dpor", searchOrder: "dfs" }], ["dpor diverse", { strategy: "dpor", searchOrder: "diverse" }], ["exhaustive", { strategy: "exhaustive" }]];
  /** One row per strategy; `all` (exhaustive's complete count) is filled in once known. */
  async function program(name, options, { toComplete, toFailure, exhaustiveComplete = toComplete, exhaustiveReps = REPS }) {
    const mine = [];
    for (const [label, strategy] of STRATEGIES) {
      const row = { program: name, strategy: label };
      const exhaustive = label === "exhaustive";
      if (exhaustive ? exhaustiveComplete : toComplete) row.complete = await complete(explore, { ...options, ...strategy }, exhaustive ? exhaustiveReps : REPS);
      if (toFailure) row.first = await firstFailure(explore, { ...options, ...strategy });
      mine.push(row);
    }
    const all = mine.find((r) => r.strategy === "exhaustive").complete?.executions;
    for (const row of mine) if (all !== undefined) row.all = all;
    rows.push(...mine);
  }
  await program("counter (2 threads)", counter.buggy(), { toComplete: true, toFailure: true });
  await program("locked counter (2 threads)", counter.safe(), { toComplete: true });
  // Exhaustive's complete search of 3 philosophers alone runs 148 029 interleavings (~80 s): not here.
  for (const n of [3, 4, 5]) await program(`dining philosophers N=${n}`, dining.philosophers(n), { toComplete: true, toFailure: true, exhaustiveComplete: false });
  // Exhaustive: ~50 000 interleavings, one run (the process is warm by now).
  await program("ordered philosophers N=3", dining.orderedPhilosophers(3), { toComplete: true, exhaustiveReps: 0 });
  emit({ rows, reps: REPS });
  disarm();
  return { rows, reps: REPS };
}

/** The markdown section for a result of this script (as `measure("dpor.mjs")` returns it). */
export function dporSection(result) {
  const lines = ["\n## DPOR over task threads\n"];
  if (result.error) return [...lines, `DPOR measurement failed: ${result.error}`].join("\n");
  lines.push(
    "Fixtures `fixtures/dpor/*.mjs`, loaded through the load-time instrumentation (awaits gated, shared accesses recorded). " +
      "Complete search: `stopOnFirst: false` until the strategy has nothing left. " +
      `First failure: the default search, no replays or shrinking; ms = median (min–max) of ${result.reps} runs after a warm-up. ` +
      `executions/s: median of ${result.reps} samples of the complete search (each ≥ ${SAMPLE_MS} ms, small searches repeated) when there is one, else of the search to the failure. ` +
      "Exhaustive orders its runs by fewest preemptions first; DPOR runs one execution per class of equivalent interleavings. " +
      "Exhaustive's complete search of the dining philosophers is left out (N=3 alone: 148 029 interleavings, ~80 s).\n",
  );
  const cell = (first) => (first ? (first.executions === null ? "not found" : `${first.executions}${first.deterministic ? "" : " (varies)"}${first.kind === "deadlock" ? " (deadlock)" : ""}`) : "—");
  const rate = (row) => {
    if (row.complete) return num(median(row.complete.perS), 0);
    if (row.first?.executions) return num((1000 * row.first.executions) / median(row.first.ms), 0);
    return "—";
  };
  lines.push(
    table(
      ["program", "strategy", "executions to complete search", "all interleavings (exhaustive)", "executions to first failure", "ms to first failure", "executions/s"],
      result.rows.map((row) => [
        row.program,
        row.strategy,
        row.complete ? `${row.complete.executions}${row.complete.complete ? "" : " (budget spent)"}` : "—",
        row.all ?? "—",
        cell(row.first),
        row.first ? spread(row.first.ms, 2) : "—",
        rate(row),
      ]),
    ),
  );
  return lines.join("\n");
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? "").href) {
  const result = await main();
  if (!process.env.INTERLACE_BENCH_DIST) console.log(dporSection(result));
}
