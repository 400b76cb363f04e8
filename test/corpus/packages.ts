/**
 * The corpus of real-world packages that `corpus.test.ts` instruments (gates and accesses) and
 * loads instrumented: CommonJS and ESM (and ESM-syntax `.js` in CommonJS scope, which Node's syntax
 * detection loads as modules), minified bundles (`*.min.js` of lodash, rxjs, mobx, luxon, dayjs,
 * validator, …), tsc output with `__awaiter`/`__generator`/`__decorate` (rxjs, tslib), Babel output
 * (handlebars, validator, axios's browser bundle with the regenerator runtime inlined,
 * regenerator-runtime, @babel/runtime's helpers), esbuild and rollup bundles (immer,
 * @reduxjs/toolkit, zod, yup, luxon, marked), class and private fields (lru-cache, p-queue), async
 * generators and `for await` (p-map, rxjs, emittery), getters and setters (luxon, mobx), Proxy
 * users (immer, mobx, on-change), polyfills that patch globals (core-js).
 *
 * Each package lists
 * - `files`: picomatch globs, relative to the package's folder, of the files to instrument, taken
 *   in glob order (sorted within a glob) until {@link CorpusPackage.maxFiles} or
 *   {@link CorpusPackage.maxBytes} would be exceeded (the first file always counts): the entries
 *   the smoke calls load come first, so they are always in;
 * - `smokes`: what the load test does, in one child process, once with the package's files
 *   instrumented by `interlace/register` and once without: load a module (`require` or `import`;
 *   a specifier starting with `./` is a file of the package, for files its `exports` hide) and
 *   call `call` with it. The results must be JSON-comparable and the same in both runs (no random
 *   ids, no clock: children run with `TZ=UTC`).
 *
 * `call` is sent to the child as its source text (`Function.prototype.toString`): it must be an
 * arrow function that uses nothing but its argument and globals.
 *
 * Excluded files: none. A file would be listed in `exclude` with the reason (a transform bug,
 * with its reproduction) rather than silently left out.
 *
 * debug and ms are dependencies of interlace itself (through @babel/traverse): `interlace/register`
 * loads them, uninstrumented, before its CommonJS hook is installed, so a later `require("debug")`
 * gets that cached copy whatever `INTERLACE_TRACE_PACKAGES` says. The child drops each package's
 * files from `require.cache` before loading it, so that it loads (and the loader instruments) a copy
 * of its own.
 *
 * @module
 */
import { readdirSync, readFileSync, statSync } from "node:fs";
import { dirname, join, relative, sep } from "node:path";
import { fileURLToPath } from "node:url";
import picomatch from "picomatch";

/** One smoke call: load `require` or `import`, then `call(module)`. */
export interface Smoke {
  require?: string;
  import?: string;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- the loaded module is whatever the package exports
  call: (m: any) => unknown;
}

export interface CorpusPackage {
  /** npm name, as installed in the repo's node_modules (a devDependency, exact version). */
  name: string;
  /** Globs of the files to instrument, relative to the package folder, in order of priority. */
  files: readonly string[];
  /** At most this many files (default {@link MAX_FILES}). */
  maxFiles?: number;
  /** At most this many bytes in all (default {@link MAX_BYTES}). */
  maxBytes?: number;
  /** Run its smoke calls in a child process of its own (it patches globals). */
  alone?: boolean;
  /** Globs excluded from `files`, each with the reason. */
  exclude?: Readonly<Record<string, string>>;
  smokes: readonly Smoke[];
}

/** Default cap on files per package. */
export const MAX_FILES = 40;
/** Default cap on bytes per package. */
export const MAX_BYTES = 300_000;

/** The repository's root. */
export const repoRoot = fileURLToPath(new URL("../..", import.meta.url));

