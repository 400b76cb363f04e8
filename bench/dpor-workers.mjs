// DPOR over worker threads, on the programs of test/integration/dpor-workers.test.ts
// (fixtures/dpor/workers/programs.mjs): executions to the complete search (one per class of
// equivalent interleavings) against exhaustive's count of every statement-level interleaving, and
// executions/s once the workers are launched (each exploration launches its two-to-four workers
// once, in its first execution, and reuses them).
//
// Run by run.mjs (section "DPOR over worker threads"); standalone, `node bench/dpor-workers.mjs`
// measures the work tree's dist/ and prints the table too.
import { performance } from "node:perf_hooks";
import { pathToFileURL } from "node:url";
import { num, table } from "./lib/stats.mjs";

const PROGRAMS = new URL("../fixtures/dpor/workers/programs.mjs", import.meta.url);
const quiet = { reproduceOnFailure: 0, shrinkBudget: 0, maxAttempts: 20_000 };

async function main() {
  const { emit, loadInterlace, watchdog } = await import("./lib/script.mjs");
  const disarm = watchdog(170_000);
  const { defineScenario, explore, thread } = await loadInterlace();
  const { SharedMutex } = await import("interlace/sync");
  const setup = () => ({ cells: new Int32Array(new SharedArrayBuffer(64)), lock: new SharedMutex("lock"), other: new SharedMutex("other") });
  const workers = (n, fn, args) => Object.fromEntries(Array.from({ length: n }, (_, i) => [`w${i + 1}`, thread.worker(PROGRAMS, fn, args(i))]));

  /** One exploration: executions, whether the search completed, total ms, and executions/s after the first (launching) execution. */
  async function run(threads, options) {
    const stamps = [];
    const t0 = performance.now();
    const result = await explore(defineScenario({ setup, threads }), { ...quiet, ...options, onAttempt: () => stamps.push(performance.now()) });
    const later = stamps.length > 1 ? (1000 * (stamps.length - 1)) / (stamps.at(-1) - stamps[0]) : null;
    return { executions: result.numExplored, complete: result.complete, failed: !result.propertyHolds, kind: result.counterexample?.failure.kind ?? null, ms: performance.now() - t0, perS: later };
  }

  const rows = [];
  const programs = [
    ["two workers racing on 2 cells", () => workers(2, "writeAll", (i) => [2, i + 1]), true],
    ["two workers racing on 4 cells", () => workers(2, "writeAll", (i) => [4, i + 1]), false],
    ["3 workers, one SharedMutex", () => workers(3, "lockedIncrement", () => []), false],
    ["4 workers, one SharedMutex", () => workers(4, "lockedIncrement", () => []), false],
  ];
  for (const [name, threads, withExhaustive] of programs) {
    rows.push({ program: name, strategy: "dpor", ...(await run(threads(), { strategy: "dpor", stopOnFirst: false })) });
    // Every statement-level interleaving is far too many to run: exhaustive gets 2,000.
    if (withExhaustive) rows.push({ program: name, strategy: "exhaustive", ...(await run(threads(), { strategy: "exhaustive", stopOnFirst: false, maxAttempts: 2_000 })) });
  }
  const deadlock = { a: thread.worker(PROGRAMS, "lockBoth", ["lock", "other"]), b: thread.worker(PROGRAMS, "lockBoth", ["other", "lock"]) };
  for (const strategy of ["dpor", "exhaustive"]) rows.push({ program: "SharedMutex lock-order deadlock", strategy, ...(await run(deadlock, { strategy })) });
  emit({ rows });
  disarm();
  return { rows };
}

/** The markdown section for a result of this script (as `measure("dpor-workers.mjs")` returns it). */
export function dporWorkersSection(result) {
  const lines = ["\n## DPOR over worker threads\n"];
  if (result.error) return [...lines, `DPOR worker measurement failed: ${result.error}`].join("\n");
  lines.push(
    "Programs `fixtures/dpor/workers/programs.mjs` at statement granularity; complete search unless a failure is the point (the deadlock: search to the first failure). " +
      "Total ms includes launching the workers (the first execution); executions/s is measured from the second execution on.\n",
  );
  lines.push(
    table(
      ["program", "strategy", "executions", "outcome", "total ms", "executions/s"],
      result.rows.map((r) => [
        r.program,
        r.strategy,
        String(r.executions),
        r.failed ? `${r.kind} found` : r.complete ? "search complete" : "budget spent, search not complete",
        num(r.ms, 0),
        r.perS === null ? "—" : num(r.perS, 0),
      ]),
    ),
  );
  return lines.join("\n");
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? "").href) {
  const result = await main();
  if (!process.env.INTERLACE_BENCH_DIST) console.log(dporWorkersSection(result));
}
