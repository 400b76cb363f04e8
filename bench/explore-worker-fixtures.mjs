// 6. Attempts to the bug per worker fixture (fixtures/explore/workers, JavaScript) and strategy:
// random and PCT over 20 seeds, exhaustive once (it is deterministic). Also the file counter over
// two child processes (fixtures/counter/file-counter.mjs), random and PCT over 10 seeds.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { emit, intArg, loadInterlace, watchdog } from "./lib/script.mjs";

const SEEDS = intArg("seeds", 20);
const disarm = watchdog(600_000);
const api = await loadInterlace();
const { workerRaces } = await import(new URL("../fixtures/explore/workers/races.mjs", import.meta.url).href);

async function attemptsToBug(scenario, strategy, seeds) {
  const attempts = [];
  let ms = 0;
  let runs = 0;
  for (const seed of seeds) {
    const t0 = performance.now();
    const r = await api.explore(scenario(), { strategy, seed, maxAttempts: 200, reproduceOnFailure: 0, shrinkBudget: 0 });
    ms += performance.now() - t0;
    runs += r.numExplored;
    attempts.push(r.propertyHolds ? null : r.numExplored);
  }
  return { attempts, msPerExploration: ms / seeds.length, runs };
}

const seeds = Array.from({ length: SEEDS }, (_, i) => i + 1);
const rows = [];
for (const race of workerRaces(api)) {
  const row = { name: race.name };
  for (const strategy of ["random", "pct"]) row[strategy] = await attemptsToBug(() => race.make("mjs", false), strategy, seeds);
  row.exhaustive = await attemptsToBug(() => race.make("mjs", false), "exhaustive", [0]);
  rows.push(row);
}

const counter = new URL("../fixtures/counter/file-counter.mjs", import.meta.url);
const fileCounter = () =>
  api.defineScenario({
    setup: () => {
      const dir = mkdtempSync(join(tmpdir(), "interlace-bench-"));
      const counterPath = join(dir, "counter.json");
      writeFileSync(counterPath, JSON.stringify({ value: 0 }));
      return { dir, counterPath, logPath: join(dir, "log") };
    },
    threads: { p1: api.thread.process(counter, "increment", [1]), p2: api.thread.process(counter, "increment", [2]) },
    invariant: (s) => JSON.parse(readFileSync(s.counterPath, "utf8")).value === 2,
    teardown: (s) => rmSync(s.dir, { recursive: true, force: true }),
  });
const processRow = { name: "file counter (2 processes)" };
for (const strategy of ["random", "pct"]) processRow[strategy] = await attemptsToBug(fileCounter, strategy, seeds.slice(0, 10));
processRow.exhaustive = await attemptsToBug(fileCounter, "exhaustive", [0]);
rows.push(processRow);

emit({ seeds: SEEDS, rows });
disarm();
