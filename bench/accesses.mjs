// Cost of access tracking per property access, on bench/targets/property-loop.mjs (5 accesses per
// iteration, no await): the loop as written, instrumented for accesses (the `instrument(…,
// { accesses: true })` output the loaders produce) with no sink set (outside a run), and with a
// sink set (inside a run: each access is located, named and handed over; the sink here only
// counts). Runs alternate between the three; numbers are medians over repetitions after a warm-up.
//
// Run by run.mjs (section "Access tracking"); standalone, `node bench/accesses.mjs` measures the
// work tree's dist/ and prints the table too.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { performance } from "node:perf_hooks";
import { fileURLToPath, pathToFileURL } from "node:url";
import { spread, table } from "./lib/stats.mjs";

const REPS = 9;
const ITERATIONS = 2_000_000;
/** Fewer iterations with a sink: each access then costs ~100× more. */
const SINK_ITERATIONS = 200_000;

async function main() {
  const { DIST, emit, watchdog } = await import("./lib/script.mjs");
  const disarm = watchdog(90_000);
  const { setAccessSink } = await import(new URL("access/recorder.js", DIST).href);
  const { instrument } = await import(new URL("tasks/transform.js", DIST).href);
  const targetPath = fileURLToPath(new URL("./targets/property-loop.mjs", import.meta.url));
  const dir = mkdtempSync(join(tmpdir(), "interlace-bench-accesses-"));
  const instrumentedPath = join(dir, "property-loop.mjs");
  const out = instrument(readFileSync(targetPath, "utf8"), { filename: targetPath, format: "module", accesses: true });
  writeFileSync(instrumentedPath, out.code);
  const raw = await import(pathToFileURL(targetPath).href);
  const tracked = await import(pathToFileURL(instrumentedPath).href);
  rmSync(dir, { recursive: true, force: true });

  let recorded = 0;
  const sink = () => {
    recorded += 1;
  };
  /** ns per access of one run of `mod`'s loop. */
  const once = (mod, iterations, withSink) => {
    recorded = 0;
    if (withSink) setAccessSink(sink);
    const t0 = performance.now();
    mod.loop(new mod.Point(), iterations);
    const ms = performance.now() - t0;
    setAccessSink(null);
    if (withSink && recorded !== iterations * raw.ACCESSES_PER_ITERATION) throw new Error(`recorded ${recorded} accesses`);
    return (ms * 1e6) / (iterations * raw.ACCESSES_PER_ITERATION);
  };
  const variants = {
    raw: () => once(raw, ITERATIONS, false),
    noSink: () => once(tracked, ITERATIONS, false),
    sink: () => once(tracked, SINK_ITERATIONS, true),
  };
  const ns = { raw: [], fresh: [], raw2: [], noSink: [], sink: [] };
  /** Runs `names` in alternating order, `REPS` times after a warm-up, into `ns[into[name] ?? name]`. */
  const rounds = (names, into = {}) => {
    for (let rep = 0; rep <= REPS; rep++) {
      for (const name of rep % 2 === 0 ? names : [...names].reverse()) {
        const value = variants[name]();
        if (rep > 0) ns[into[name] ?? name].push(value);
      }
    }
  };
  // First without any sink ever set: V8 compiles the helpers' fast path only. Then with sink runs
  // in between, as in an exploration: the recording path stays compiled in, and costs a little.
  rounds(["raw", "noSink"], { noSink: "fresh" });
  rounds(["raw", "noSink", "sink"], { raw: "raw2" });
  const result = { ns, reps: REPS, iterations: ITERATIONS, sinkIterations: SINK_ITERATIONS };
  emit(result);
  disarm();
  return result;
}

/** The markdown section for a result of this script (as `measure("accesses.mjs")` returns it). */
export function accessesSection(result) {
  const lines = ["\n## Access tracking (task threads)\n"];
  if (result.error) return [...lines, `Access tracking measurement failed: ${result.error}`].join("\n");
  lines.push(
    "Program: `bench/targets/property-loop.mjs`, a loop of 5 property accesses per iteration (`p.x = p.x + 1; p.y += p.x`), " +
      `${result.iterations.toLocaleString("en-US")} iterations (${result.sinkIterations.toLocaleString("en-US")} with a sink), ` +
      `median (min–max) of ${result.reps} runs after a warm-up. Instrumented = \`instrument(…, { accesses: true })\`, as the loaders do. ` +
      "No sink: outside a run (each helper does the operation after one null check), measured first in a process that never set " +
      "a sink, then alternating with runs that set one (as an exploration does: V8 keeps the recording path compiled in). " +
      "With a sink: inside a run (each access is located, named, its value rendered and handed to a sink that counts it).\n",
  );
  /** Per-round ratios to the uninstrumented run of the same round. */
  const ratio = (values, base) => spread(values.map((v, i) => v / (base[i] ?? Number.NaN)), 1);
  lines.push(
    table(
      ["code", "ns per access", "ratio vs uninstrumented"],
      [
        ["uninstrumented", spread([...result.ns.raw, ...result.ns.raw2], 2), "1"],
        ["instrumented, no sink (never set)", spread(result.ns.fresh, 2), ratio(result.ns.fresh, result.ns.raw)],
        ["instrumented, no sink (between runs with one)", spread(result.ns.noSink, 2), ratio(result.ns.noSink, result.ns.raw2)],
        ["instrumented, with a sink", spread(result.ns.sink, 1), ratio(result.ns.sink, result.ns.raw2)],
      ],
    ),
  );
  return lines.join("\n");
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? "").href) {
  const result = await main();
  if (!process.env.INTERLACE_BENCH_DIST) console.log(accessesSection(result));
}

