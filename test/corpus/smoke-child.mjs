// Runs the smoke calls of a batch of corpus packages (test/corpus/packages.ts), in order, and prints
// one JSON line: for each package, the results of its calls, made comparable (undefined, bigints,
// Maps, Sets, dates, errors, functions spelled out), and the files of the package the access runtime
// registered (none when the process runs without interlace/register). corpus.test.ts runs it twice,
// with and without `--import dist/tasks/register.js`, and compares the lines.
//
// argv[2]: JSON `[{ name, root, smokes: [{ require?, import?, call }] }]`; `call` is the source of
// an arrow function of the loaded module; a specifier starting with "./" is a file of the package.
import { createRequire } from "node:module";
import { join } from "node:path";
import { pathToFileURL } from "node:url";

/** @typedef {{ require?: string; import?: string; call: string }} SmokeSource */
/** @type {Array<{ name: string; root: string; smokes: SmokeSource[] }>} */
const batch = JSON.parse(process.argv[2] ?? "[]");

/**
 * A JSON-safe rendering of a value, the same for equal values in both runs.
 *
 * @param {unknown} value
 * @param {number} depth
 * @param {Set<unknown>} seen
 * @returns {unknown}
 */
function plain(value, depth = 0, seen = new Set()) {
  if (value === undefined) return { $undefined: true };
  if (typeof value === "bigint") return { $bigint: String(value) };
  if (typeof value === "symbol") return { $symbol: String(value) };
  if (typeof value === "function") return { $function: value.name };
  if (typeof value === "number" && !Number.isFinite(value)) return { $number: String(value) };
  if (value === null || typeof value !== "object") return value;
  if (seen.has(value)) return { $circular: true };
  if (depth > 12) return { $deep: true };
  seen.add(value);
  try {
    if (value instanceof Error) return { $error: value.name, message: value.message };
    if (value instanceof Date) return { $date: Number.isNaN(value.getTime()) ? "Invalid Date" : value.toISOString() };
    if (value instanceof Map) return { $map: [...value].map(([k, v]) => [plain(k, depth + 1, seen), plain(v, depth + 1, seen)]) };
    if (value instanceof Set) return { $set: [...value].map((v) => plain(v, depth + 1, seen)) };
    if (ArrayBuffer.isView(value)) return { $bytes: Array.from(new Uint8Array(value.buffer, value.byteOffset, value.byteLength)) };
    if (Array.isArray(value)) return value.map((v) => plain(v, depth + 1, seen));
    /** @type {Record<string, unknown>} */
    const out = {};
    for (const key of Object.keys(value)) out[key] = plain(/** @type {Record<string, unknown>} */ (value)[key], depth + 1, seen);
    return out;
  } finally {
    seen.delete(value);
  }
}

// The test's transpiler may wrap named functions in `__name(fn, "name")` (esbuild's keepNames).
const evaluate = /** @type {(source: string) => (m: unknown) => unknown} */ (
  (source) => new Function("__name", `return (${source});`)(/** @param {unknown} f */ (f) => f)
);
const runtime = /** @type {{ files?: ReadonlySet<string> } | undefined} */ (
  /** @type {Record<symbol, unknown>} */ (globalThis)[Symbol.for("interlace.access.v1")]
);

/** @type {Record<string, { results: unknown[]; files: string[] }>} */
const out = {};
for (const pkg of batch) {
  const require = createRequire(join(pkg.root, "package.json"));
  /** @param {string} specifier */
  const resolve = (specifier) => (specifier.startsWith("./") ? join(pkg.root, specifier) : specifier);
  // A package interlace itself depends on (debug and ms, through @babel/traverse) was loaded, not
  // instrumented, before the loader was installed: drop it from the CommonJS cache so that the smoke
  // calls load (and the loader instruments) a copy of their own.
  for (const key of Object.keys(require.cache)) {
    if (key.startsWith(pkg.root + "/") && !key.slice(pkg.root.length).includes("/node_modules/")) delete require.cache[key];
  }
  /** @type {unknown[]} */
  const results = [];
  for (const smoke of pkg.smokes) {
    try {
      const loaded =
        smoke.import !== undefined
          ? await import(smoke.import.startsWith("./") ? pathToFileURL(resolve(smoke.import)).href : smoke.import)
          : require(resolve(smoke.require ?? pkg.name));
      results.push({ ok: plain(await evaluate(smoke.call)(loaded)) });
    } catch (error) {
      results.push({ threw: plain(error) });
    }
  }
  const prefix = pathToFileURL(pkg.root).href + "/";
  const files = [...(runtime?.files ?? [])]
    .filter((url) => url.startsWith(prefix) && !url.slice(prefix.length).includes("/node_modules/"))
    .map((url) => url.slice(prefix.length));
  out[pkg.name] = { results, files };
}

// Exit at once: a package may leave timers behind (a cache's TTL sweep), which are not what is compared.
process.stdout.write(`\n${JSON.stringify(out)}\n`, () => process.exit(0));
