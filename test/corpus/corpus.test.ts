/**
 * The transform on real-world code: the published files of the packages in `packages.ts`
 * (minified bundles, tsc, Babel, esbuild and rollup output, CommonJS and ESM).
 *
 * - Every file is instrumented with gates and accesses, as the loaders do. Its input must parse
 *   (else `instrument()` returns null and proves nothing), the output must parse (`parseCode`: the
 *   parser and options of the transform itself) and, for CommonJS, compile in V8; no warning may
 *   say accesses were left out; no instrumentation may be glued to a keyword (`return[1].map(f)`
 *   rewritten as `return__ila.M(…)` parses, as a call of an undefined `return__ila`); and the file
 *   must not declare, at top level, a global its preamble reads (`var Symbol`).
 * - Each package is then loaded instrumented and its smoke calls run, in child processes that take
 *   a batch of packages each (`node --import dist/tasks/register.js`, from a copy, with
 *   `INTERLACE_TRACE_PACKAGES` naming the batch's packages): their results must equal those of the
 *   same calls without interlace, no loader warning may say a file was not instrumented, and the
 *   access runtime must have registered files of the package, so that the comparison is not
 *   between two uninstrumented runs.
 *
 * Rerun: `npx vitest run --project isolates test/corpus/corpus.test.ts`.
 */
