// DPOR over task threads that share an external resource (issue 14): for each scenario of
// fixtures/io/ — the safe twins and the exactness cases of test/tasks/io-*.test.ts — the
// executions DPOR needs to finish its search (`explore(scenario, { strategy: "dpor" })`, default
// budget) against all interleavings of the tasks' gates (`strategy: "exhaustive"`, `maxAttempts:
// 10000`), whether each search ran out, and the wall time of each search (one timed search per
// strategy, after one untimed DPOR search of the same scenario that pays the one-off loads).
// Also the buggy versions: executions to the first failure for both strategies. No replays and no
// shrinking anywhere (`reproduceOnFailure: 0`, `shrinkBudget: 0`). Benchmarks report, they never
// pass or fail; every number is measured by this run.
//
// The resources are real: a better-sqlite3 file database, files in a temporary directory, a
// private redis-server and a private PostgreSQL cluster (test/helpers/redis.ts and postgres.ts:
// a random 127.0.0.1 port, a temporary directory). Rows whose server is not installed are skipped
// with a note. Every server started here is stopped however the script ends (normal end, error,
// SIGINT/SIGTERM, the watchdog).
//
// The fixtures are TypeScript: they are loaded through tsx's module hook, with interlace's
// load-time instrumentation (what `node --import tsx --import interlace/register` installs)
// registered after it, so it instruments tsx's output — gates on awaits, driver calls recorded as
// resource accesses. The test helpers are imported before the instrumentation and stay plain.
//
// Standalone: `node scripts/build.mjs && node bench/io-dpor.mjs` measures the work tree's dist/
// (or the copy named by INTERLACE_BENCH_DIST, as bench/run.mjs sets it). Prints its own table.
import { rmSync } from "node:fs";
import { performance } from "node:perf_hooks";
import { register as registerTsx } from "tsx/esm/api";
import { DIST, watchdog } from "./lib/script.mjs";
import { num, table } from "./lib/stats.mjs";

const EXHAUSTIVE_BUDGET = 10_000;
const quiet = { reproduceOnFailure: 0, shrinkBudget: 0 };

// --- cleanup, however the script ends ------------------------------------------------------------
/** Synchronous stops, run last-in first-out, each at most once. */
const cleanups = [];
function cleanUp() {
  while (cleanups.length) {
    const stop = cleanups.pop();
    try {
      stop();
    } catch (e) {
      console.error(`io-dpor: cleanup failed: ${e?.message ?? e}`);
    }
  }
}
process.on("exit", cleanUp);
for (const [signal, code] of [["SIGINT", 130], ["SIGTERM", 143], ["SIGHUP", 129]]) process.on(signal, () => process.exit(code));
const disarm = watchdog(900_000, cleanUp);

// --- loading: tsx, the (plain) helpers, then the instrumentation and the fixtures ---------------
registerTsx();
const { startRedis } = await import("../test/helpers/redis.ts");
const { startPostgres } = await import("../test/helpers/postgres.ts");
const { Redis } = await import("ioredis");
const { default: pg } = await import("pg");
await import(new URL("tasks/register.js", DIST).href); // instruments the fixtures as they load
const { explore, defineScenario, thread } = await import(new URL("index.js", DIST).href);
const sqlite = await import("../fixtures/io/sqlite.ts");
const files = await import("../fixtures/io/files.ts");
const redisFx = await import("../fixtures/io/redis.ts");
const pgFx = await import("../fixtures/io/pg.ts");
cleanups.push(() => rmSync(files.DIR, { recursive: true, force: true }));

// --- measuring -----------------------------------------------------------------------------------
async function timed(scenario, options) {
  const t0 = performance.now();
  const result = await explore(scenario, { ...options, ...quiet });
  return { ms: performance.now() - t0, result };
}

const twins = []; // [label, cells...]
const bugs = [];
const notes = [];
const odd = [];

