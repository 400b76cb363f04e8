// Classic concurrency bugs (fixtures/classic, fixtures/dpor/dining-philosophers.ts): how often each
// strategy finds the bug within the default budget, and after how many runs. SCTBench's reorder_N
// and twostage_N hide their bug from depth-first DPOR behind thousands of writer orders; the
// random walk and PCT find it in a few runs; the dining philosophers' deadlock is DPOR's. The
// portfolio (the default strategy) should find all of them.
//
// One node process per program × strategy: 20 seeds (1..20), each an explore() with the default
// budget (200 runs), no replays, no shrinking. DPOR takes no seed: one exploration with a budget of
// 1,000 gives both of its columns. The fixtures are TypeScript task threads: they load through tsx
// and interlace's load-time instrumentation (what `node --import tsx --import interlace/register`
// installs), which gates their awaits and records their shared accesses; their `import "interlace"`
// resolves to the dist/ under test.
//
// Run by run.mjs (section "Classic programs"); standalone, `node bench/classic.mjs` measures the
// work tree's dist/ and prints the table (`--program=<id> --strategy=<name>`: one measurement).
import { register } from "node:module";
import { performance } from "node:perf_hooks";
import { pathToFileURL } from "node:url";
import { median, num, table } from "./lib/stats.mjs";

const SEEDS = Array.from({ length: 20 }, (_, i) => i + 1);
const BUDGET = 200;
const DPOR_BUDGET = 1000;
const quiet = { reproduceOnFailure: 0, shrinkBudget: 0 };

/** Program ids, what the table calls them, and how to build their explore options from the fixture modules. */
export const PROGRAMS = [
  ["reorder_3", "reorder_3 (2 setters + checker)", (m) => m.reorder.reorder(3)],
  ["reorder_5", "reorder_5 (4 + 1)", (m) => m.reorder.reorder(5)],
  ["reorder_10", "reorder_10 (9 + 1)", (m) => m.reorder.reorder(10)],
  ["reorder_20", "reorder_20 (19 + 1)", (m) => m.reorder.reorder(20)],
  ["reorder_20_sctbench", "reorder_20 as in SCTBench (10 + 10 checkers)", (m) => m.reorder.reorderSctbench20()],
  ["twostage_2", "twostage_2 (1 two-stage + reader)", (m) => m.twostage.twostage(2)],
  ["twostage_20", "twostage_20 (19 + 1)", (m) => m.twostage.twostage(20)],
  ["twostage_100", "twostage_100 (99 + 1)", (m) => m.twostage.twostage(100)],
  ["philosophers_3", "dining philosophers N=3 (deadlock)", (m) => m.philosophers.philosophers(3)],
  ["philosophers_5", "dining philosophers N=5 (deadlock)", (m) => m.philosophers.philosophers(5)],
];
export const STRATEGIES = ["portfolio", "dpor", "random", "pct"];

/** One measurement: `strategy` on program `id`, over the seeds (DPOR: once). */
async function measureOne(id, strategy) {
  const { DIST, emit, watchdog } = await import("./lib/script.mjs");
  const disarm = watchdog(900_000); // twostage_100: up to 20 seeds × 200 runs of ~0.1 s
  const { register: registerTsx } = await import("tsx/esm/api");
  registerTsx();
  register("./lib/interlace-alias.mjs", import.meta.url, { data: { target: new URL("index.js", DIST).href } });
  await import(new URL("tasks/register.js", DIST).href); // instruments the fixtures as they load
  const { explore } = await import(new URL("index.js", DIST).href);
  const modules = {
    reorder: await import("../fixtures/classic/reorder.ts"),
    twostage: await import("../fixtures/classic/twostage.ts"),
    philosophers: await import("../fixtures/dpor/dining-philosophers.ts"),
  };
  const make = PROGRAMS.find(([name]) => name === id)?.[2];
  if (make === undefined) throw new Error(`unknown program ${id}`);
  const runs = [];
  for (const seed of strategy === "dpor" ? [1] : SEEDS) {
    const t0 = performance.now();
    const result = await explore({ ...make(modules), strategy, seed, maxAttempts: strategy === "dpor" ? DPOR_BUDGET : BUDGET, ...quiet });
    runs.push({
      attempts: result.propertyHolds ? null : result.numExplored,
      kind: result.counterexample?.failure.kind ?? null,
      foundBy: result.portfolio?.foundBy ?? null,
      ms: performance.now() - t0,
    });
  }
  emit({ id, strategy, runs });
  disarm();
}

