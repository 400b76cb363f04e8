// Runs every benchmark and prints one markdown table per section (paste-able into the README).
// Each measurement runs in a node process of its own; numbers are medians (with min–max) over
// repetitions that follow one untimed warm-up. Benchmarks report; they never pass or fail.
import { availableParallelism, cpus, loadavg, release, totalmem } from "node:os";
import { performance } from "node:perf_hooks";
import { removeSnapshot, snapshotDist } from "./lib/dist-snapshot.mjs";
import { EXIT_GRACE_MS, leftovers, measure } from "./lib/measure.mjs";
import { median, num, spread, table } from "./lib/stats.mjs";

const TARGET_RATIO = 1.5;
const t0 = performance.now();
const dist = await snapshotDist();
process.env.INTERLACE_BENCH_DIST = dist; // every measurement loads interlace from this copy
process.on("exit", () => removeSnapshot(dist));
process.on("SIGINT", () => process.exit(130));

console.log("# interlace benchmarks\n");
console.log(
  table(
    ["node", "CPU", "cores", "load avg (1/5/15 min)", "memory", "kernel", "date"],
    [[
      process.version,
      cpus()[0]?.model ?? "unknown",
      `${cpus().length} (available parallelism ${availableParallelism()})`,
      loadavg().map((l) => l.toFixed(2)).join(" / "),
      `${Math.round(totalmem() / 2 ** 30)} GiB`,
      release(),
      new Date().toISOString(),
    ]],
  ),
);

// --- 1. pause→resume cycle per transport --------------------------------------------------------
// Paired rounds: each round measures a bare transport and interlace on the same transport back to
// back (order alternating), each in a fresh process, so a pair sees the same machine load; the
// ratio is taken per round, then its median over the rounds.
const ROUNDS = 5;
const pairs = {
  worker: { bare: [], mine: [], bareArgs: ["cycle-worker-session.mjs", ["--batches=2"]], mineArgs: ["cycle-interlace.mjs", ["--kind=worker", "--runs=2"]] },
  process: { bare: [], mine: [], bareArgs: ["cycle-agent-relay.mjs", ["--batches=2"]], mineArgs: ["cycle-interlace.mjs", ["--kind=process", "--runs=2"]] },
};
for (let round = 0; round < ROUNDS; round++) {
  for (const pair of Object.values(pairs)) {
    const order = round % 2 === 0 ? ["bare", "mine"] : ["mine", "bare"];
    for (const side of order) pair[side].push(await measure(...pair[`${side}Args`]));
  }
}
const webSocket = await measure("cycle-websocket.mjs");

/** One result out of several rounds of the same measurement. */
function merge(results) {
  const ok = results.filter((r) => !r.error);
  if (ok.length === 0) return results[0];
  return {
    ...ok[0],
    usPerCycle: ok.flatMap((r) => r.usPerCycle),
    samples: `${ok.length} rounds × ${ok[0].samples}`,
    wallS: results.reduce((sum, r) => sum + r.wallS, 0),
    lingered: results.some((r) => r.lingered),
    failures: results.filter((r) => r.error).map((r) => r.error),
  };
}

/** Per-round ratios interlace / bare, for rounds where both succeeded. */
function pairedRatios(pair) {
  return pair.mine
    .map((mine, i) => [mine, pair.bare[i]])
    .filter(([mine, bare]) => !mine.error && !bare.error)
    .map(([mine, bare]) => median(mine.usPerCycle) / median(bare.usPerCycle));
}

const bareWorker = merge(pairs.worker.bare);
const interlaceWorker = { ...merge(pairs.worker.mine), ratios: pairedRatios(pairs.worker) };
const bareRelay = merge(pairs.process.bare);
const interlaceProcess = { ...merge(pairs.process.mine), ratios: pairedRatios(pairs.process) };