export const packages: readonly CorpusPackage[] = [
  {
    name: "lru-cache",
    files: ["dist/commonjs/node/index.min.js", "dist/esm/node/index.min.js", "dist/commonjs/index.min.js", "dist/esm/index.min.js", "dist/**/*.js"],
    smokes: [
      {
        require: "lru-cache",
        call: async (m) => {
          const cache = new m.LRUCache({ max: 2, fetchMethod: async (key: string) => key.toUpperCase() });
          cache.set("a", 1);
          cache.set("b", 2);
          cache.get("a");
          cache.set("c", 3);
          return { keys: [...cache.keys()], fetched: await cache.fetch("d"), size: cache.size, has: cache.has("b") };
        },
      },
      {
        import: "lru-cache",
        call: (m) => {
          const cache = new m.LRUCache({ maxSize: 5, sizeCalculation: (v: string) => v.length });
          cache.set("x", "abc");
          cache.set("y", "de");
          cache.set("z", "f");
          return { entries: [...cache.entries()], calculatedSize: cache.calculatedSize };
        },
      },
    ],
  },
  {
    name: "p-memoize",
    files: ["dist/**/*.js"],
    smokes: [
      {
        import: "p-memoize",
        call: async (m) => {
          let calls = 0;
          const double = m.default(async (x: number) => {
            calls++;
            return x * 2;
          });
          const results = [await double(2), await double(2), await double(3)];
          return { results, calls };
        },
      },
    ],
  },
  {
    name: "p-limit",
    files: ["index.js"],
    smokes: [
      {
        import: "p-limit",
        call: async (m) => {
          const limit = m.default(2);
          const order: string[] = [];
          const results = await Promise.all(
            [1, 2, 3, 4].map((i) =>
              limit(async () => {
                order.push(`start ${i}`);
                await new Promise((resolve) => setTimeout(resolve, 5 * i));
                order.push(`end ${i}`);
                return i * 10;
              }),
            ),
          );
          return { results, order, active: limit.activeCount, pending: limit.pendingCount };
        },
      },
    ],
  },
  {
    name: "p-queue",
    files: ["dist/**/*.js"],
    smokes: [
      {
        import: "p-queue",
        call: async (m) => {
          const queue = new m.default({ concurrency: 1 });
          const order: number[] = [];
          queue.add(async () => order.push(1), { priority: 0 });
          queue.add(async () => order.push(2), { priority: 0 });
          queue.add(async () => order.push(3), { priority: 5 });
          const all = await queue.addAll([async () => "a", async () => "b"]);
          await queue.onIdle();
          return { order, all, size: queue.size, pending: queue.pending };
        },
      },
    ],
  },
  {
    name: "cache-manager",
    files: ["dist/**/*.js"],
    smokes: [
      {
        require: "cache-manager",
        call: async (m) => {
          const cache = await m.caching("memory", { max: 10, ttl: 60_000 });
          await cache.set("k", { v: 1 });
          let calls = 0;
          const load = async () => ++calls;
          const wrapped = [await cache.wrap("w", load), await cache.wrap("w", load)];
          return { k: await cache.get("k"), wrapped, calls, missing: await cache.get("nope") };
        },
      },
    ],
  },
  {
    name: "keyv",
    files: ["dist/index.js", "dist/index.cjs"],
    smokes: [
      {
        import: "keyv",
        call: async (m) => {
          const keyv = new m.default({ namespace: "corpus" });
          await keyv.set("a", { n: 1 });
          await keyv.set("b", 2);
          const got = [await keyv.get("a"), await keyv.get("b"), await keyv.has("c")];
          await keyv.delete("b");
          return { got, afterDelete: await keyv.get("b") };
        },
      },
      {
        require: "keyv",
        call: async (m) => {
          const keyv = new m.Keyv();
          await keyv.set("x", "y");
          return keyv.get("x");
        },
      },
    ],
  },
  {
    name: "async",
    files: ["dist/async.js", "dist/async.mjs", "dist/async.min.js", "*.js", "internal/*.js"],
    smokes: [
      {
        require: "async",
        call: async (m) => {
          const mapped = await m.mapLimit([3, 1, 2], 2, async (x: number) => x * 2);
          const waterfall = await new Promise((resolve, reject) =>
            m.waterfall(
              [(cb: (e: null, v: number) => void) => cb(null, 1), (v: number, cb: (e: null, v: number) => void) => cb(null, v + 1)],
              (err: unknown, result: unknown) => (err ? reject(err) : resolve(result)),
            ),
          );
          const series = await m.series({ a: async () => 1, b: async () => 2 });
          return { mapped, waterfall, series };
        },
      },
      {
        require: "./dist/async.min.js",
        call: async (m) => m.mapSeries([1, 2, 3], async (x: number) => x + 1),
      },
    ],
  },
  {
    name: "bluebird",
    files: ["js/release/*.js", "js/browser/bluebird.min.js"],
    maxBytes: 400_000,
    smokes: [
      {
        require: "bluebird",
        call: async (m) => {
          const mapped = await m.map([1, 2, 3], (x: number) => m.delay(1).then(() => x * 2), { concurrency: 2 });
          const props = await m.props({ a: m.resolve(1), b: 2 });
          const settled = await m.allSettled([m.resolve(1), m.reject(new Error("no"))]);
          const fn = m.promisify((x: number, cb: (e: null, v: number) => void) => cb(null, x + 1));
          return { mapped, props, settled: settled.map((r: { isFulfilled(): boolean }) => r.isFulfilled()), promisified: await fn(1) };
        },
      },
    ],
  },
  {
    name: "eventemitter3",
    files: ["index.js", "index.mjs", "dist/*.js"],
    smokes: [
      {
        require: "eventemitter3",
        call: (m) => {
          const emitter = new m();
          const seen: unknown[] = [];
          emitter.on("x", (v: unknown) => seen.push(["on", v]));
          emitter.once("x", (v: unknown) => seen.push(["once", v]));
          emitter.emit("x", 1);
          emitter.emit("x", 2);
          return { seen, count: emitter.listenerCount("x"), names: emitter.eventNames() };
        },
      },
      {
        require: "./dist/eventemitter3.umd.min.js",
        call: (m) => {
          const emitter = new m();
          let got = 0;
          emitter.on("y", (v: number) => (got += v));
          emitter.emit("y", 3);
          emitter.emit("y", 4);
          return got;
        },
      },
    ],
  },
  {
    name: "mitt",
    files: ["dist/*.js", "dist/*.mjs"],
    smokes: [
      {
        import: "mitt",
        call: (m) => {
          const emitter = m.default();
          const seen: unknown[] = [];
          emitter.on("*", (type: string, e: unknown) => seen.push(["*", type, e]));
          emitter.on("a", (e: unknown) => seen.push(["a", e]));
          emitter.emit("a", 1);
          emitter.emit("b", 2);
          return seen;
        },
      },
    ],
  },
  {
    name: "date-fns",
    files: ["index.js", "index.cjs", "format.js", "format.cjs", "formatDistanceStrict.cjs", "add*.js", "_lib/**/*.js", "locale/en-US/**/*.js", "parse.js", "parse/**/*.js"],
    maxFiles: 60,
    smokes: [
      {
        import: "date-fns",
        call: (m) => {
          const d = new Date(Date.UTC(2020, 0, 31, 12, 30));
          return [
            m.format(m.addDays(d, 3), "yyyy-MM-dd HH:mm EEEE"),
            m.formatISO(m.addMonths(d, 1)),
            m.differenceInCalendarDays(new Date(Date.UTC(2020, 2, 1)), d),
            m.format(m.parse("2021-05-06", "yyyy-MM-dd", d), "do MMMM yyyy"),
            m.isLeapYear(d),
          ];
        },
      },
      {
        require: "date-fns/formatDistanceStrict",
        call: (m) => m.formatDistanceStrict(new Date(Date.UTC(2020, 0, 1)), new Date(Date.UTC(2020, 0, 4))),
      },
    ],
  },
  {
    name: "lodash",
    files: ["lodash.js", "lodash.min.js", "_base*.js", "*.js"],
    maxBytes: 650_000,
    smokes: [
      {
        require: "lodash",
        call: (m) => {
          const debounced = m.debounce(() => 1, 10);
          debounced.cancel();
          return [
            m.chunk([1, 2, 3, 4, 5], 2),
            m.groupBy([1.2, 1.4, 2.1], Math.floor),
            m.template("hello <%= user %>!")({ user: "fred" }),
            m.chain([3, 1, 2]).sortBy().map((x: number) => x * 2).value(),
            m.merge({ a: [{ b: 1 }] }, { a: [{ c: 2 }] }),
            m.cloneDeep(new Map([[1, { a: 1 }]])),
            m.get({ a: [{ b: { c: 3 } }] }, "a[0].b.c"),
            m.isEqual({ a: [1, { b: 2 }] }, { a: [1, { b: 2 }] }),
          ];
        },
      },
      {
        require: "./lodash.min.js",
        call: (m) => [m.chunk([1, 2, 3], 2), m.template("<%= a %>")({ a: 1 }), m.uniqBy([{ a: 1 }, { a: 1 }, { a: 2 }], "a")],
      },
    ],
  },
  {
    name: "lodash-es",
    files: ["lodash.js", "lodash.default.js", "*.js"],
    maxFiles: 60,
    smokes: [
      {
        import: "lodash-es",
        call: (m) => [
          m.chunk([1, 2, 3, 4, 5], 2),
          m.sortBy([{ a: 2 }, { a: 1 }], "a"),
          m.default.template("x<%= y %>")({ y: 1 }),
          m.partition([1, 2, 3, 4], (x: number) => x % 2),
          m.zipObjectDeep(["a.b[0].c", "a.b[1].d"], [1, 2]),
        ],
      },
    ],
  },
  {
    name: "rxjs",
    files: ["dist/cjs/index.js", "dist/bundles/rxjs.umd.min.js", "dist/cjs/internal/**/*.js", "dist/esm5/internal/**/*.js", "dist/esm/internal/**/*.js"],
    maxFiles: 80,
    maxBytes: 500_000,
    smokes: [
      {
        require: "rxjs",
        call: async (m) => {
          const doubled = await m.firstValueFrom(m.from([1, 2, 3]).pipe(m.map((x: number) => x * 2), m.toArray()));
          const timed = await m.lastValueFrom(m.interval(1).pipe(m.take(3), m.scan((a: number, x: number) => a + x, 0)));
          const fromAsync = await m.lastValueFrom(
            m.from(
              (async function* () {
                yield 1;
                yield 2;
              })(),
            ).pipe(m.reduce((a: number, x: number) => a + x, 0)),
          );
          const subject = new m.BehaviorSubject(1);
          const seen: number[] = [];
          subject.pipe(m.distinctUntilChanged()).subscribe((v: number) => seen.push(v));
          subject.next(1);
          subject.next(2);
          const merged = await m.firstValueFrom(m.merge(m.of("a"), m.timer(2).pipe(m.map(() => "b"))).pipe(m.toArray()));
          return { doubled, timed, fromAsync, seen, merged };
        },
      },
      {
        require: "./dist/bundles/rxjs.umd.min.js",
        call: async (m) =>
          m.firstValueFrom(m.range(1, 4).pipe(m.operators.filter((x: number) => x % 2 === 0), m.operators.toArray())),
      },
    ],
  },
  {
    name: "immer",
    files: ["dist/cjs/*.js", "dist/*.mjs", "dist/*.js"],
    smokes: [
      {
        require: "immer",
        call: (m) => {
          const base = { a: { b: 1 }, list: [1, 2], untouched: { x: 1 } };
          const next = m.produce(base, (draft: { a: { b: number }; list: number[] }) => {
            draft.a.b = 2;
            draft.list.push(3);
          });
          m.enableMapSet();
          const map = m.produce(new Map([["k", 1]]), (draft: Map<string, number>) => void draft.set("k", 2));
          return { next, base, shared: next.untouched === base.untouched, frozen: Object.isFrozen(next), map };
        },
      },
      {
        import: "immer",
        call: (m) => {
          m.enablePatches();
          const [next, patches] = m.produceWithPatches({ n: 1 }, (d: { n: number }) => void (d.n = 5));
          return { next, patches };
        },
      },
    ],
  },
  {
    name: "zod",
    files: ["index.js", "index.cjs", "v4/classic/*.js", "v4/core/*.js", "v4/classic/*.cjs", "v4/core/*.cjs", "v3/**/*.js"],
    maxFiles: 60,
    maxBytes: 500_000,
    smokes: [
      {
        import: "zod",
        call: async (m) => {
          const { z } = m;
          const User = z.object({ name: z.string().min(2), age: z.number().int().positive().optional(), tags: z.array(z.string()).default([]) });
          const ok = User.parse({ name: "ann", age: 3 });
          const bad = User.safeParse({ name: 1, age: -1 });
          const asyncOk = await z.string().refine(async (s: string) => s.length > 1).parseAsync("ab");
          const union = z.discriminatedUnion("t", [z.object({ t: z.literal("a"), a: z.number() }), z.object({ t: z.literal("b") })]);
          return { ok, success: bad.success, codes: bad.error?.issues.map((i: { code: string }) => i.code), asyncOk, union: union.parse({ t: "a", a: 1 }) };
        },
      },
    ],
  },
  {
    name: "yup",
    files: ["index.js", "index.esm.js"],
    smokes: [
      {
        require: "yup",
        call: async (m) => {
          const schema = m.object({ n: m.number().min(2).required(), s: m.string().trim().default("d") });
          const valid = await schema.validate({ n: "5", s: "  x " });
          let message = null;
          try {
            await schema.validate({ n: 1 });
          } catch (error) {
            message = (error as Error).message;
          }
          return { valid, message, cast: schema.cast({ n: "7" }), isValid: schema.isValidSync({ n: 9 }) };
        },
      },
    ],
  },
  {
    name: "uuid",
    files: ["dist-node/*.js", "dist/*.js"],
    smokes: [
      {
        import: "uuid",
        call: (m) => {
          const v4 = m.v4();
          return {
            v5: m.v5("hello", m.v5.DNS),
            v3: m.v3("hello", m.v3.URL),
            v4: [m.validate(v4), m.version(v4), v4.length],
            parsed: Array.from(m.parse("6ba7b810-9dad-11d1-80b4-00c04fd430c8")),
            v7: m.version(m.v7()),
          };
        },
      },
    ],
  },
  {
    name: "nanoid",
    files: ["index.js", "index.browser.js", "non-secure/*.js", "url-alphabet/*.js"],
    smokes: [
      {
        import: "nanoid",
        call: (m) => [m.nanoid().length, m.nanoid(5).length, m.customAlphabet("a", 6)(), /^[A-Za-z0-9_-]+$/.test(m.nanoid())],
      },
      { import: "nanoid/non-secure", call: (m) => m.customAlphabet("b", 3)() },
    ],
  },
  {
    name: "semver",
    files: ["index.js", "classes/*.js", "functions/*.js", "internal/*.js", "ranges/*.js"],
    maxFiles: 60,
    smokes: [
      {
        require: "semver",
        call: (m) => [
          m.satisfies("1.2.3", "^1.0.0"),
          m.maxSatisfying(["1.2.3", "1.2.9", "1.3.0"], "~1.2"),
          m.inc("1.2.3", "prerelease", "beta"),
          m.sort(["2.0.0", "1.0.0-rc.1", "1.0.0"]),
          m.coerce("v3.4 final")?.version,
          m.validRange("1.x || >=2.5.0"),
          m.diff("1.2.3", "1.3.0"),
        ],
      },
    ],
  },
  {
    name: "ms",
    files: ["index.js"],
    smokes: [{ require: "ms", call: (m) => [m("2h"), m("1.5d"), m(60_000), m(2 * 60 * 60 * 1000, { long: true }), m("nope")] }],
  },
  {
    name: "debug",
    files: ["src/*.js"],
    smokes: [
      {
        require: "debug",
        call: (m) => {
          const log = m("corpus:a");
          const lines: number[] = [];
          log.log = (...args: unknown[]) => lines.push(args.length);
          m.enable("corpus:*,-corpus:b");
          log("value %o and %s", { a: 1 }, "s");
          const extended = log.extend("sub");
          return [log.enabled, m.enabled("corpus:b"), extended.namespace, lines, m.humanize(1500)];
        },
      },
    ],
  },
  {
    name: "chalk",
    files: ["source/**/*.js"],
    smokes: [
      {
        import: "chalk",
        call: (m) => {
          const c = new m.Chalk({ level: 1 });
          return [c.red.bold("x"), c.bgBlue(`a ${c.underline("b")} c`), c.hex("#ff0000")("h"), new m.Chalk({ level: 0 }).green("plain")];
        },
      },
    ],
  },
  {
    name: "commander",
    files: ["index.js", "esm.mjs", "lib/*.js"],
    smokes: [
      {
        require: "commander",
        call: (m) => {
          const program = new m.Command("tool")
            .exitOverride()
            .option("-n, --num <n>", "a number", (v: string) => Number.parseInt(v, 10))
            .option("-v, --verbose", "verbose")
            .argument("<file>");
          program.parse(["node", "tool", "-n", "5", "-v", "a.txt"]);
          return { opts: program.opts(), args: program.args, help: program.helpInformation().split("\n").length };
        },
      },
    ],
  },
  {
    name: "yargs-parser",
    files: ["build/lib/*.js", "browser.js"],
    smokes: [
      {
        import: "yargs-parser",
        call: (m) => [
          m.default(["--foo=3", "-b", "x", "--no-color", "rest", "--arr", "1", "--arr", "2"]),
          m.default("--a.b 1 -xyz", { boolean: ["x"] }),
        ],
      },
    ],
  },
  {
    name: "minimist",
    files: ["index.js"],
    smokes: [{ require: "minimist", call: (m) => m(["--a", "1", "-bc", "x", "--no-d", "--", "--e"], { string: ["a"], "--": true }) }],
  },
  {
    name: "qs",
    files: ["lib/*.js", "dist/qs.js"],
    smokes: [
      {
        require: "qs",
        call: (m) => [
          m.parse("a[b]=1&c[]=2&c[]=3&d[e][f]=g"),
          m.stringify({ a: { b: [1, 2] }, c: "d e" }),
          m.stringify({ a: [1, 2] }, { arrayFormat: "brackets", encode: false }),
        ],
      },
      { require: "./dist/qs.js", call: (m) => m.parse("x[y]=1") },
    ],
  },
  {
    name: "jsonwebtoken",
    files: ["*.js", "lib/*.js"],
    smokes: [
      {
        require: "jsonwebtoken",
        call: (m) => {
          const token = m.sign({ a: 1 }, "secret", { noTimestamp: true, algorithm: "HS256", issuer: "corpus" });
          let error = null;
          try {
            m.verify(token, "wrong");
          } catch (e) {
            error = (e as Error).message;
          }
          return { token, verified: m.verify(token, "secret"), decoded: m.decode(token, { complete: true }), error };
        },
      },
    ],
  },
  {
    name: "axios",
    files: ["dist/node/axios.cjs", "dist/axios.js", "dist/axios.min.js", "index.js", "lib/**/*.js", "dist/esm/*.js", "dist/browser/*.cjs"],
    maxFiles: 60,
    maxBytes: 600_000,
    smokes: [
      {
        require: "axios",
        call: async (m) => {
          // No network: a custom adapter answers.
          const client = m.create({
            baseURL: "http://example.invalid/api",
            adapter: async (config: { url: string; method: string; params: unknown; headers: Record<string, string>; data: unknown }) => ({
              data: JSON.stringify({ url: config.url, method: config.method, params: config.params, body: config.data }),
              status: 200,
              statusText: "OK",
              headers: { "content-type": "application/json" },
              config,
            }),
          });
          client.interceptors.request.use((config: { headers: { set(k: string, v: string): void } }) => {
            config.headers.set("x-corpus", "1");
            return config;
          });
          const get = await client.get("/users", { params: { id: 7 } });
          const post = await client.post("/users", { name: "ann" });
          return { get: get.data, post: post.data, uri: client.getUri({ url: "/a", params: { b: 2 } }), isAxiosError: m.isAxiosError(new Error("x")) };
        },
      },
      {
        import: "axios",
        call: async (m) => {
          const client = m.default.create({
            adapter: async (config: unknown) => ({ data: { ok: true }, status: 201, statusText: "Created", headers: {}, config }),
          });
          const res = await client.put("/x", { a: 1 });
          return [res.status, res.data];
        },
      },
      {
        // The browser bundle, Babel output with the regenerator runtime inlined: a UMD in an ESM
        // scope ("type": "module"), so it sets globalThis.axios.
        import: "./dist/axios.js",
        call: async () => {
          const client = (globalThis as unknown as { axios: { create(c: unknown): { get(u: string): Promise<{ data: unknown }> } } }).axios.create({ adapter: async (config: unknown) => ({ data: "plain", status: 200, statusText: "OK", headers: {}, config }) });
          return (await client.get("/y")).data;
        },
      },
    ],
  },
  {
    name: "dayjs",
    files: ["dayjs.min.js", "plugin/utc.js", "plugin/*.js", "esm/*.js", "esm/plugin/utc/*.js"],
    smokes: [
      {
        require: "dayjs",
        call: (m) => {
          const d = m("2020-01-02T03:04:05Z");
          return [d.add(1, "day").toISOString(), d.format("YYYY-MM-DD HH:mm"), d.startOf("month").toISOString(), d.diff(m("2019-12-25T00:00:00Z"), "day"), d.isValid()];
        },
      },
      {
        require: "./plugin/relativeTime.js",
        call: (m) => typeof m,
      },
    ],
  },
  {
    name: "luxon",
    files: ["build/node/luxon.js", "build/global/luxon.min.js", "build/es6/luxon.mjs", "src/**/*.js"],
    maxBytes: 550_000,
    smokes: [
      {
        require: "luxon",
        call: (m) => {
          const dt = m.DateTime.fromISO("2020-01-01T10:00:00Z", { zone: "utc" });
          return [
            dt.plus({ days: 3, hours: 2 }).toISO(),
            dt.toFormat("yyyy LLL dd"),
            m.Duration.fromObject({ hours: 1, minutes: 90 }).shiftTo("hours").toObject(),
            m.Interval.fromDateTimes(dt, dt.plus({ weeks: 1 })).length("days"),
            dt.weekdayLong,
            dt.isValid,
          ];
        },
      },
      {
        import: "luxon",
        call: (m) => m.DateTime.fromObject({ year: 2021, month: 2, day: 3 }, { zone: "utc" }).toISODate(),
      },
    ],
  },
  {
    name: "ramda",
    files: ["src/index.js", "dist/ramda.min.js", "src/*.js", "es/*.js"],
    maxFiles: 60,
    smokes: [
      {
        require: "ramda",
        call: (m) => [
          m.pipe(m.map(m.inc), m.filter(m.gt(m.__, 2)))([1, 2, 3]),
          m.groupBy((x: number) => (x % 2 ? "odd" : "even"), [1, 2, 3]),
          m.assocPath(["a", "b"], 1, {}),
          m.sortWith([m.ascend(m.prop("a"))], [{ a: 2 }, { a: 1 }]),
          m.lensProp("x") !== undefined,
        ],
      },
      { require: "./dist/ramda.min.js", call: (m) => m.compose(m.sum, m.map(m.multiply(2)))([1, 2, 3]) },
    ],
  },
  {
    name: "underscore",
    files: ["underscore-umd.js", "underscore-umd-min.js", "underscore-node.mjs", "underscore-node-f.cjs", "underscore-node.cjs", "modules/*.js", "cjs/*.js"],
    maxFiles: 60,
    smokes: [
      {
        require: "underscore",
        call: (m) => [
          m.chain([3, 1, 2]).sortBy().map((x: number) => x * 2).value(),
          m.template("<%= a %>-<% _.each(xs, function(x) { %><%= x %><% }) %>")({ a: 1, xs: [1, 2] }),
          m.groupBy(["one", "two", "three"], "length"),
          m.uniq([1, 1, 2]),
        ],
      },
      { require: "./underscore-umd-min.js", call: (m) => m.pluck([{ a: 1 }, { a: 2 }], "a") },
      { import: "underscore", call: (m) => m.default.flatten([1, [2, [3]]]) },
    ],
  },
  {
    name: "immutable",
    files: ["dist/immutable.js", "dist/immutable.es.js", "dist/immutable.min.js"],
    maxBytes: 500_000,
    smokes: [
      {
        require: "immutable",
        call: (m) => {
          const map = m.Map({ a: 1 }).set("b", 2);
          const list = m.List([1, 2]).push(3).map((x: number) => x * 2);
          return [map.toJS(), list.toJS(), m.is(m.Map({ x: 1 }), m.Map({ x: 1 })), m.fromJS({ a: [1, { b: 2 }] }).getIn(["a", 1, "b"]), m.Record({ x: 0 })({ x: 5 }).x];
        },
      },
      { require: "./dist/immutable.min.js", call: (m) => m.Set([1, 2, 2]).size },
    ],
  },
  {
    name: "mobx",
    files: ["dist/index.js", "dist/mobx.cjs.development.js", "dist/mobx.cjs.production.min.js", "dist/mobx.esm.js", "dist/*.js", "dist/*.mjs"],
    maxBytes: 500_000,
    smokes: [
      {
        require: "mobx",
        call: (m) => {
          const state = m.observable({ a: 1, items: [1], get double() { return this.a * 2; } });
          const seen: unknown[] = [];
          const dispose = m.autorun(() => seen.push([state.a, state.double, state.items.length]));
          m.runInAction(() => {
            state.a = 2;
            state.items.push(2);
          });
          const reacted: number[] = [];
          m.reaction(() => state.a, (a: number) => reacted.push(a));
          m.runInAction(() => (state.a = 3));
          dispose();
          class Store {
            value = 1;
            constructor() {
              m.makeAutoObservable(this);
            }
            inc() {
              this.value++;
            }
          }
          const store = new Store();
          store.inc();
          return { seen, reacted, store: store.value, toJS: m.toJS(state) };
        },
      },
      {
        require: "./dist/mobx.cjs.production.min.js",
        call: (m) => {
          const box = m.observable.box(1);
          const values: number[] = [];
          m.autorun(() => values.push(box.get()));
          box.set(5);
          return values;
        },
      },
    ],
  },
  {
    name: "redux",
    files: ["dist/cjs/*.cjs", "dist/*.js", "dist/*.mjs"],
    smokes: [
      {
        require: "redux",
        call: (m) => {
          const counter = (state = 0, action: { type: string }) => (action.type === "inc" ? state + 1 : state);
          const log: string[] = [];
          const logger = () => (next: (a: unknown) => unknown) => (action: { type: string }) => {
            log.push(action.type);
            return next(action);
          };
          const store = m.legacy_createStore(m.combineReducers({ counter }), m.applyMiddleware(logger));
          store.dispatch({ type: "inc" });
          store.dispatch({ type: "inc" });
          return { state: store.getState(), log, composed: m.compose((x: number) => x + 1, (x: number) => x * 2)(3) };
        },
      },
      {
        import: "redux",
        call: (m) => m.legacy_createStore((s = 1) => s).getState(),
      },
    ],
  },
  {
    name: "@reduxjs/toolkit",
    files: ["dist/cjs/index.js", "dist/cjs/redux-toolkit.development.cjs", "dist/redux-toolkit.modern.mjs", "dist/cjs/*.cjs", "dist/*.mjs", "dist/*.js", "dist/query/**/*.js", "dist/query/**/*.mjs"],
    maxBytes: 500_000,
    smokes: [
      {
        // Node 20.19+ resolves require("@reduxjs/toolkit") to the ESM build too ("module-sync"): the CommonJS one by path.
        require: "./dist/cjs/index.js",
        call: async (m) => {
          const slice = m.createSlice({
            name: "c",
            initialState: { v: 0, loaded: null as unknown },
            reducers: { inc: (s: { v: number }) => void s.v++ },
            extraReducers: (b: { addCase(t: unknown, r: (s: { loaded: unknown }, a: { payload: unknown }) => void): void }) =>
              b.addCase(load.fulfilled, (s, a) => void (s.loaded = a.payload)),
          });
          const load = m.createAsyncThunk("c/load", async (n: number) => n * 2);
          const store = m.configureStore({ reducer: { c: slice.reducer } });
          store.dispatch(slice.actions.inc());
          await store.dispatch(load(21));
          const select = m.createSelector([(s: { c: { v: number } }) => s.c.v], (v: number) => v * 10);
          return { state: store.getState(), selected: select(store.getState()), action: slice.actions.inc(5) };
        },
      },
      {
        import: "@reduxjs/toolkit",
        call: (m) => {
          const adapter = m.createEntityAdapter();
          const state = adapter.addMany(adapter.getInitialState(), [{ id: 2 }, { id: 1 }]);
          return state;
        },
      },
    ],
  },
  {
    name: "ajv",
    files: ["dist/ajv.js", "dist/core.js", "dist/compile/**/*.js", "dist/vocabularies/**/*.js", "dist/**/*.js"],
    maxFiles: 60,
    smokes: [
      {
        require: "ajv",
        call: (m) => {
          const ajv = new m.default({ allErrors: true });
          const validate = ajv.compile({
            type: "object",
            properties: { n: { type: "number", minimum: 1 }, s: { type: "string", pattern: "^a" } },
            required: ["n"],
            additionalProperties: false,
          });
          const good = validate({ n: 2, s: "ab" });
          const bad = validate({ n: 0, s: "b", x: 1 });
          return { good, bad, errors: validate.errors?.map((e: { keyword: string; instancePath: string }) => [e.keyword, e.instancePath]) };
        },
      },
    ],
  },
  {
    name: "handlebars",
    files: ["lib/index.js", "dist/handlebars.min.js", "lib/**/*.js", "dist/cjs/**/*.js", "dist/handlebars.runtime.js"],
    maxFiles: 60,
    maxBytes: 450_000,
    smokes: [
      {
        require: "handlebars",
        call: (m) => {
          const h = m.create();
          h.registerHelper("up", (s: string) => s.toUpperCase());
          h.registerPartial("p", "[{{this}}]");
          const template = h.compile("Hi {{up name}}! {{#each xs}}{{> p}}{{/each}}{{#if flag}} yes{{else}} no{{/if}} {{{raw}}} {{esc}}");
          return [template({ name: "ann", xs: [1, 2], flag: false, raw: "<b>", esc: "<i>" }), typeof h.precompile("{{a}}")];
        },
      },
      { require: "./dist/handlebars.min.js", call: (m) => m.compile("{{#with a}}{{b}}{{/with}}")({ a: { b: "c" } }) },
    ],
  },
  {
    name: "mustache",
    files: ["mustache.js", "mustache.min.js", "mustache.mjs"],
    smokes: [
      { require: "mustache", call: (m) => m.render("{{a}} {{#b}}<{{.}}>{{/b}}{{^c}}none{{/c}} {{&h}} {{h}}", { a: 1, b: [1, 2], h: "<x>" }) },
      { require: "./mustache.min.js", call: (m) => m.render("{{#list}}{{name}},{{/list}}", { list: [{ name: "a" }, { name: "b" }] }) },
      { import: "mustache", call: (m) => m.default.render("{{x.y}}", { x: { y: "z" } }) },
    ],
  },
  {
    name: "marked",
    files: ["lib/marked.esm.js", "lib/marked.umd.js", "bin/*.js"],
    smokes: [
      {
        import: "marked",
        call: async (m) => [
          m.marked.parse("# Hi\n\n*a* `b` [l](http://x)\n\n- one\n- two\n\n| a | b |\n|---|---|\n| 1 | 2 |\n"),
          m.lexer("> quote").map((t: { type: string }) => t.type),
          await new m.Marked({ async: true }).parse("**bold**"),
        ],
      },
    ],
  },
  {
    name: "js-yaml",
    files: ["dist/js-yaml.cjs.js", "dist/browser/*.min.js", "dist/js-yaml.mjs", "dist/browser/*.js", "dist/browser/*.mjs", "bin/*.mjs"],
    smokes: [
      {
        require: "js-yaml",
        call: (m) => [m.load("a: [1, 2]\nb: {c: x}\nd: |\n  text\n  more\nanchors:\n  - &x 1\n  - *x\n"), m.dump({ a: [1, { b: null }], s: "multi\nline" })],
      },
      { import: "js-yaml", call: (m) => m.load("- 1\n- two") },
    ],
  },
  {
    name: "ini",
    files: ["lib/ini.js"],
    smokes: [{ require: "ini", call: (m) => [m.parse("; c\ntop=1\n[s]\na=1\nb = two\n[s.sub]\nc=true\narr[]=1\narr[]=2\n"), m.stringify({ s: { a: "1" }, t: 2 })] }],
  },
  {
    name: "fast-deep-equal",
    files: ["index.js", "react.js", "es6/*.js"],
    smokes: [
      { require: "fast-deep-equal", call: (m) => [m({ a: [1, { b: 2 }] }, { a: [1, { b: 2 }] }), m({ a: 1 }, { a: 2 }), m(/x/g, /x/g), m(new Date(0), new Date(0))] },
      { require: "fast-deep-equal/es6", call: (m) => [m(new Map([[1, { a: 1 }]]), new Map([[1, { a: 1 }]])), m(new Set([1]), new Set([2])), m(new Uint8Array([1]), new Uint8Array([1]))] },
    ],
  },
  {
    name: "deepmerge",
    files: ["dist/*.js", "index.js"],
    smokes: [
      {
        require: "deepmerge",
        call: (m) => [
          m({ a: [1], b: { c: 1 } }, { a: [2], b: { d: 2 } }),
          m.all([{ a: 1 }, { b: 2 }, { a: 3 }]),
          m({ a: [1, 2] }, { a: [3] }, { arrayMerge: (_d: unknown[], s: unknown[]) => s }),
        ],
      },
    ],
  },
  {
    name: "clsx",
    files: ["dist/*.js", "dist/*.mjs"],
    smokes: [
      { require: "clsx", call: (m) => [m("a", { b: true, c: false }, ["d", ["e", { f: 1 }]], null, 0, "g"), m.clsx("x")] },
      { import: "clsx/lite", call: (m) => m.clsx("a", false, "b") },
    ],
  },
  {
    name: "classnames",
    files: ["index.js", "dedupe.js", "bind.js"],
    smokes: [
      { require: "classnames", call: (m) => m("a", { b: true, c: false }, ["d", { e: 1 }], null) },
      { require: "classnames/dedupe", call: (m) => m("a", "b", { a: false }, "c", "b") },
      { require: "classnames/bind", call: (m) => m.bind({ btn: "btn_x1" })("btn", { active: true }) },
    ],
  },
  {
    name: "tslib",
    files: ["tslib.js", "tslib.es6.js", "tslib.es6.mjs", "modules/index.js"],
    smokes: [
      {
        require: "tslib",
        call: async (m) => {
          // What tsc emits for `async () => { const a = await 1; return a + 1; }` at ES5.
          const awaited = await m.__awaiter(undefined, undefined, undefined, function (this: unknown) {
            return m.__generator(this, function (_a: { label: number; sent(): number }) {
              switch (_a.label) {
                case 0:
                  return [4, Promise.resolve(1)];
                case 1:
                  return [2, _a.sent() + 1];
              }
              return undefined;
            });
          });
          const log: string[] = [];
          const decorator = (_t: unknown, key: string) => void log.push(`decorated ${key}`);
          class C {
            m() {
              return 1;
            }
          }
          m.__decorate([decorator], C.prototype, "m", null);
          const { a, ...rest } = { a: 1, b: 2 };
          return {
            awaited,
            log,
            spread: m.__spreadArray([1], [2, 3], false),
            assign: m.__assign({ a: 1 }, { b: 2 }),
            rest: m.__rest({ a: 1, b: 2, c: 3 }, ["a"]),
            plainRest: [a, rest],
          };
        },
      },
      {
        import: "tslib",
        call: async (m) => {
          const gen = m.__asyncGenerator(undefined, [], function (this: unknown) {
            let step = 0;
            return m.__generator(this, function (_a: { label: number }) {
              switch (_a.label) {
                case 0:
                  return [4, m.__await(1)];
                case 1:
                  return [4, ++step];
                case 2:
                  return [2];
              }
              return undefined;
            });
          });
          const out: unknown[] = [];
          for await (const v of gen) out.push(v);
          return out;
        },
      },
    ],
  },
  {
    name: "regenerator-runtime",
    files: ["runtime.js", "path.js"],
    smokes: [
      {
        require: "regenerator-runtime",
        call: async (r) => {
          // What Babel's regenerator transform emits for `function* g() { yield 1; yield 2; }` and an async function.
          const marked = r.mark(function g() {
            return r.wrap(function g$(context: { prev: number | string; next: number | string; stop(): unknown }) {
              while (1)
                switch ((context.prev = context.next)) {
                  case 0:
                    context.next = 2;
                    return 1;
                  case 2:
                    context.next = 4;
                    return 2;
                  case 4:
                  case "end":
                    return context.stop();
                }
            }, g);
          });
          const asyncFn = r.async(function (context: { prev: number | string; next: number | string; sent: number; abrupt(k: string, v: number): unknown; stop(): unknown }) {
            while (1)
              switch ((context.prev = context.next)) {
                case 0:
                  context.next = 2;
                  return Promise.resolve(20);
                case 2:
                  return context.abrupt("return", context.sent + 1);
                case 3:
                case "end":
                  return context.stop();
              }
          });
          return [[...marked()], await asyncFn];
        },
      },
    ],
  },
  {
    name: "core-js",
    alone: true,
    files: [
      "actual/iterator/index.js",
      "actual/set/index.js",
      "modules/esnext.iterator.*.js",
      "modules/es.iterator.*.js",
      "modules/es.set.*.js",
      "modules/esnext.set.*.js",
      "internals/*.js",
    ],
    maxFiles: 150,
    smokes: [
      {
        // Node 20 has neither iterator helpers nor the new Set methods: core-js installs them.
        require: "core-js/actual/iterator",
        call: () => {
          const it = [1, 2, 3, 4].values() as unknown as { map(f: (x: number) => number): { filter(f: (x: number) => boolean): { toArray(): number[] } } };
          return it.map((x) => x * 2).filter((x) => x > 2).toArray();
        },
      },
      {
        require: "core-js/actual/set",
        call: () => {
          const a = new Set([1, 2]) as unknown as { union(b: Set<number>): Set<number>; intersection(b: Set<number>): Set<number> };
          return [[...a.union(new Set([2, 3]))], [...a.intersection(new Set([2, 3]))]];
        },
      },
    ],
  },
  {
    name: "validator",
    files: ["index.js", "validator.min.js", "lib/*.js", "lib/util/*.js", "es/lib/*.js", "validator.js"],
    maxFiles: 60,
    smokes: [
      {
        require: "validator",
        call: (m) => [
          m.isEmail("a@b.co"),
          m.isEmail("nope"),
          m.isUUID("6ba7b810-9dad-11d1-80b4-00c04fd430c8"),
          m.escape("<a href='x'>"),
          m.isIP("1.2.3.4"),
          m.isURL("https://example.com/x?y=1"),
          m.normalizeEmail("Foo.Bar@Gmail.com"),
          m.isCreditCard("4111111111111111"),
        ],
      },
      { require: "./validator.min.js", call: (m) => [m.isInt("12"), m.toBoolean("true"), m.isJSON("{}")] },
    ],
  },
  {
    name: "big.js",
    files: ["big.js", "big.mjs"],
    smokes: [
      { require: "big.js", call: (m) => [new m(0.1).plus(0.2).toString(), new m(1).div(3).toFixed(5), new m("123.456").round(1).toString(), new m(2).pow(64).toString(), new m(5).cmp(3)] },
      { import: "big.js", call: (m) => new m.default("1e-7").times(3).toString() },
    ],
  },
  {
    name: "decimal.js",
    files: ["decimal.js", "decimal.mjs"],
    smokes: [
      { require: "decimal.js", call: (m) => [new m(0.1).plus(0.2).toString(), m.sqrt(2).toSignificantDigits(20).toString(), new m(1).div(7).toFixed(10), m.exp(1).toFixed(15), new m("0x1f").toNumber()] },
      { import: "decimal.js", call: (m) => m.default.clone({ precision: 5 }).div(1, 3).toString() },
    ],
  },
  {
    name: "colorette",
    files: ["index.js", "index.cjs"],
    smokes: [
      { import: "colorette", call: (m) => { const c = m.createColors({ useColor: true }); return [c.red("x"), c.bold(c.blue("y")), m.createColors({ useColor: false }).green("z")]; } },
      { require: "colorette", call: (m) => m.createColors({ useColor: true }).underline("u") },
    ],
  },
  {
    name: "picocolors",
    files: ["picocolors.js", "picocolors.browser.js"],
    smokes: [{ require: "picocolors", call: (m) => { const c = m.createColors(true); return [c.green("x"), c.bold(c.red("y")), m.createColors(false).cyan("z")]; } }],
  },
  {
    name: "superjson",
    files: ["dist/*.js"],
    smokes: [
      {
        import: "superjson",
        call: (m) => {
          const s = m.default;
          const text = s.stringify({ d: new Date(0), set: new Set([1]), map: new Map([["k", 1n]]), u: undefined, re: /x/g });
          const back = s.parse(text);
          return { text, dateOk: back.d instanceof Date, set: [...back.set], map: [...back.map], hasU: "u" in back, re: String(back.re) };
        },
      },
    ],
  },
  {
    name: "p-map",
    files: ["index.js"],
    smokes: [
      {
        import: "p-map",
        call: async (m) => {
          const mapped = await m.default([3, 1, 2], async (x: number) => {
            await new Promise((resolve) => setTimeout(resolve, x));
            return x * 2;
          }, { concurrency: 2 });
          const fromAsync = await m.default(
            (async function* () {
              yield 1;
              yield 2;
            })(),
            (x: number) => x + 1,
          );
          const iterated: number[] = [];
          for await (const v of m.pMapIterable([1, 2, 3], async (x: number) => x * 3)) iterated.push(v);
          const skipped = await m.default([1, 2, 3], (x: number) => (x === 2 ? m.pMapSkip : x));
          return { mapped, fromAsync, iterated, skipped };
        },
      },
    ],
  },
  {
    name: "emittery",
    files: ["index.js", "maps.js"],
    smokes: [
      {
        import: "emittery",
        call: async (m) => {
          const emitter = new m.default();
          const seen: unknown[] = [];
          emitter.on("x", async (v: unknown) => void seen.push(["on", v]));
          emitter.onAny((name: string, v: unknown) => void seen.push(["any", name, v]));
          await emitter.emit("x", 1);
          await emitter.emitSerial("x", 2);
          const iterator = emitter.events("y");
          const next = iterator.next();
          await emitter.emit("y", "from iterator");
          const first = await next;
          await iterator.return();
          const once = emitter.once("z");
          await emitter.emit("z", 3);
          return { seen, first, once: await once, count: emitter.listenerCount("x") };
        },
      },
    ],
  },
  {
    name: "on-change",
    files: ["source/**/*.js"],
    smokes: [
      {
        import: "on-change",
        call: (m) => {
          const log: unknown[] = [];
          const watched = m.default({ a: { b: 1 }, list: [1] }, function (path: string, value: unknown, previous: unknown) {
            log.push([path, value, previous]);
          });
          watched.a.b = 2;
          watched.list.push(2);
          delete watched.a.b;
          return { log, target: m.default.target(watched) };
        },
      },
    ],
  },
  {
    name: "@babel/runtime",
    files: ["helpers/regenerator*.js", "helpers/asyncToGenerator.js", "helpers/*.js"],
    maxFiles: 80,
    smokes: [
      {
        require: "@babel/runtime/helpers/regenerator",
        call: async (regenerator) => {
          // What Babel 8 emits for `function* g() { const x = yield 1; return x * 2; }`.
          const r = regenerator();
          const g = r.m(function g() {
            let x: number;
            return r.w(function (n: { n: number; v: number; a(k: number, v: number): unknown }) {
              while (1)
                switch (n.n) {
                  case 0:
                    n.n = 1;
                    return 1;
                  case 1:
                    x = n.v;
                    return n.a(2, x * 2);
                }
            }, g);
          });
          const it = g();
          return [it.next(), it.next(21), it.next()];
        },
      },
      {
        require: "@babel/runtime/helpers/objectSpread2",
        call: (m) => m({ a: 1 }, { b: 2 }, null),
      },
      {
        require: "@babel/runtime/helpers/asyncToGenerator",
        call: async (m) =>
          m(function* () {
            const a: number = yield Promise.resolve(1);
            const b: number = yield 2;
            return a + b;
          })(),
      },
    ],
  },
];