const searchState = (r) => (r.complete ? "yes" : r.exhausted ? `no (unmodelled: ${r.unmodelled.map((u) => u.origin).join(", ")})` : "no (budget spent)");

/** A twin or exactness case: DPOR's complete search against exhaustive's (`more`: e.g. a granularity). */
/** Runs one row; a search that throws (a divergence: E_NOT_DETERMINISTIC) is a row of its own, not the end of the table. */
async function row(label, rows, width, measure) {
  console.error(`io-dpor: ${label}`);
  try {
    await measure();
  } catch (e) {
    rows.push([label, `threw ${e?.code ?? ""}`.trim(), ...Array(width - 2).fill("")]);
    odd.push(`${label}: ${e?.code ?? "error"}: ${String(e?.message ?? e).split("; the program")[0]}`);
  }
}

async function twin(label, make, more = {}, budget = EXHAUSTIVE_BUDGET) {
  return row(label, twins, 8, () => twinRow(label, make, more, budget));
}

async function bug(label, make, more = {}, budget = EXHAUSTIVE_BUDGET) {
  return row(label, bugs, 5, () => bugRow(label, make, more, budget));
}

async function twinRow(label, make, more, budget) {
  await explore(make(), { strategy: "dpor", ...quiet, ...more }); // warm-up: loads, plan caches, catalog reads
  const dpor = await timed(make(), { strategy: "dpor", ...more });
  const all = await timed(make(), { strategy: "exhaustive", maxAttempts: budget, ...more });
  const d = dpor.result;
  const e = all.result;
  if (!d.propertyHolds) odd.push(`${label}: DPOR found a failure (${d.counterexample?.failure.kind ?? "?"}) in a scenario expected to hold`);
  if (!e.propertyHolds) odd.push(`${label}: exhaustive found a failure (${e.counterexample?.failure.kind ?? "?"}) in a scenario expected to hold`);
  if (!d.complete) odd.push(`${label}: DPOR's search is not complete (${searchState(d)})`);
  if (e.exhausted && d.exhausted && e.numExplored < d.numExplored) odd.push(`${label}: DPOR ran more executions (${d.numExplored}) than there are interleavings (${e.numExplored})`);
  const allCell = e.exhausted ? String(e.numExplored) : `≥ ${e.numExplored} (budget spent)`;
  const ratio = `${e.exhausted && d.exhausted ? "" : "≥ "}${num(e.numExplored / d.numExplored, 1)}×`;
  twins.push([label, `${d.numExplored}${d.propertyHolds ? "" : " (failed)"}`, searchState(d), allCell, searchState(e), ratio, num(dpor.ms, 0), num(all.ms, 0)]);
}

/** A buggy version: executions (and ms) to the first failure. */
async function bugRow(label, make, more, budget) {
  await explore(make(), { strategy: "dpor", ...quiet, ...more }); // warm-up
  const dpor = await timed(make(), { strategy: "dpor", ...more });
  const all = await timed(make(), { strategy: "exhaustive", maxAttempts: budget, ...more });
  const cell = (r) => (r.propertyHolds ? `not found in ${r.numExplored}` : String(r.numExplored));
  for (const [who, r] of [["DPOR", dpor.result], ["exhaustive", all.result]]) if (r.propertyHolds) odd.push(`${label}: ${who} did not find the bug`);
  bugs.push([label, cell(dpor.result), num(dpor.ms, 0), cell(all.result), num(all.ms, 0)]);
}

const skipped = (label, why) => twins.push([label, `skipped: ${why}`, "", "", "", "", "", ""]);
const skippedBug = (label, why) => bugs.push([label, `skipped: ${why}`, "", "", ""]);

const t0 = performance.now();

// SQLite (better-sqlite3, one database file per attempt)
await twin("SQLite `UPDATE c SET n = n + 1` twin (`sqlite.incremented`)", sqlite.incremented);
await twin("SQLite transaction twin (`sqlite.transaction`)", sqlite.transaction);
await twin("SQLite different rows (`sqlite.differentRows`)", sqlite.differentRows);
await bug("SQLite SELECT, await, UPDATE lost update (`sqlite.lostUpdate`)", sqlite.lostUpdate);