function cycleRow(label, result) {
  if (result.error) return [label, `failed: ${result.error.split("\n")[0]}`, "—", "—", "—", "—", "—"];
  const us = median(result.usPerCycle);
  const ratio = result.ratios?.length ? `${num(median(result.ratios), 2)}× (${num(Math.min(...result.ratios), 2)}–${num(Math.max(...result.ratios), 2)})` : "—";
  const bytes = result.pausedBytes === undefined ? "—" : `${result.approxBytes ? "≈" : ""}${result.pausedBytes}`;
  const messages = result.inPerCycle === undefined ? "—" : `${num(result.inPerCycle, 2)} / ${num(result.outPerCycle, 2)}`;
  return [label, spread(result.usPerCycle, 0), num(1e6 / us, 0), ratio, bytes, messages, result.samples];
}

console.log("\n## 1. Pause→resume round trip per transport\n");
console.log("Same loop program everywhere: `bench/targets/ticker.mjs`, `tick(shared, n)`, marker `// interlace: tick` on `total += 1`.");
console.log("A cycle = marker pause → `Debugger.resume` → next marker pause. Bare rows use raw CDP, one breakpoint, nothing else.\n");
console.log(
  table(
    ["transport", "µs/cycle median (min–max)", "cycles/s", "ratio vs bare", "Debugger.paused bytes", "CDP msgs in / out per cycle", "samples"],
    [
      cycleRow("a. bare CDP over WebSocket (`--inspect-brk`, chrome-remote-interface) → child process", webSocket),
      cycleRow("b. bare NodeWorker session (`node:inspector`) → worker thread", bareWorker),
      cycleRow("c. bare fd-3 agent relay (`process-agent.mjs`) → child process", bareRelay),
      cycleRow("d. interlace `TraceExecutor`, `thread.worker` (vs b)", interlaceWorker),
      cycleRow("d. interlace `TraceExecutor`, `thread.process` (vs c)", interlaceProcess),
    ],
  ),
);
console.log(
  "\nRow a uses only a few cycles: each one stalls ~44 ms on loopback delayed ACKs (the inspector socket does not set TCP_NODELAY).",
);
console.log(
  "Rows a–c: batches of cycles in one long-lived target after untimed warm-up cycles; row d: one run per sample, cycle = `timings.scheduleMs / steps`, after a warm-up run.",
);
console.log(`Rows b–d: ${ROUNDS} rounds, each a fresh process; ratio vs bare = median (min–max) of the per-round ratios, bare and interlace measured back to back.`);
console.log("Bytes: the marker's `Debugger.paused` JSON (≈: re-serialised from chrome-remote-interface's parsed event).");
console.log("Messages: all CDP messages of the session (setup included) / marker pauses; row d counted in its warm-up run.");
const verdicts = [
  ["workers", interlaceWorker],
  ["processes", interlaceProcess],
].map(([what, mine]) => {
  if (!mine.ratios?.length) return `${what}: not measured`;
  const ratio = median(mine.ratios);
  return `${what} ${num(ratio, 2)}× (${ratio <= TARGET_RATIO ? "within" : "over"})`;
});
console.log(`Target: interlace's cycle within ${TARGET_RATIO}× of the bare transport's, same run: ${verdicts.join("; ")}.`);

// --- 2. wall time of one 4-step schedule ---------------------------------------------------------
const wall = [
  ["bank (`examples/bank`)", "2 worker threads, TS via tsx", await measure("schedule-wall.mjs", ["--variant=bank-workers"])],
  ["counter (`fixtures/counter/counter.mjs`)", "2 worker threads, plain JS", await measure("schedule-wall.mjs", ["--variant=counter-workers"])],
  ["bank-sqlite (`examples/bank-sqlite`)", "2 child processes, TS via tsx", await measure("schedule-wall.mjs", ["--variant=bank-processes"])],
];

