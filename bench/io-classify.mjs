// Cost of classifying one external operation (src/io/): µs per call for each classifier — SQL
// cold (plan cache emptied before every call: fast path, or parser) and cached (the statement
// text seen before: only the parameters are bound), Redis, fs and net (no cache: every call is
// the same work). Also the one-off cost of loading the SQL parser. Medians over repetitions after
// a warm-up; benchmarks report, they never pass or fail.
//
// Standalone: `node scripts/build.mjs && node bench/io-classify.mjs` measures the work tree's dist/
// (or the copy named by INTERLACE_BENCH_DIST, as bench/run.mjs sets it).
import { performance } from "node:perf_hooks";
import { DIST } from "./lib/script.mjs";
import { micros, table, usPerCall } from "./lib/stats.mjs";

// DIST: run.mjs passes its private copy as a file: URL; standalone, the work tree's dist/.
const load = (p) => import(new URL(p, DIST).href);

const t0 = performance.now();
const io = await load("io/index.js");
const loadMs = performance.now() - t0;
const t1 = performance.now();
io.clearSqlCache();
io.classifySql("SELECT count(*) FROM warmup", [], { dialect: "sqlite", database: "w" }); // loads sql-parser-cst
const parserLoadMs = performance.now() - t1;


const lite = { dialect: "sqlite", database: "/tmp/app.db" };
const pg = { dialect: "postgres", database: "127.0.0.1:5432/app" };
const SQL = [
  ["SELECT n FROM c WHERE id = ?", [1], lite],
  ["UPDATE c SET n = n + 1 WHERE id = ?", [1], lite],
  ["INSERT INTO c (id, n) VALUES (?, ?)", [1, 0], lite],
  ["SELECT n FROM c WHERE id = $1 FOR UPDATE", [1], pg],
  ["SELECT count(*) FROM c WHERE n > ?", [0], lite],
  ["INSERT INTO c (id, n) VALUES ($1, $2) ON CONFLICT (id) DO UPDATE SET n = c.n + 1", [1, 0], pg],
  ["SELECT a.* FROM a JOIN b ON a.id = b.aid WHERE a.id IN ($1, $2) AND b.x = 'y'", [1, 2], pg],
  ["WITH t AS (SELECT id FROM a WHERE x > 1) SELECT * FROM b JOIN t ON b.id = t.id", [], lite],
];

const rows = [];
for (const [sql, params, options] of SQL) {
  const source = io.sqlPlanSource(sql, options);
  const cold = usPerCall((n) => {
    for (let i = 0; i < n; i++) {
      io.clearSqlCache();
      io.classifySql(sql, params, options);
    }
  }, source === "fast" ? 2000 : 200);
  const cached = usPerCall((n) => {
    for (let i = 0; i < n; i++) io.classifySql(sql, params, options);
  }, 20000);
  rows.push([`SQL (${options.dialect})`, `\`${sql.length > 60 ? `${sql.slice(0, 59)}…` : sql}\``, source ?? "unparseable", micros(cold), micros(cached)]);
}

const redis = { server: "127.0.0.1:6379" };
for (const [cmd, args] of [
  ["GET", ["stock:42"]],
  ["MSET", ["a", "1", "b", "2"]],
  ["EVAL", ["return 1", 2, "k1", "k2"]],
  ["XREAD", ["COUNT", 1, "STREAMS", "s1", "0"]],
]) {
  const us = usPerCall((n) => {
    for (let i = 0; i < n; i++) io.classifyRedis(cmd, args, redis);
  }, 20000);
  rows.push(["Redis", `\`${cmd} ${args.join(" ")}\``, "command table", micros(us), "—"]);
}

const fsOptions = { cwd: "/work/app", fds: new Map([[7, "/work/app/log"]]) };
for (const [method, args] of [
  ["readFileSync", ["data/a.json", "utf8"]],
  ["open", ["lock", "wx"]],
  ["rename", ["a.tmp", "a.json"]],
  ["write", [7, "x"]],
]) {
  const us = usPerCall((n) => {
    for (let i = 0; i < n; i++) io.classifyFs(method, args, fsOptions);
  }, 20000);
  rows.push(["fs", `\`${method}(${args.map((a) => JSON.stringify(a)).join(", ")})\``, "—", micros(us), "—"]);
}
const netUs = usPerCall((n) => {
  for (let i = 0; i < n; i++) io.classifyConnect({ host: "127.0.0.1", port: 5432 });
}, 20000);
rows.push(["net", "`connect 127.0.0.1:5432`", "—", micros(netUs), "—"]);

console.log("## Classifying external operations (src/io)\n");
console.log(`Loading \`io/index.js\`: ${loadMs.toFixed(1)} ms; loading the SQL parser (sql-parser-cst, on the first statement the fast path does not take): ${parserLoadMs.toFixed(0)} ms.\n`);
console.log(table(["classifier", "operation", "planned by", "µs cold", "µs cached"], rows));
