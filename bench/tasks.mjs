// 3. Task threads (async functions in one isolate), on bench/targets/task-program.mjs.
// Variants (--variant=...):
//   decisions  cost of one scheduling decision: N tasks × M iterations, each iteration one marker
//              (one decision) and two awaits (passed by the task holding the turn), under a
//              round-robin marker schedule through TraceExecutor.run
//   explore    explore() throughput on the Python original's anchor shape (2 tasks × one
//              increment: read, await, write), and attempts-to-bug over 20 seeds per strategy
//   overhead   the same program run without any scheduler, uninstrumented vs instrumented (the
//              `instrument()` output of the loaders), and both again after a task run in the
//              same process (a run must leave no cost behind)
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { performance } from "node:perf_hooks";
import { DIST, emit, intArg, loadInterlace, watchdog } from "./lib/script.mjs";

const TASKS = intArg("tasks", 4);
const ITERATIONS = intArg("iterations", 250);
const RUNS = intArg("runs", 7);
const variant = process.argv.find((a) => a.startsWith("--variant="))?.slice(10) ?? "decisions";

const disarm = watchdog(90_000);
const targetPath = fileURLToPath(new URL("./targets/task-program.mjs", import.meta.url));
const { instrument } = await import(new URL("tasks/transform.js", DIST).href);
const instrumented = instrument(readFileSync(targetPath, "utf8"), { filename: targetPath, format: "module", inlineMap: true });
const dir = mkdtempSync(join(tmpdir(), "interlace-bench-tasks-"));
const instrumentedPath = join(dir, "task-program.mjs");
writeFileSync(instrumentedPath, instrumented.code);
const program = await import(pathToFileURL(instrumentedPath).href);
rmSync(dir, { recursive: true, force: true });
const { TraceExecutor, Schedule, explore } = await loadInterlace();

if (variant === "decisions") {
  const names = Array.from({ length: TASKS }, (_, k) => `t${k}`);
  const steps = [];
  for (let i = 0; i < ITERATIONS; i++) for (const name of names) steps.push(`${name}:step`);
  const schedule = Schedule.parse(steps.join(" "));
  const usPerDecision = [];
  for (let run = 0; run <= RUNS; run++) {
    const shared = new program.Shared();
    const threads = Object.fromEntries(names.map((name) => [name, () => program.worker(shared, ITERATIONS)]));
    const result = await new TraceExecutor(schedule).run(threads);
    if (shared.total !== TASKS * ITERATIONS) throw new Error(`total ${shared.total}`);
    if (run > 0) usPerDecision.push((1000 * result.timings.scheduleMs) / steps.length); // run 0 warms up
  }
  emit({ tasks: TASKS, iterations: ITERATIONS, decisions: steps.length, awaitsPerDecision: 2, usPerDecision });
} else if (variant === "explore") {
  const threads = [(s) => program.worker(s, 1), (s) => program.worker(s, 1)];
  const msPerRun = [];
  for (let round = 0; round <= RUNS; round++) {
    const t0 = performance.now();
    const r = await explore({ setup: () => new program.Shared(), threads, invariant: () => true, strategy: "random", seed: round, maxAttempts: 500 });
    if (round > 0) msPerRun.push((performance.now() - t0) / r.numExplored);
  }
  const attemptsToBug = {};
  for (const strategy of ["random", "pct", "exhaustive"]) {
    attemptsToBug[strategy] = [];
    for (let seed = 1; seed <= 20; seed++) {
      const r = await explore({
        setup: () => new program.Shared(), threads, invariant: (s) => s.total === 2,
        strategy, seed, maxAttempts: 200, reproduceOnFailure: 0, shrinkBudget: 0,
      });
      attemptsToBug[strategy].push(r.propertyHolds ? null : r.numExplored);
    }
  }
  emit({ msPerRun, attemptsToBug });
} else {
  const raw = await import(pathToFileURL(targetPath).href);
  const once = async (mod) => {
    const shared = new mod.Shared();
    const t0 = performance.now();
    await Promise.all(Array.from({ length: TASKS }, () => mod.worker(shared, ITERATIONS * 20)));
    return performance.now() - t0;
  };
  const rawMs = [];
  const instrumentedMs = [];
  const afterRunMs = [];
  for (let run = 0; run <= RUNS; run++) {
    const [a, b] = run % 2 === 0 ? [raw, program] : [program, raw];
    const first = await once(a);
    const second = await once(b);
    if (run === 0) continue;
    rawMs.push(a === raw ? first : second);
    instrumentedMs.push(a === raw ? second : first);
  }
  // One task run installs the dispatcher: from then on every gate looks up the calling task.
  await new TraceExecutor(Schedule.parse("t:step")).run({ t: () => program.worker(new program.Shared(), 1) });
  const rawAfterRunMs = [];
  for (let run = 0; run <= RUNS; run++) {
    const t = await once(program);
    const r = await once(raw);
    if (run > 0) afterRunMs.push(t), rawAfterRunMs.push(r);
  }
  emit({ tasks: TASKS, awaits: TASKS * ITERATIONS * 20 * 2, rawMs, instrumentedMs, afterRunMs, rawAfterRunMs });
}
disarm();