// Files (one fixed directory, emptied by setup)
await twin('files `writeFile(…, { flag: "wx" })` twin (`files.exclusiveCreate`)', files.exclusiveCreate);
await twin("files different files in one directory (`files.differentFiles`)", files.differentFiles);
await bug("files existsSync then writeFileSync (`files.existsCheck`)", files.existsCheck);
await bug("files stat then promises.writeFile (`files.statCheck`)", files.statCheck);
await twin("files store saved to a temporary file and renamed, while loaded (`files.tornStore(\"atomic\")`)", () => files.tornStore("atomic"));
await bug("files store saved in place with promises.writeFile while loaded: torn read (`files.tornStore(\"promise\")`)", () => files.tornStore("promise"));

// Redis (ioredis, two clients on a private redis-server)
const REDIS_TWINS = [
  ["Redis INCR twin (`redis.incremented`)", redisFx.incremented],
  ["Redis WATCH/MULTI/EXEC twin (`redis.watchMulti`)", redisFx.watchMulti],
  ["Redis different keys (`redis.differentKeys`)", redisFx.differentKeys],
  ["Redis pipeline INCR (`redis.pipeline`)", redisFx.pipeline],
  ["Redis MULTI on the connection (`redis.multiOnConnection`)", redisFx.multiOnConnection],
  ["Redis SELECT, one key name in databases 0 and 1 (`redis.otherDatabase`)", redisFx.otherDatabase],
  ["Redis GET/SET by both, invariant always true (`redis.lostUpdateAll`)", redisFx.lostUpdateAll],
];
const REDIS_BUGS = [["Redis GET/SET lost update (`redis.lostUpdate`)", redisFx.lostUpdate]];
let redis;
try {
  const server = await startRedis();
  cleanups.push(() => server.stop());
  const options = { host: "127.0.0.1", port: server.port, lazyConnect: true, maxRetriesPerRequest: 1 };
  const clients = { r1: new Redis(options), r2: new Redis(options) };
  cleanups.push(() => (clients.r1.disconnect(), clients.r2.disconnect()));
  await Promise.all([clients.r1.connect(), clients.r2.connect()]);
  redis = () => clients;
} catch (e) {
  notes.push(`Redis rows skipped: ${e?.message ?? e}`);
}
for (const [label, make] of REDIS_TWINS) redis ? await twin(label, () => make(redis)) : skipped(label, "no redis-server");
for (const [label, make] of REDIS_BUGS) redis ? await bug(label, () => make(redis)) : skippedBug(label, "no redis-server");

// PostgreSQL (pg, two Clients on a private cluster)
const PG_TWINS = [
  ["pg `INSERT … ON CONFLICT (email) DO NOTHING` twin (`pg.onConflict`)", pgFx.onConflict],
  ["pg different rows (`pg.differentRows`)", pgFx.differentRows],
  ["pg `SELECT … FOR UPDATE` in a transaction twin, lock waits (`pg.forUpdate`)", (c) => pgFx.forUpdate(c, 10_000)],
];
const PG_BUGS = [
  ["pg lock-order deadlock through `FOR UPDATE` (`pg.lockOrder`)", pgFx.lockOrder],
  ["pg SELECT, UPDATE lost update (`pg.lostUpdate`)", pgFx.lostUpdate],
  ["pg check-then-insert (`pg.checkThenInsert`)", pgFx.checkThenInsert],
];
let postgres;
try {
  const server = await startPostgres();
  cleanups.push(() => server.stop());
  const clients = { c1: new pg.Client(server.url), c2: new pg.Client(server.url) };
  // The server goes first (immediate shutdown); ending the clients too lets the loop drain.
  cleanups.push(() => void Promise.all([clients.c1.end(), clients.c2.end()]).catch(() => {}));
  await Promise.all([clients.c1.connect(), clients.c2.connect()]);
  postgres = () => clients;
} catch (e) {
  notes.push(`PostgreSQL rows skipped: ${e?.message ?? e}`);
}
for (const [label, make] of PG_TWINS) postgres ? await twin(label, () => make(postgres)) : skipped(label, "no PostgreSQL");
for (const [label, make] of PG_BUGS) postgres ? await bug(label, () => make(postgres)) : skippedBug(label, "no PostgreSQL");