import { spawn } from "node:child_process";
import { cpSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import Module from "node:module";
import { join } from "node:path";
import vm from "node:vm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parseCode } from "../../src/tasks/parse-code.js";
import { instrument } from "../../src/tasks/transform.js";
import { corpusFiles, packageRoot, packages, repoRoot, smokeFilesLeftOut, unmatchedGlobs, type CorpusFile, type CorpusPackage } from "./packages.js";

const child = join(repoRoot, "test/corpus/smoke-child.mjs");
/**
 * The loader the children import: a copy of dist/ (built by the global setup) taken before they
 * start, inside node_modules so that its own imports resolve, because another test run on the
 * machine rebuilds dist/ from scratch (deleting it first) while this one runs.
 */
const snapshot = join(repoRoot, "node_modules/.cache", `interlace-corpus-${process.pid}`);
const register = join(snapshot, "dist/tasks/register.js");
/** Packages per child process (the loader costs about a second to start). */
const BATCH = 10;
/** Child processes at once. */
const PARALLEL = 2;

/** What the summary printed after the tests reports. */
const summary = { files: 0, instrumented: 0, bytes: 0, outBytes: 0, ms: 0, warnings: [] as string[], loadMs: 0, registered: 0, children: [] as string[] };

const corpus = packages.map((pkg) => ({ pkg, files: corpusFiles(pkg) }));
const fileCount = corpus.reduce((n, c) => n + c.files.length, 0);
const byteCount = corpus.reduce((n, c) => n + c.files.reduce((m, f) => m + f.bytes, 0), 0);

// ---------------------------------------------------------------------------------------------
// Output checks

type Node = { type?: unknown; name?: unknown; [key: string]: unknown };

/** The names of every identifier in a Babel AST. */
function identifiers(node: unknown, into = new Set<string>()): Set<string> {
  const stack: unknown[] = [node];
  while (stack.length > 0) {
    const current = stack.pop();
    if (Array.isArray(current)) {
      for (const item of current) if (item !== null && typeof item === "object") stack.push(item);
      continue;
    }
    if (current === null || typeof current !== "object") continue;
    const n = current as Node;
    if (n.type === "Identifier" && typeof n.name === "string") into.add(n.name);
    for (const key in n) {
      if (key === "loc" || key === "extra") continue;
      const value = n[key];
      if (value !== null && typeof value === "object") stack.push(value);
    }
  }
  return into;
}

/** The names the instrumentation binds (`__il`, `__ilF`, `__ila`, `__ilaF`). */
const OWN_NAMES = new Set(["__il", "__ilF", "__ila", "__ilaF"]);

/** The statements of a program's preamble: its leading declarations of {@link OWN_NAMES}. */
function preambleOf(program: unknown): Node[] {
  const body = (program as { body: Node[] }).body;
  const own = (statement: Node): boolean =>
    statement.type === "VariableDeclaration" &&
    (statement["declarations"] as Node[]).every((d) => OWN_NAMES.has(String((d["id"] as Node).name)));
  const preamble: Node[] = [];
  for (const statement of body) {
    if (!own(statement)) break;
    preamble.push(statement);
  }
  return preamble;
}

/**
 * The free names the preamble reads (`globalThis`, `Symbol`, …): identifiers it references that it
 * does not bind itself (parameters, its own variables), property names aside.
 */
function preambleFreeNames(preamble: readonly Node[]): Set<string> {
  const referenced = new Set<string>();
  const bound = new Set<string>(OWN_NAMES);
  const visit = (node: unknown, parent: Node | null, key: string): void => {
    if (Array.isArray(node)) {
      for (const item of node) visit(item, parent, key);
      return;
    }
    const n = node as Node | null;
    if (n === null || typeof n !== "object") return;
    if (n.type === "Identifier" && typeof n.name === "string") {
      const isPropertyName =
        parent !== null &&
        !parent["computed"] &&
        ((key === "property" && (parent.type === "MemberExpression" || parent.type === "OptionalMemberExpression")) ||
          (key === "key" && (parent.type === "ObjectProperty" || parent.type === "ObjectMethod")));
      if (!isPropertyName) (key === "params" || key === "id" ? bound : referenced).add(n.name);
      return;
    }
    for (const k in n) {
      if (k === "loc" || k === "extra") continue;
      const value = n[k];
      if (value !== null && typeof value === "object") visit(value, n, k);
    }
  };
  for (const statement of preamble) visit(statement, null, "");
  return new Set([...referenced].filter((name) => !bound.has(name)));
}

/** Names declared in a program's top-level scope: its `var`s wherever they are outside functions, its other declarations at top level. */
function topLevelBindings(program: unknown): Set<string> {
  const names = new Set<string>();
  const addPattern = (pattern: unknown): void => {
    const p = pattern as Node | null;
    if (p === null || typeof p !== "object") return;
    if (p.type === "Identifier" && typeof p.name === "string") names.add(p.name);
    else if (p.type === "ObjectPattern") for (const prop of p["properties"] as Node[]) addPattern(prop.type === "RestElement" ? prop["argument"] : prop["value"]);
    else if (p.type === "ArrayPattern") for (const el of p["elements"] as Node[]) addPattern(el);
    else if (p.type === "RestElement") addPattern(p["argument"]);
    else if (p.type === "AssignmentPattern") addPattern(p["left"]);
  };
  const visit = (node: unknown, top: boolean): void => {
    const n = node as Node | null;
    if (n === null || typeof n !== "object") return;
    switch (n.type) {
      case "VariableDeclaration":
        if (top || n["kind"] === "var") for (const d of n["declarations"] as Node[]) addPattern(d["id"]);
        return;
      case "FunctionDeclaration":
      case "ClassDeclaration":
        if (top) addPattern(n["id"]);
        return;
      case "ImportDeclaration":
        for (const spec of n["specifiers"] as Node[]) addPattern(spec["local"]);
        return;
      case "ExportNamedDeclaration":
      case "ExportDefaultDeclaration":
        visit(n["declaration"], top);
        return;
      case "ExpressionStatement":
      case "ReturnStatement":
      case "ThrowStatement":
        return;
    }
    // Statements that hold statements (blocks, if, loops, try, switch, labels): their vars are hoisted here.
    for (const key of ["body", "consequent", "alternate", "block", "handler", "finalizer", "cases", "init", "left"]) {
      const child = n[key];
      if (Array.isArray(child)) for (const item of child) visit(item, false);
      else if (child !== null && typeof child === "object") visit(child, false);
    }
  };
  for (const statement of (program as { body: unknown[] }).body) visit(statement, true);
  return names;
}

function firstLine(error: unknown): string {
  return (error instanceof Error ? error.message : String(error)).split("\n")[0] ?? "";
}

function parses(code: string, filename: string, format: "module" | "commonjs"): boolean {
  try {
    parseCode(code, { filename, format });
    return true;
  } catch {
    return false;
  }
}

interface FileOutcome {
  failures: string[];
  warnings: string[];
  instrumented: boolean;
  ms: number;
  outBytes: number;
}

/** Instruments one file and checks its output. */
function checkFile(file: CorpusFile): FileOutcome {
  const failures: string[] = [];
  const code = readFileSync(file.path, "utf8");
  const name = file.relative;
  const outcome = (extra: Partial<FileOutcome>): FileOutcome => ({ failures, warnings: [], instrumented: false, ms: 0, outBytes: code.length, ...extra });
  let format: "module" | "commonjs" = file.format === "module" ? "module" : "commonjs";
  const started = performance.now();
  let result;
  try {
    // CommonJS scope with ESM syntax is loaded as a module by Node's syntax detection (and bundlers
    // read `.esm.js` files as modules): detect it as Node does, by whether it parses as a script.
    if (file.format === "detect" && !parses(code, file.path, format)) format = "module";
    result = instrument(code, { filename: file.path, format, accesses: true });
  } catch (error) {
    failures.push(`${name}: instrument() threw: ${firstLine(error)}`);
    return outcome({ ms: performance.now() - started });
  }
  const ms = performance.now() - started;
  if (result === null) {
    // A file without any property access or await (re-exports) is left as it is (instrument() throws on one that does not parse).
    if (!parses(code, file.path, format)) failures.push(`${name}: input does not parse as ${format}`);
    return outcome({ ms });
  }
  for (const warning of result.warnings) {
    if (/not instrumented/i.test(warning)) failures.push(`${name}: ${warning}`);
  }
  let output;
  try {
    output = parseCode(result.code, { filename: file.path, format });
  } catch (error) {
    failures.push(`${name}: output does not parse as ${format}: ${firstLine(error)}`);
  }
  if (output !== undefined) {
    // Text inserted right after a keyword (`return[1].map(f)` → `return__ila.M(…)`) still parses,
    // as a call of an undefined `return__ila`.
    const glued = [...identifiers(output.program)].filter((id) => id.includes("__il") && !OWN_NAMES.has(id));
    if (glued.length > 0) failures.push(`${name}: output glues instrumentation to a keyword: ${glued.join(", ")}`);
    // The preamble runs in the file's top-level scope, before its declarations: a file that declares
    // `var Symbol` (lodash-es) or `var globalThis` (core-js) makes `globalThis[Symbol.for(…)]` throw at load.
    const preamble = preambleOf(output.program);
    const bindings = topLevelBindings({ body: (output.program as unknown as { body: Node[] }).body.slice(preamble.length) });
    const shadowed = [...preambleFreeNames(preamble)].filter((free) => bindings.has(free));
    if (shadowed.length > 0) failures.push(`${name}: declares ${shadowed.join(", ")} at top level, which its preamble reads as the global`);
  }
  if (format === "commonjs") {
    try {
      new vm.Script(Module.wrap(result.code), { filename: file.path });
    } catch (error) {
      failures.push(`${name}: output does not compile in V8: ${firstLine(error)}`);
    }
  }
  return outcome({ warnings: result.warnings.filter((w) => !/not instrumented/i.test(w)), instrumented: true, ms, outBytes: result.code.length });
}

// ---------------------------------------------------------------------------------------------
// Loading instrumented

interface PackageRun {
  results: unknown[];
  files: string[];
}

interface ChildRun {
  packages: Record<string, PackageRun>;
  stderr: string;
  ms: number;
}

function childEnv(extra: Record<string, string>): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env, TZ: "UTC", ...extra };
  for (const key of Object.keys(env)) if (key.startsWith("INTERLACE_") && !(key in extra)) delete env[key];
  delete env["NODE_OPTIONS"];
  return env;
}