console.log("\n## 2. One 4-step marker schedule, wall time (ms)\n");
console.log("Lost-update schedule (`t1:read t2:read t1:write t2:write` on each scenario's markers) through `TraceExecutor.run`.");
console.log("startupMs = launch → every thread paused at its ready point with markers armed.\n");
console.log(
  table(
    ["scenario", "threads", "setupMs", "startupMs", "scheduleMs", "totalMs", "invariant broken", "samples"],
    wall.map(([label, threads, r]) =>
      r.error
        ? [label, threads, `failed: ${r.error.split("\n")[0]}`, "—", "—", "—", "—", "—"]
        : [
            label,
            threads,
            spread(r.timings.setupMs, 2),
            spread(r.timings.startupMs, 0),
            spread(r.timings.scheduleMs, 1),
            spread(r.timings.totalMs, 0),
            `${r.lostUpdates}/${r.runs}`,
            `${r.runs} runs`,
          ],
    ),
  ),
);
const [bankTs, counterJs] = [wall[0][2], wall[1][2]];
if (!bankTs.error && !counterJs.error) {
  const ts = median(bankTs.timings.startupMs);
  const js = median(counterJs.timings.startupMs);
  console.log(`\ntsx's share of worker startup: ${num(ts, 0)} ms (TS) − ${num(js, 0)} ms (JS) = ${num(ts - js, 0)} ms (${num((100 * (ts - js)) / ts, 0)}%).`);
}

// --- 3. task threads -------------------------------------------------------------------------------
const taskDecisions = [2, 4, 8].map((n) => [n, null]);
for (const row of taskDecisions) row[1] = await measure("tasks.mjs", ["--variant=decisions", `--tasks=${row[0]}`]);
const taskOverhead = await measure("tasks.mjs", ["--variant=overhead"]);
const taskExplore = await measure("tasks.mjs", ["--variant=explore"]);
const isolateExplore = [];
for (const kind of ["worker", "process"]) {
  // The anchor program has no markers: marker granularity is measured on the logged counter.
  for (const [program, granularity] of [["anchor", "statements"], ["logged", "statements"], ["logged", "markers"]]) {
    isolateExplore.push([kind, program, granularity, await measure("explore-isolates.mjs", [`--kind=${kind}`, `--program=${program}`, `--granularity=${granularity}`])]);
  }
}
const fixtureExplore = await measure("explore-worker-fixtures.mjs", []);

console.log("\n## 3. Task threads (async functions in one isolate)\n");
console.log("Program: `bench/targets/task-program.mjs`, N tasks × M iterations of `// interlace: step` + two awaits on async methods.");
console.log("Decision = one marker step of a round-robin schedule through `TraceExecutor.run` (the task holding the turn passes its awaits).\n");
console.log(
  table(
    ["tasks × iterations", "decisions", "µs per decision", "decisions/s", "runs"],
    taskDecisions.map(([n, r]) =>
      r.error
        ? [`${n} × —`, "—", `failed: ${r.error.split("\n")[0]}`, "—", "—"]
        : [`${r.tasks} × ${r.iterations}`, r.decisions, spread(r.usPerDecision, 1), num(1e6 / median(r.usPerDecision), 0), r.usPerDecision.length],
    ),
  ),
);
if (taskOverhead.error) console.log(`\nOverhead measurement failed: ${taskOverhead.error}`);
else {
  const ratio = (a, b) => a.map((x, i) => x / b[i]);
  console.log(`\nInstrumentation overhead without a scheduler (${taskOverhead.tasks} tasks, ${taskOverhead.awaits.toLocaleString("en-US")} awaits per sample, ms):\n`);
  console.log(
    table(
      ["code", "ms", "ratio vs uninstrumented"],
      [
        ["uninstrumented", spread(taskOverhead.rawMs, 2), "1"],
        ["instrumented, no run yet", spread(taskOverhead.instrumentedMs, 2), spread(ratio(taskOverhead.instrumentedMs, taskOverhead.rawMs), 2)],
        ["uninstrumented, after a task run", spread(taskOverhead.rawAfterRunMs, 2), spread(ratio(taskOverhead.rawAfterRunMs, taskOverhead.rawMs), 2)],
        ["instrumented, after a task run", spread(taskOverhead.afterRunMs, 2), spread(ratio(taskOverhead.afterRunMs, taskOverhead.rawMs), 2)],
      ],
    ),
  );
  console.log(
    "\nAfter a task run, plain awaits are slower too, instrumented or not: V8 keeps a slower promise path once promise hooks" +
      " (async_hooks, AsyncLocalStorage) were ever enabled in the isolate, even after they are disabled again.",
  );
}