/** Every measurement, each in its own process (`measure` from lib/measure.mjs). */
export async function measureClassic(measure) {
  const results = [];
  for (const [id] of PROGRAMS) for (const strategy of STRATEGIES) results.push(await measure("classic.mjs", [`--program=${id}`, `--strategy=${strategy}`], 960_000));
  return results;
}

/** Detection over the seeds within `budget`, and "median (min–max)" runs to the bug. */
function cell(runs, budget, seeds) {
  const found = runs.map((r) => r.attempts).filter((n) => n !== null && n <= budget);
  // DPOR ran once: it is the same on every seed.
  const rate = runs.length === 1 ? `${found.length === 1 ? seeds : 0}/${seeds}` : `${found.length}/${runs.length}`;
  if (found.length === 0) return `${rate}`;
  const spreadText = found.length === 1 ? `${found[0]}` : `${num(median(found), 1)} (${Math.min(...found)}–${Math.max(...found)})`;
  return `${rate}, ${spreadText}`;
}

/** The markdown section for the results of {@link measureClassic}. */
export function classicSection(results) {
  const lines = ["\n## Classic programs: detection within the default budget\n"];
  lines.push(
    `Fixtures \`fixtures/classic/*.ts\` and \`fixtures/dpor/dining-philosophers.ts\` (TypeScript task threads through tsx and the load-time instrumentation). ` +
      `Each cell: seeds (1..${SEEDS.length}) on which the bug was found within the budget, then median (min–max) runs to it. ` +
      `portfolio = the default strategy; budget ${BUDGET} runs (the default), no replays, no shrinking. ` +
      `DPOR takes no seed: one exploration with a budget of ${DPOR_BUDGET} stands for every seed. ` +
      "found by: which portfolio member's run found it, over the seeds.\n",
  );
  const rows = PROGRAMS.map(([id, label]) => {
    const of = (strategy) => results.find((r) => r.id === id && r.strategy === strategy);
    const text = (strategy, budget) => {
      const r = of(strategy);
      if (r === undefined) return "—";
      if (r.error) return `failed: ${r.error.split("\n")[0]}`;
      return cell(r.runs, budget, SEEDS.length);
    };
    const portfolio = of("portfolio");
    const by = portfolio?.runs
      ? Object.entries(portfolio.runs.reduce((acc, r) => (r.foundBy ? { ...acc, [r.foundBy]: (acc[r.foundBy] ?? 0) + 1 } : acc), {}))
          .map(([member, count]) => `${member} ${count}`)
          .join(", ")
      : "—";
    const ms = portfolio?.runs ? num(median(portfolio.runs.map((r) => r.ms)), 0) : "—";
    return [label, text("portfolio", BUDGET), by || "—", text("dpor", BUDGET), text("dpor", DPOR_BUDGET), text("random", BUDGET), text("pct", BUDGET), ms];
  });
  lines.push(
    table(
      ["program", `portfolio (default), ${BUDGET}`, "found by (portfolio)", `dpor, ${BUDGET}`, `dpor, ${DPOR_BUDGET}`, `random, ${BUDGET}`, `pct, ${BUDGET}`, "ms per portfolio exploration"],
      rows,
    ),
  );
  const failed = results.filter((r) => r.error);
  for (const r of failed) lines.push(`\n${r.error}`);
  return lines.join("\n");
}

const arg = (name) => process.argv.find((a) => a.startsWith(`--${name}=`))?.slice(name.length + 3);

if (import.meta.url === pathToFileURL(process.argv[1] ?? "").href) {
  const [id, strategy] = [arg("program"), arg("strategy")];
  if (id !== undefined && strategy !== undefined) await measureOne(id, strategy);
  else {
    const { measure } = await import("./lib/measure.mjs");
    console.log(classicSection(await measureClassic(measure)));
  }
}