/** One file of the corpus. */
export interface CorpusFile {
  package: string;
  /** Absolute path. */
  path: string;
  /** Path relative to the package folder. */
  relative: string;
  bytes: number;
  /** How Node loads it: by extension and the nearest package.json's `type`, with syntax detection for `.js` in CommonJS scope. */
  format: "module" | "commonjs" | "detect";
}

/** The folder of an installed package. */
export function packageRoot(name: string): string {
  return join(repoRoot, "node_modules", ...name.split("/"));
}

function walk(dir: string, out: string[] = []): string[] {
  for (const entry of readdirSync(dir, { withFileTypes: true }).sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) {
      if (entry.name !== "node_modules") walk(path, out);
    } else if (/\.(c|m)?js$/.test(entry.name)) {
      out.push(path);
    }
  }
  return out;
}

/** The nearest package.json's `type`, as Node reads it (`"commonjs"` when absent). */
function scopeType(file: string, root: string, cache: Map<string, "module" | "commonjs">): "module" | "commonjs" {
  const dir = dirname(file);
  const cached = cache.get(dir);
  if (cached !== undefined) return cached;
  let type: "module" | "commonjs";
  try {
    type = (JSON.parse(readFileSync(join(dir, "package.json"), "utf8")) as { type?: string }).type === "module" ? "module" : "commonjs";
  } catch {
    type = dir === root || dir === dirname(dir) ? "commonjs" : scopeType(dir, root, cache);
  }
  cache.set(dir, type);
  return type;
}

