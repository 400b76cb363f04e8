// Case studies: real npm packages (and application code on them) with known races, explored by
// interlace as a user would, through the CLI. `npm run case-studies` in the repository root
// installs this folder's dependencies and runs this script; it prints a table and exits 1 when a
// case does not come out as expected. Not part of `npm test`: it installs packages and takes a while.
import { spawnSync } from "node:child_process";
import { fileURLToPath } from "node:url";

const root = fileURLToPath(new URL("..", import.meta.url));
const SEEDS = [1, 2, 3, 4, 5];

const CASES = [
  { name: "cache-manager 5.2.4 wrap(): concurrent misses compute twice", scenario: "case-studies/cache-manager-wrap/scenario.ts", env: {}, trace: "cache-manager-5.2", expect: "violated" },
  { name: "cache-manager 5.2.4 wrap(), package untraced", scenario: "case-studies/cache-manager-wrap/scenario.ts", env: {}, trace: "", expect: "violated" },
  { name: "cache-manager 5.4.0 wrap() (coalesced since 5.3): holds, every package traced", scenario: "case-studies/cache-manager-wrap/scenario.ts", env: { CACHE_MANAGER: "cache-manager-5.4" }, trace: "cache-manager-5.4,promise-coalesce,lru-cache", expect: "holds" },
  { name: "cache-manager 5.4.0 wrap(), lru-cache untraced: holds, not a proof", scenario: "case-studies/cache-manager-wrap/scenario.ts", env: { CACHE_MANAGER: "cache-manager-5.4" }, trace: "cache-manager-5.4,promise-coalesce", expect: "holds" },
  { name: "get-or-load on lru-cache 11 (untraced)", scenario: "case-studies/lru-get-or-load/scenario.ts", env: {}, trace: "", expect: "violated" },
  { name: "get-or-load on lru-cache 11 (traced)", scenario: "case-studies/lru-get-or-load/scenario.ts", env: {}, trace: "lru-cache", expect: "violated" },
  { name: "node-persist 4.0.4 setItem while getItem reads: the file read torn (traced)", scenario: "case-studies/node-persist-torn/scenario.ts", env: {}, trace: "node-persist-4.0", expect: "violated" },
  { name: "node-persist 4.0.4, package untraced: holds, not a proof (its writeFile is one effect)", scenario: "case-studies/node-persist-torn/scenario.ts", env: {}, trace: "", expect: "holds" },
];

const rows = [];
let failures = 0;
for (const c of CASES) {
  const outcomes = [];
  for (const seed of SEEDS) {
    const args = ["bin/interlace.js", "explore", c.scenario, "--json", "--seed", String(seed), ...(c.trace ? ["--trace-packages", c.trace] : [])];
    const started = performance.now();
    const run = spawnSync(process.execPath, args, { cwd: root, encoding: "utf8", env: { ...process.env, ...c.env }, timeout: 300_000 });
    const ms = performance.now() - started;
    let report;
    try {
      report = JSON.parse(run.stdout);
    } catch {
      report = { outcome: "error", error: { message: (run.stderr || run.stdout).slice(0, 300) } };
    }
    outcomes.push({ ...report, ms });
  }
  const ok = outcomes.every((o) => o.outcome === c.expect);
  if (!ok) failures += 1;
  const found = outcomes.filter((o) => o.outcome === "violated").map((o) => o.numExplored).sort((a, b) => a - b);
  const last = outcomes.at(-1);
  const verdict =
    last.outcome === "error" ? `error: ${last.error?.code ?? ""} ${last.error?.message?.split("\n")[0] ?? ""}`
    : last.outcome === "violated" ? `found at run ${found.join(", ")}`
    : `holds over ${last.numExplored}${last.searchComplete ? ", search complete" : ""}${last.unmodelled?.length ? `; not observed: ${last.unmodelled.map((u) => u.origin).join(", ")}` : ""}`;
  rows.push([c.name, c.expect, ok ? "✓" : "✗", verdict, `${Math.round(outcomes.reduce((s, o) => s + o.ms, 0) / outcomes.length)} ms`]);
}

console.log(`| case | expected | as expected (${SEEDS.length} seeds) | outcome | mean wall time |`);
console.log("|---|---|---|---|---|");
for (const row of rows) console.log(`| ${row.join(" | ")} |`);
process.exitCode = failures === 0 ? 0 : 1;