console.log("\n## 4. Exploration of task threads (`explore()`)\n");
if (taskExplore.error) console.log(`Exploration measurement failed: ${taskExplore.error}`);
else {
  const PYTHON_MS = 40; // the Python original's random explorer, 2 threads × one increment, this machine kind
  const ms = median(taskExplore.msPerRun);
  console.log("Anchor shape: 2 tasks × one increment (read, await, write) of `bench/targets/task-program.mjs`, random strategy, 500 runs per sample, invariant always true.\n");
  console.log(
    table(
      ["ms per interleaving", "interleavings/s", "vs the Python original (~40 ms per interleaving)", "samples"],
      [[spread(taskExplore.msPerRun, 3), num(1000 / ms, 0), `${num(PYTHON_MS / ms, 0)}× (target ≥ 100×)`, taskExplore.msPerRun.length]],
    ),
  );
  console.log("\nAttempts to the lost update (invariant total === 2), 20 seeds, no shrinking:\n");
  console.log(
    table(
      ["strategy", "median attempts", "min–max", "found"],
      Object.entries(taskExplore.attemptsToBug).map(([strategy, list]) => {
        const found = list.filter((n) => n !== null);
        return [strategy, num(median(found), 1), `${Math.min(...found)}–${Math.max(...found)}`, `${found.length}/${list.length}`];
      }),
    ),
  );
}

console.log("\n## 5. Exploration of worker and process threads\n");
console.log(
  "2 threads × one increment, random strategy (markers strategy at marker granularity), 200 attempts per sample, invariant always true. " +
    "Programs: anchor = `bench/targets/sab-counter.mjs` (`temp = value; value = temp + 1`, the Python original's shape); " +
    "logged = `fixtures/counter/counter.mjs` (markers, and a log call after each access). The isolates are launched by the first attempt and reused by the rest.\n",
);
console.log(
  table(
    ["threads", "program", "granularity", "decisions per attempt", "first attempt (launch), ms", "ms per interleaving", "interleavings/s", "vs the Python original (~40 ms)", "target"],
    isolateExplore.map(([kind, program, granularity, r]) => {
      const label = kind === "worker" ? "2 worker threads" : "2 child processes";
      const target = kind === "worker" ? "≥ 10×" : "≥ 3×";
      return r.error
        ? [label, program, granularity, "—", "—", `failed: ${r.error.split("\n")[0]}`, "—", "—", target]
        : [label, program, granularity, r.decisions, spread(r.firstMs, 0), spread(r.msPerAttempt, 2), num(1000 / median(r.msPerAttempt), 0), `${num(40 / median(r.msPerAttempt), 1)}×`, target];
    }),
  ),
);

console.log("\n## 6. Attempts to the bug, worker and process fixtures\n");
if (fixtureExplore.error) console.log(`Fixture measurement failed: ${fixtureExplore.error}`);
else {
  console.log(
    `fixtures/explore/workers (JavaScript, statement granularity): random and PCT over ${fixtureExplore.seeds} seeds, exhaustive once; ` +
      "the file counter over 10 seeds. Median attempts (min–max); ms per exploration includes launching the isolates.\n",
  );
  const cell = (m) => {
    const found = m.attempts.filter((n) => n !== null);
    if (found.length === 0) return "not found";
    const miss = found.length < m.attempts.length ? `, found ${found.length}/${m.attempts.length}` : "";
    return m.attempts.length === 1 ? `${found[0]}` : `${num(median(found), 1)} (${Math.min(...found)}–${Math.max(...found)}${miss})`;
  };
  console.log(
    table(
      ["fixture", "random", "PCT", "exhaustive", "ms per exploration (random)"],
      fixtureExplore.rows.map((row) => [row.name, cell(row.random), cell(row.pct), cell(row.exhaustive), num(row.random.msPerExploration, 0)]),
    ),
  );
}