function runChild(batch: readonly CorpusPackage[], instrumented: boolean): Promise<ChildRun> {
  const input = batch.map((pkg) => ({
    name: pkg.name,
    root: packageRoot(pkg.name),
    smokes: pkg.smokes.map((smoke) => ({ require: smoke.require, import: smoke.import, call: smoke.call.toString() })),
  }));
  const args = [...(instrumented ? ["--import", register] : []), child, JSON.stringify(input)];
  const env = childEnv(instrumented ? { INTERLACE_TRACE_PACKAGES: batch.map((pkg) => pkg.name).join(",") } : {});
  const started = performance.now();
  return new Promise((resolve, reject) => {
    const proc = spawn(process.execPath, args, { cwd: repoRoot, env, stdio: ["ignore", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    proc.stdout.setEncoding("utf8").on("data", (chunk: string) => (stdout += chunk));
    proc.stderr.setEncoding("utf8").on("data", (chunk: string) => (stderr += chunk));
    const timer = setTimeout(() => proc.kill("SIGKILL"), 120_000);
    proc.on("error", reject);
    proc.on("close", (code, signal) => {
      clearTimeout(timer);
      const line = stdout.trim().split("\n").at(-1) ?? "";
      try {
        if (code !== 0) throw new Error(`exit ${code ?? signal}`);
        const ms = performance.now() - started;
        summary.children.push(`${instrumented ? "instrumented" : "plain"} ${batch[0]!.name}…: ${(ms / 1000).toFixed(1)} s`);
        resolve({ packages: JSON.parse(line) as Record<string, PackageRun>, stderr, ms });
      } catch (error) {
        const which = instrumented ? "instrumented" : "plain";
        reject(new Error(`${which} child for ${batch.map((p) => p.name).join(", ")} failed (${firstLine(error)}):\n${stderr}\n${stdout}`));
      }
    });
  });
}

/** Runs `jobs` with at most `limit` at once. */
function pool<T>(jobs: ReadonlyArray<() => Promise<T>>, limit: number): Array<Promise<T>> {
  let next = 0;
  const results = jobs.map(() => {
    let settle!: { resolve: (v: T) => void; reject: (e: unknown) => void };
    const promise = new Promise<T>((resolve, reject) => (settle = { resolve, reject }));
    return { promise, settle };
  });
  const worker = async (): Promise<void> => {
    while (next < jobs.length) {
      const i = next++;
      await jobs[i]!().then(results[i]!.settle.resolve, results[i]!.settle.reject);
    }
  };
  for (let i = 0; i < Math.min(limit, jobs.length); i++) void worker();
  return results.map((r) => r.promise);
}

/** Batches in list order; a package marked `alone` (it patches globals) gets a child of its own. */
function batches(): CorpusPackage[][] {
  const out: CorpusPackage[][] = [];
  let current: CorpusPackage[] = [];
  for (const pkg of packages) {
    if (pkg.alone === true) {
      out.push([pkg]);
      continue;
    }
    current.push(pkg);
    if (current.length === BATCH) {
      out.push(current);
      current = [];
    }
  }
  if (current.length > 0) out.push(current);
  return out;
}

// ---------------------------------------------------------------------------------------------

const runs = new Map<string, Promise<[ChildRun, ChildRun]>>();
let loadStarted = 0;

describe(`corpus: ${packages.length} packages, ${fileCount} files, ${(byteCount / 1e6).toFixed(1)} MB`, () => {
  beforeAll(() => {
    cpSync(join(repoRoot, "dist"), join(snapshot, "dist"), { recursive: true });
    writeFileSync(join(snapshot, "package.json"), JSON.stringify({ type: "module" }));
    // The children run while this process instruments files (a core each).
    loadStarted = performance.now();
    const groups = batches();
    const jobs = groups.flatMap((group) => [() => runChild(group, false), () => runChild(group, true)]);
    const done = pool(jobs, PARALLEL);
    groups.forEach((group, i) => {
      const both = Promise.all([done[2 * i]!, done[2 * i + 1]!]);
      both.catch(() => {}); // Reported by the tests of the group's packages.
      for (const pkg of group) runs.set(pkg.name, both);
    });
  });

  afterAll(() => {
    rmSync(snapshot, { recursive: true, force: true });
    const mb = (n: number) => (n / 1e6).toFixed(2);
    console.log(
      `corpus: ${packages.length} packages, ${summary.files} files (${summary.instrumented} rewritten), ` +
        `${mb(summary.bytes)} MB in, ${mb(summary.outBytes)} MB out, transform ${(summary.ms / 1000).toFixed(1)} s; ` +
        `loads: ${summary.registered} package files registered by the access runtime, ${(summary.loadMs / 1000).toFixed(1)} s ` +
        `(${summary.children.join(", ")})` +
        (summary.warnings.length > 0 ? `\nother warnings (${summary.warnings.length}):\n  ${summary.warnings.slice(0, 20).join("\n  ")}` : ""),
    );
  });

  it("lists files for every glob, and the files the smoke calls load by path", () => {
    expect(packages.flatMap((pkg) => unmatchedGlobs(pkg).map((glob) => `${pkg.name}: ${glob} matches nothing`))).toEqual([]);
    expect(packages.flatMap((pkg) => smokeFilesLeftOut(pkg).map((file) => `${pkg.name}: ${file} is loaded, not listed`))).toEqual([]);
    // The shadowing check finds the preamble and what it reads.
    const sample = "export async function f(o) { await o.m(); }";
    const out = instrument(sample, { filename: join(repoRoot, "sample.mjs"), format: "module", accesses: true });
    const preamble = preambleOf(parseCode(out?.code ?? "", { filename: "sample.mjs", format: "module" }).program);
    expect(preamble.length).toBeGreaterThan(1);
    expect(preambleFreeNames(preamble).size).toBeGreaterThan(0);
  });

  it.each(corpus.map((c) => ({ name: c.pkg.name, files: c.files })))(
    "instruments $name: output parses, no token glued, no access left out",
    async ({ files }) => {
      const failures: string[] = [];
      for (const file of files) {
        const outcome = checkFile(file);
        failures.push(...outcome.failures);
        summary.warnings.push(...outcome.warnings);
        summary.files++;
        summary.bytes += file.bytes;
        summary.outBytes += outcome.outBytes;
        summary.ms += outcome.ms;
        if (outcome.instrumented) summary.instrumented++;
        // Let the children's pool start its next process.
        await new Promise((resolve) => setImmediate(resolve));
      }
      expect(failures).toEqual([]);
    },
    120_000,
  );

  it.each(packages.map((pkg) => ({ name: pkg.name })))(
    "loads $name instrumented: same smoke results, package files registered",
    async ({ name }) => {
      const [plain, instrumented] = await runs.get(name)!;
      summary.loadMs = Math.max(summary.loadMs, performance.now() - loadStarted);
      const before = plain.packages[name]!;
      const after = instrumented.packages[name]!;
      // The smoke calls themselves must work: a comparison of two identical errors proves nothing.
      expect(before.results.filter((r) => typeof r === "object" && r !== null && "threw" in r)).toEqual([]);
      expect(before.files).toEqual([]);
      expect(after.files.length, "no file of the package was access-instrumented").toBeGreaterThan(0);
      summary.registered += after.files.length;
      expect(after.results).toEqual(before.results);
      const problems = instrumented.stderr.split("\n").filter((l) => /INTERLACE_INSTRUMENT|could not instrument|not instrumented/.test(l));
      expect(problems).toEqual([]);
    },
    240_000,
  );
});