// Process threads over files (fixtures/io/processes), at io granularity: the accesses come from each
// process's io hooks.
const { processScenarios } = await import("../fixtures/io/processes/scenarios.mjs");
const { mkdtempSync } = await import("node:fs");
const { tmpdir } = await import("node:os");
const { join } = await import("node:path");
const procDir = mkdtempSync(join(tmpdir(), "interlace-bench-io-processes-"));
cleanups.push(() => rmSync(procDir, { recursive: true, force: true }));
const proc = processScenarios({ defineScenario, thread }, join(procDir, "shared"));
const io = { granularity: "io" };
await twin('processes `open(…, "wx")` twin, io granularity (`processes.claimExclusive`)', () => proc.claimExclusive("process"), io);
await twin("processes different files, io granularity (`processes.own`)", () => proc.own("process"), io);
await twin("processes, lockfile's lockSync first, io granularity (`processes.lockFirst`)", () => proc.lockFirst("process"), io);
await bug("processes existsSync then writeFileSync, io granularity (`processes.claim`)", () => proc.claim("process"), io);
await bug("processes lockfile checkSync then lockSync, io granularity (`processes.checkThenLock`)", () => proc.checkThenLock("process"), io);

// Process threads over PostgreSQL (fixtures/io/processes/pg-scenarios.mjs): each process a pg Client
// of its own, at io granularity (their default); FOR UPDATE waits through the lock gates.
const { pgProcessScenarios } = await import("../fixtures/io/processes/pg-scenarios.mjs");
const PG_PROCESS_TWINS = [
  ["processes pg `UPDATE … + $1` twin (`pgProcesses.increment`)", "increment"],
  ["processes pg `SELECT … FOR UPDATE` twin, lock gates (`pgProcesses.depositLocked`)", "depositLocked"],
  ["processes pg `INSERT … ON CONFLICT` twin (`pgProcesses.onConflict`)", "onConflict"],
];
const PG_PROCESS_BUGS = [
  ["processes pg SELECT, UPDATE lost update (`pgProcesses.deposit`)", "deposit"],
  ["processes pg check-then-insert (`pgProcesses.checkThenInsert`)", "checkThenInsert"],
  ["processes pg lock-order deadlock (`pgProcesses.lockBoth`)", "lockBoth"],
];
let pgUrl;
try {
  const server = await startPostgres();
  cleanups.push(() => server.stop());
  pgUrl = server.url;
} catch (e) {
  notes.push(`PostgreSQL process rows skipped: ${e?.message ?? e}`);
}
for (const [label, name] of PG_PROCESS_TWINS) pgUrl ? await twin(label, () => pgProcessScenarios({ defineScenario, thread }, pgUrl)[name](), io) : skipped(label, "no PostgreSQL");
for (const [label, name] of PG_PROCESS_BUGS) pgUrl ? await bug(label, () => pgProcessScenarios({ defineScenario, thread }, pgUrl)[name](), io) : skippedBug(label, "no PostgreSQL");

