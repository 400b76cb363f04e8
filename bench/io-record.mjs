// Cost of recording one external operation in a task thread (src/io/drivers/, through the access
// runtime as instrumented code calls it: `__ila.M(stmt, "run").run(…)`): µs per call with a sink
// set (the call classified and its accesses recorded), against the bare operation and against the
// instrumented call with no sink (outside a run). A better-sqlite3 file database, real files in
// a temporary directory, and a private redis-server (when one is installed: Redis rows are
// skipped otherwise), its commands sent 200 at a time over one ioredis connection (µs per command). Medians over repetitions after a warm-up; benchmarks report, they never
// pass or fail.
//
// Standalone: `node scripts/build.mjs && node bench/io-record.mjs` (or INTERLACE_BENCH_DIST, as
// bench/run.mjs sets it).
import { spawn } from "node:child_process";
import { existsSync, mkdtempSync, rmSync, statSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import * as fs from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { performance } from "node:perf_hooks";
import Database from "better-sqlite3";
import { Redis } from "ioredis";
import { DIST } from "./lib/script.mjs";
import { median, micros, table, usPerCall } from "./lib/stats.mjs";

// DIST: run.mjs passes its private copy as a file: URL; standalone, the work tree's dist/.
const load = (p) => import(new URL(p, DIST).href);
const { createAccessRuntime } = await load("access/runtime.js");
const { createTaskPolicy } = await load("access/task-policy.js");

const REPS = 7;

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
  const bareUs = usPerCall((k) => {
    for (let i = 0; i < k; i++) bare();
  }, n);
  rt.setSink(null);
  const offUs = usPerCall((k) => {
    for (let i = 0; i < k; i++) viaRuntime();
  }, n);
  rt.setSink(sink);
  recorded = 0;
  const onUs = usPerCall((k) => {
    for (let i = 0; i < k; i++) viaRuntime();
  }, n);
  const perCall = recorded / ((REPS + 1) * n);
  rt.setSink(null);
  rows.push([what, micros(bareUs), micros(offUs), micros(onUs), micros(onUs - bareUs), perCall.toFixed(1)]);
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

// Redis: a private server on a free port, no persistence; gone when the bench ends.
async function startRedis() {
  const probe = createServer();
  await new Promise((resolve) => probe.listen(0, "127.0.0.1", resolve));
  const { port } = probe.address();
  await new Promise((resolve) => probe.close(resolve));
  const child = spawn("redis-server", ["--port", String(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no", "--dir", dir], { stdio: "ignore" });
  // However this script ends (a crash included), the server goes with it.
  process.on("exit", () => child.kill("SIGKILL"));
  const failed = new Promise((resolve) => child.once("error", () => resolve(null)));
  const client = new Redis({ host: "127.0.0.1", port, lazyConnect: true, retryStrategy: () => null, maxRetriesPerRequest: 0 });
  client.on("error", () => {}); // refused until the server listens
  for (let i = 0; i < 100; i++) {
    const ok = await Promise.race([failed, client.connect().then(() => true, () => false)]);
    if (ok === null) return null;
    if (ok) return { client, stop: () => (client.disconnect(), child.kill("SIGKILL")) };
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  child.kill("SIGKILL");
  return null;
}

async function usPerAsync(fn, n) {
  await fn(n);
  const samples = [];
  for (let r = 0; r < REPS; r++) {
    const start = performance.now();
    await fn(n);
    samples.push(((performance.now() - start) * 1000) / n);
  }
  return median(samples);
}

/** As `measure`, for commands in flight together (`BATCH` at a time). */
async function measureAsync(what, bare, viaRuntime, n) {
  const BATCH = 200;
  const batched = (call) => async (k) => {
    for (let i = 0; i < k; i += BATCH) await Promise.all(Array.from({ length: Math.min(BATCH, k - i) }, call));
  };
  const bareUs = await usPerAsync(batched(bare), n);
  rt.setSink(null);
  const offUs = await usPerAsync(batched(viaRuntime), n);
  rt.setSink(sink);
  recorded = 0;
  const onUs = await usPerAsync(batched(viaRuntime), n);
  const perCall = recorded / ((REPS + 1) * n);
  rt.setSink(null);
  rows.push([what, micros(bareUs), micros(offUs), micros(onUs), micros(onUs - bareUs), perCall.toFixed(1)]);
}

const redis = await startRedis();
if (redis === null) {
  console.error("io-record: no redis-server (apt-get install redis-server): Redis rows skipped");
} else {
  const r = redis.client;
  try {
    await r.set("stock:42", 0);
    await measureAsync("ioredis `get(key)`", () => r.get("stock:42"), () => rt.M(r, "get").get("stock:42"), 4000);
    await measureAsync("ioredis `incr(key)`", () => r.incr("stock:42"), () => rt.M(r, "incr").incr("stock:42"), 4000);
    await measureAsync("ioredis `call(\"SET\", key, value)`", () => r.call("SET", "stock:42", "1"), () => rt.M(r, "call").call("SET", "stock:42", "1"), 4000);
  } finally {
    redis.stop();
  }
}
rmSync(dir, { recursive: true, force: true });

console.log("## Recording external operations of task threads (src/io/drivers)\n");
console.log("µs per call: the bare operation, the instrumented call outside a run (no sink), the instrumented call recorded in a run (classified, accesses to the sink), the recording's own cost, accesses per call.\n");
console.log(table(["operation", "bare", "no sink", "recorded", "recording cost", "accesses"], rows));