/** The globs of `pkg.files` that match no file of the package (a typo, or a file the package no longer ships). */
export function unmatchedGlobs(pkg: CorpusPackage): string[] {
  const root = packageRoot(pkg.name);
  const all = walk(root).map((path) => relative(root, path).split(sep).join("/"));
  return pkg.files.filter((glob) => {
    const matches = picomatch(glob);
    return !all.some((file) => matches(file));
  });
}

/** The files the smoke calls load by path (`./…`) that are not among {@link corpusFiles}. */
export function smokeFilesLeftOut(pkg: CorpusPackage): string[] {
  const chosen = new Set(corpusFiles(pkg).map((file) => file.relative));
  return pkg.smokes
    .flatMap((smoke) => [smoke.require, smoke.import])
    .filter((specifier): specifier is string => specifier?.startsWith("./") === true)
    .map((specifier) => specifier.slice(2))
    .filter((file) => !chosen.has(file));
}

/** The files to instrument for one package, in order, capped. */
export function corpusFiles(pkg: CorpusPackage): CorpusFile[] {
  const root = packageRoot(pkg.name);
  const all = walk(root).map((path) => ({ path, relative: relative(root, path).split(sep).join("/") }));
  const excluded = Object.keys(pkg.exclude ?? {}).map((glob) => picomatch(glob));
  const types = new Map<string, "module" | "commonjs">();
  const maxFiles = pkg.maxFiles ?? MAX_FILES;
  const maxBytes = pkg.maxBytes ?? MAX_BYTES;
  const chosen: CorpusFile[] = [];
  const seen = new Set<string>();
  let bytes = 0;
  for (const glob of pkg.files) {
    const matches = picomatch(glob);
    for (const file of all) {
      if (seen.has(file.path) || !matches(file.relative) || excluded.some((ex) => ex(file.relative))) continue;
      seen.add(file.path);
      const size = statSync(file.path).size;
      if (chosen.length > 0 && (chosen.length >= maxFiles || bytes + size > maxBytes)) continue;
      bytes += size;
      const format =
        file.path.endsWith(".mjs") ? "module"
        : file.path.endsWith(".cjs") ? "commonjs"
        : scopeType(file.path, root, types) === "module" ? "module"
        : "detect";
      chosen.push({ package: pkg.name, path: file.path, relative: file.relative, bytes: size, format });
    }
  }
  return chosen;
}
