// Cost of recording one external operation in a task thread (src/io/drivers/, through the access
// runtime as instrumented code calls it: `__ila.M(stmt, "run").run(…)`): µs per call with a sink
// set (the call classified and its accesses recorded), against the bare operation and against the
// instrumented call with no sink (outside a run). A better-sqlite3 file database and real files in
// a temporary directory. Medians over repetitions after a warm-up; benchmarks report, they never
// pass or fail.
//
// Standalone: `node scripts/build.mjs && node bench/io-record.mjs` (or INTERLACE_BENCH_DIST, as
// bench/run.mjs sets it).
import { existsSync, mkdtempSync, rmSync, statSync, writeFileSync } from "node:fs";
import * as fs from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { performance } from "node:perf_hooks";
import { pathToFileURL } from "node:url";
import Database from "better-sqlite3";
import { table } from "./lib/stats.mjs";

const dist = process.env.INTERLACE_BENCH_DIST ?? new URL("../dist", import.meta.url).pathname;
const load = (p) => import(pathToFileURL(`${dist}/${p}`).href);
const { createAccessRuntime } = await load("access/runtime.js");
const { createTaskPolicy } = await load("access/task-policy.js");

const REPS = 7;
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
function usPer(fn, n) {
  fn(n);
  const samples = [];
  for (let r = 0; r < REPS; r++) {
    const start = performance.now();
    fn(n);
    samples.push(((performance.now() - start) * 1000) / n);
  }
  return median(samples);
}
const fmt = (us) => (us < 10 ? us.toFixed(2) : us < 100 ? us.toFixed(1) : us.toFixed(0));

const dir = mkdtempSync(join(tmpdir(), "interlace-bench-io-"));
const db = new Database(join(dir, "bench.db"));
db.pragma("journal_mode = WAL");
db.exec("CREATE TABLE c (id INTEGER PRIMARY KEY, n INTEGER NOT NULL); INSERT INTO c VALUES (1, 0), (2, 0)");
const file = join(dir, "data.json");
writeFileSync(file, "{}");

const rt = createAccessRuntime(createTaskPolicy());
let recorded = 0;
const sink = () => void recorded++;

const rows = [];
function measure(what, bare, viaRuntime, n) {
  const bareUs = usPer((k) => {
    for (let i = 0; i < k; i++) bare();
  }, n);
  rt.setSink(null);
  const offUs = usPer((k) => {
    for (let i = 0; i < k; i++) viaRuntime();
  }, n);
  rt.setSink(sink);
  recorded = 0;
  const onUs = usPer((k) => {
    for (let i = 0; i < k; i++) viaRuntime();
  }, n);
  const perCall = recorded / ((REPS + 1) * n);
  rt.setSink(null);
  rows.push([what, fmt(bareUs), fmt(offUs), fmt(onUs), fmt(onUs - bareUs), perCall.toFixed(1)]);
}

const select = db.prepare("SELECT n FROM c WHERE id = ?");
const update = db.prepare("UPDATE c SET n = n + 1 WHERE id = ?");
const assign = db.prepare("UPDATE c SET n = ? WHERE id = ?");
measure("better-sqlite3 `SELECT n FROM c WHERE id = ?` .get(1)", () => select.get(1), () => rt.M(select, "get").get(1), 5000);
measure("better-sqlite3 `UPDATE c SET n = n + 1 WHERE id = ?` .run(1)", () => update.run(1), () => rt.M(update, "run").run(1), 3000);
measure("better-sqlite3 `UPDATE c SET n = ? WHERE id = ?` .run(5, 2)", () => assign.run(5, 2), () => rt.M(assign, "run").run(5, 2), 3000);
measure("fs `existsSync(path)`", () => existsSync(file), () => rt.M(fs, "existsSync").existsSync(file), 20000);
measure("fs `statSync(path)`", () => statSync(file), () => rt.M(fs, "statSync").statSync(file), 20000);
measure("fs `writeFileSync(path, data)`", () => writeFileSync(file, "{}"), () => rt.M(fs, "writeFileSync").writeFileSync(file, "{}"), 3000);

db.close();
rmSync(dir, { recursive: true, force: true });

console.log("## Recording external operations of task threads (src/io/drivers)\n");
console.log("µs per call: the bare operation, the instrumented call outside a run (no sink), the instrumented call recorded in a run (classified, accesses to the sink), the recording's own cost, accesses per call.\n");
console.log(table(["operation", "bare", "no sink", "recorded", "recording cost", "accesses"], rows));