const all = {
  "1b": bareWorker,
  "1d worker": interlaceWorker,
  "1c": bareRelay,
  "1d process": interlaceProcess,
  "1a": webSocket,
  "2 bank": wall[0][2],
  "2 counter": wall[1][2],
  "2 bank-sqlite": wall[2][2],
  ...Object.fromEntries(taskDecisions.map(([n, r]) => [`3 tasks×${n}`, r])),
  "3 overhead": taskOverhead,
  "4 explore": taskExplore,
  ...Object.fromEntries(isolateExplore.map(([kind, program, granularity, r]) => [`5 ${kind} ${program} ${granularity}`, r])),
  "6 fixtures": fixtureExplore,
};
for (const [name, result] of Object.entries(all)) {
  for (const error of result.error ? [result.error] : (result.failures ?? [])) console.log(`\n${name} failed:\n${error}`);
}
console.log(`\nMeasurement wall times (s, start → result): ${Object.entries(all).map(([name, r]) => `${name} ${num(r.wallS, 1)}`).join(", ")}.`);
const lingered = Object.entries(all).filter(([, r]) => r.lingered).map(([name]) => name);
console.log(
  `Measurement processes still alive ${EXIT_GRACE_MS / 1000} s after reporting (killed): ${lingered.length ? lingered.join(", ") : "none"}.` +
    (lingered.length ? " Their threads had ended; something (e.g. a timer) still held the event loop." : ""),
);
const left = leftovers();
console.log(`Left-over processes: ${left === null ? "not checked (no /proc)" : left.length === 0 ? "none" : left.join("; ")}.`);
console.log(`Benchmark wall time: ${num((performance.now() - t0) / 1000, 1)} s.`);

// --- DPOR over task threads (bench/dpor.mjs) -----------------------------------------------------
{
  const { dporSection } = await import("./dpor.mjs");
  const dpor = await measure("dpor.mjs", [], 120_000);
  console.log(dporSection(dpor));
  console.log(`\nDPOR measurement: ${num(dpor.wallS, 1)} s${dpor.lingered ? ", process still alive after reporting (killed)" : ""}.`);
}

// --- DPOR over worker threads (bench/dpor-workers.mjs) --------------------------------------------
{
  const { dporWorkersSection } = await import("./dpor-workers.mjs");
  console.log(dporWorkersSection(await measure("dpor-workers.mjs", [], 180_000)));
}

// --- Access tracking cost per property access (bench/accesses.mjs) --------------------------------
{
  const { accessesSection } = await import("./accesses.mjs");
  const accesses = await measure("accesses.mjs");
  console.log(accessesSection(accesses));
}

// --- External resources: classifying and recording SQL/Redis/fs operations (bench/io-*.mjs) ------
// These scripts print their own tables; each runs in a process of its own on the dist snapshot.
for (const script of ["io-classify.mjs", "io-record.mjs"]) {
  const { spawnSync } = await import("node:child_process");
  const run = spawnSync(process.execPath, [new URL(script, import.meta.url).pathname], { encoding: "utf8", timeout: 180_000, env: process.env });
  console.log(run.status === 0 ? `\n${run.stdout.trim()}` : `\n${script} failed (exit ${run.status}):\n${run.stderr.trim()}`);
}

// --- Classic programs: detection by the default strategy and the others (bench/classic.mjs) -------
{
  const { classicSection, measureClassic } = await import("./classic.mjs");
  const t = performance.now();
  console.log(classicSection(await measureClassic(measure)));
  console.log(`\nClassic programs measurement: ${num((performance.now() - t) / 1000, 0)} s (one process per program × strategy).`);
}

// --- DPOR over external resources: the twins vs all interleavings (bench/io-dpor.mjs) ------------
// Prints its own table, as the io-* scripts above; it starts private redis-server and PostgreSQL
// servers when installed (rows skipped otherwise) and stops them however it ends (SIGTERM included,
// which the timeout sends).
{
  const { spawnSync } = await import("node:child_process");
  const run = spawnSync(process.execPath, [new URL("io-dpor.mjs", import.meta.url).pathname], { encoding: "utf8", timeout: 960_000, env: process.env });
  console.log(run.status === 0 ? `\n${run.stdout.trim()}` : `\nio-dpor.mjs failed (exit ${run.status ?? run.signal}):\n${run.stderr.trim()}`);
}