// Process threads over one SQLite file and one Redis server (ioredis, node-redis, a hand-written
// RESP client), at io granularity. Each attempt launches nothing (isolates are reused) but is ~10×
// a task attempt: all interleavings are counted up to PROCESS_BUDGET.
const PROCESS_BUDGET = 100;
const { sqliteProcessScenarios } = await import("../fixtures/io/processes/sqlite-scenarios.mjs");
const sqliteProc = sqliteProcessScenarios({ defineScenario, thread });
for (const [label, name] of [
  ["processes SQLite `UPDATE … SET n = n + 1` twin (`sqliteProcesses.increment`)", "increment"],
  ["processes SQLite `.immediate()` transaction twin, lock gates (`sqliteProcesses.transaction`)", "transaction"],
  ["processes SQLite different rows (`sqliteProcesses.ownRows`)", "ownRows"],
]) await twin(label, () => sqliteProc[name](), io, PROCESS_BUDGET);
await bug("processes SQLite SELECT, await, UPDATE lost update (`sqliteProcesses.bump`)", () => sqliteProc.bump(), io, PROCESS_BUDGET);
const { redisProcessScenarios } = await import("../fixtures/io/processes/redis-scenarios.mjs");
let redisUrl;
try {
  const server = await startRedis();
  cleanups.push(() => server.stop());
  redisUrl = server.url;
} catch (e) {
  notes.push(`Redis process rows skipped: ${e?.message ?? e}`);
}
for (const client of ["ioredis", "node-redis"]) {
  const fx = () => redisProcessScenarios({ defineScenario, thread }, redisUrl, client);
  for (const [label, name] of [
    [`processes ${client} INCR twin (\`redisProcesses.increment\`)`, "increment"],
    [`processes ${client} WATCH/MULTI/EXEC twin (\`redisProcesses.watched\`)`, "watched"],
    [`processes ${client} different keys (\`redisProcesses.ownKeys\`)`, "ownKeys"],
  ]) redisUrl ? await twin(label, () => fx()[name](), io, PROCESS_BUDGET) : skipped(label, "no redis-server");
  const label = `processes ${client} GET/SET lost update (\`redisProcesses.bump\`)`;
  redisUrl ? await bug(label, () => fx().bump(), io, PROCESS_BUDGET) : skippedBug(label, "no redis-server");
}
{
  const label = "processes hand-written RESP client on net.Socket, GET/SET lost update (`redisProcesses.bump`, raw)";
  redisUrl ? await bug(label, () => redisProcessScenarios({ defineScenario, thread }, redisUrl, "raw").bump(), io, PROCESS_BUDGET) : skippedBug(label, "no redis-server");
}

const wallS = (performance.now() - t0) / 1000;
disarm();

console.log("## DPOR on external resources: the twins vs all interleavings (bench/io-dpor.mjs)\n");
console.log(
  `Task threads over real resources (fixtures/io/: better-sqlite3, files, ioredis on a private redis-server, pg on a private PostgreSQL cluster), and process threads over files, PostgreSQL, SQLite and Redis at io granularity (fixtures/io/processes/; all interleavings of the SQLite and Redis process scenarios counted up to ${PROCESS_BUDGET}). ` +
    '`dpor`: `explore(scenario, { strategy: "dpor" })` (default budget, 200). ' +
    `All interleavings: \`strategy: "exhaustive", maxAttempts: ${EXHAUSTIVE_BUDGET}\` (every interleaving of the tasks' gates). ` +
    "ratio = all interleavings / DPOR executions. ms: one search each, after one untimed DPOR search of the same scenario; no replays, no shrinking.\n",
);
console.log(table(["scenario", "DPOR executions", "complete", "all interleavings", "exhaustive complete", "ratio", "DPOR ms", "exhaustive ms"], twins));
console.log("\nBuggy versions: executions to the first failure (`stopOnFirst`, default).\n");
console.log(table(["scenario", "DPOR executions to find the bug", "DPOR ms", "exhaustive executions to find the bug", "exhaustive ms"], bugs));
for (const note of notes) console.log(`\n${note}`);
if (odd.length) console.log(`\nUnexpected:\n${odd.map((o) => `- ${o}`).join("\n")}`);
console.log(`\nMeasurement wall time: ${num(wallS, 1)} s.`);

cleanUp();
