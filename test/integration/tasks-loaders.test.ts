/**
 * The loaders that instrument task threads: `node --import interlace/register` (ESM hooks and the
 * `Module.prototype._compile` patch, alone and with tsx in either order) and the `interlace/vitest`
 * plugin. Each case runs a real child process on fixtures/tasks-loaders and reads what the gate
 * registry holds and where a thrown error's stack points.
 */
import { spawnSync } from "node:child_process";
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { TraceMap, originalPositionFor } from "@jridgewell/trace-mapping";
import type { Plugin } from "vite";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { GateKind, type GateSite } from "../../src/tasks/gates.js";
import { interlace } from "../../src/vitest/index.js";

const root = fileURLToPath(new URL("../..", import.meta.url));
const dir = join(root, "fixtures/tasks-loaders");
const REGISTER = ["--import", "interlace/register"];
const TSX_FIRST = ["--import", "tsx", ...REGISTER];
const REGISTER_FIRST = [...REGISTER, "--import", "tsx"];

interface DriverOutput {
  sum: number;
  stack: string;
  files: { url: string; sites: GateSite[] }[] | null;
}

/** Runs node with `args` in the repository root; env entries set to `undefined` are removed. */
function node(args: string[], env: Record<string, string | undefined> = {}): { status: number | null; stdout: string; stderr: string } {
  const merged: Record<string, string | undefined> = { ...process.env, ...env };
  for (const key of Object.keys(merged)) if (merged[key] === undefined) delete merged[key];
  return spawnSync(process.execPath, args, { cwd: root, encoding: "utf8", env: merged as NodeJS.ProcessEnv, timeout: 30_000 });
}

/** Runs a driver (main.mjs or main.cjs) on a module and parses its JSON line. */
function drive(flags: string[], driver: string, target: string, env: Record<string, string | undefined> = {}): DriverOutput & { stderr: string } {
  const result = node([...flags, join(dir, driver), target], { INTERLACE_TRACE_PACKAGES: undefined, ...env });
  expect(result.status, result.stderr).toBe(0);
  return { ...(JSON.parse(result.stdout) as DriverOutput), stderr: result.stderr };
}

/** 1-based line and column of the `new Error` that a fixture's fail() throws. */
function throwSite(file: string): string {
  const lines = readFileSync(file, "utf8").split("\n");
  const index = lines.findIndex((line) => line.includes("throw new Error"));
  return `${file}:${index + 1}:${(lines[index] ?? "").indexOf("new Error") + 1})`;
}

function sitesOf(output: DriverOutput, file: string): GateSite[] | undefined {
  return output.files?.find((f) => f.url === pathToFileURL(file).href)?.sites;
}

describe("node --import interlace/register", () => {
  it("instruments an ES module and maps its stack to the original line and column", () => {
    const file = join(dir, "work.mjs");

    const output = drive(REGISTER, "main.mjs", file);

    expect(output.sum).toBe(3);
    expect(sitesOf(output, file)).toContainEqual([6, 2, GateKind.Marker, "between"]);
    expect(sitesOf(output, file)).toContainEqual([11, 18, GateKind.Await]);
    expect(output.stack).toContain(throwSite(file));
    expect(output.stderr).toBe("");
  });

  it("instruments a CommonJS module through Module.prototype._compile", () => {
    const file = join(dir, "work.cjs");

    const output = drive(REGISTER, "main.mjs", file);

    expect(output.sum).toBe(3);
    expect(sitesOf(output, file)).toContainEqual([7, 2, GateKind.Marker, "between"]);
    expect(output.stack).toContain(throwSite(file));
    expect(output.stderr).toBe("");
  });

  it("instruments an ES module loaded with require(esm), which bypasses the ESM hooks", () => {
    const file = join(dir, "work.mjs");

    const output = drive(REGISTER, "main.cjs", file);

    expect(output.sum).toBe(3);
    expect(sitesOf(output, file)).toContainEqual([6, 2, GateKind.Marker, "between"]);
    expect(output.stack).toContain(throwSite(file));
  });

  it.each([
    ["--import tsx --import interlace/register", TSX_FIRST],
    ["--import interlace/register --import tsx", REGISTER_FIRST],
  ])("instruments TypeScript ESM with %s", (_, flags) => {
    const file = join(dir, "work.ts");

    const output = drive(flags, "main.mjs", file);

    expect(output.sum).toBe(3);
    expect(sitesOf(output, file)).toEqual([
      [9, 26, GateKind.Await],
      [11, 2, GateKind.Marker, "between"],
      [11, 11, GateKind.Await],
      [16, 26, GateKind.Await],
    ]);
    expect(output.stack).toContain(throwSite(file));
    expect(output.stderr).toBe("");
  });

  it.each([
    ["--import tsx --import interlace/register", TSX_FIRST],
    ["--import interlace/register --import tsx", REGISTER_FIRST],
  ])("instruments TypeScript that tsx's require hook compiles, with %s", (_, flags) => {
    const file = join(dir, "work.cts");

    const output = drive(flags, "main.cjs", file);

    expect(output.sum).toBe(3);
    expect(sitesOf(output, file)).toContainEqual([6, 2, GateKind.Marker, "between"]);
    expect(output.stack).toContain(throwSite(file));
  });

  it("instruments a CommonJS TypeScript module that tsx's ESM hook compiled (tsx first)", () => {
    const file = join(dir, "work.cts");

    const output = drive(TSX_FIRST, "main.mjs", file);

    expect(sitesOf(output, file)).toContainEqual([6, 2, GateKind.Marker, "between"]);
    expect(output.stack).toContain(throwSite(file));
  });

  it("emits a marker warning once per file, naming it", () => {
    const result = node([...REGISTER, join(dir, "warns.mjs")]);

    expect(result.status, result.stderr).toBe(0);
    expect(result.stdout).toBe("loaded\n");
    const warnings = result.stderr.split("\n").filter((line) => line.includes("[INTERLACE_MARKER]"));
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toContain(`${join(dir, "warns-lib.mjs")}:2: marker "top_level" is at the top level`);
  });

  describe("a package in node_modules", () => {
    let project: string;
    let file: string;

    beforeAll(() => {
      project = mkdtempSync(join(tmpdir(), "interlace-loaders-"));
      const pkg = join(project, "node_modules", "fake-pkg");
      mkdirSync(pkg, { recursive: true });
      writeFileSync(join(pkg, "package.json"), JSON.stringify({ name: "fake-pkg", type: "module" }));
      file = join(pkg, "index.mjs");
      cpSync(join(dir, "work.mjs"), file);
    });

    afterAll(() => {
      if (project) rmSync(project, { recursive: true, force: true });
    });

    it("is not instrumented by default", () => {
      const output = drive(REGISTER, "main.mjs", file);

      expect(output.sum).toBe(3);
      expect(sitesOf(output, file)).toBeUndefined();
      expect(sitesOf(output, join(dir, "main.mjs"))).toBeDefined();
    });

    it("is instrumented when INTERLACE_TRACE_PACKAGES matches it", () => {
      const output = drive(REGISTER, "main.mjs", file, { INTERLACE_TRACE_PACKAGES: "other, fake-*" });

      expect(sitesOf(output, file)).toContainEqual([6, 2, GateKind.Marker, "between"]);
      expect(output.stack).toContain(throwSite(file));
    });
  });

  it("installs once: same packages are a no-op, other packages throw E_INSTRUMENTATION_INSTALLED", () => {
    const script = `
      const { installInstrumentation } = await import(${JSON.stringify(pathToFileURL(join(root, "dist/tasks/install.js")).href)});
      installInstrumentation({ tracePackages: ["b", "a"] });
      installInstrumentation({ tracePackages: ["a", "b", "a"] });
      installInstrumentation();
      let code = null;
      try { installInstrumentation({ tracePackages: ["c"] }); } catch (error) { code = error.code; }
      await import(${JSON.stringify(pathToFileURL(join(dir, "work.mjs")).href)});
      const files = globalThis[Symbol.for("interlace.gates.v1")].files.filter((f) => f.url.endsWith("/work.mjs"));
      console.log(JSON.stringify({ code, registered: files.length, gates: files[0].sites.length }));
    `;

    const result = node(["--input-type=module", "-e", script]);

    expect(result.status, result.stderr).toBe(0);
    expect(JSON.parse(result.stdout)).toEqual({ code: "E_INSTRUMENTATION_INSTALLED", registered: 1, gates: 4 });
  });
});

describe("node --import interlace/register: property accesses", () => {
  interface AccessOutput {
    loaded: boolean;
    named: boolean;
    files: string[];
    accesses: string[];
  }

  /** Runs accesses-main.mjs on a Counter module and parses its JSON line. */
  function accessesOf(flags: string[], target: string, env: Record<string, string | undefined> = {}): AccessOutput {
    const result = node([...flags, join(dir, "accesses-main.mjs"), join(dir, target)], { INTERLACE_ACCESSES: undefined, ...env });
    expect(result.status, result.stderr).toBe(0);
    expect(result.stderr).toBe("");
    return JSON.parse(result.stdout) as AccessOutput;
  }

  const increment = [
    expect.stringMatching(/^read Counter#\d+\.increment undefined$/),
    expect.stringMatching(/^read Counter#\d+\.value 0$/),
    expect.stringMatching(/^write Counter#\d+\.value 1$/),
  ];

  it.each([
    ["an ES module (ESM hook)", REGISTER, "counter.mjs"],
    ["CommonJS (Module.prototype._compile)", REGISTER, "counter.cjs"],
    ["CommonJS TypeScript that tsx's ESM hook compiled (tsx first)", TSX_FIRST, "counter.cts"],
  ])("records the accesses of a plain class in %s, and registers the file", (_, flags, target) => {
    const output = accessesOf(flags, target);

    expect(output.loaded).toBe(true);
    expect(output.named).toBe(true); // CommonJS exports are still found by Node's export lexer
    expect(output.accesses).toEqual(increment);
    expect(output.files).toContain(pathToFileURL(join(dir, target)).href);
    expect(output.files).toContain(pathToFileURL(join(dir, "accesses-main.mjs")).href);
  });

  it("INTERLACE_ACCESSES=0 turns access instrumentation off, and no recorder is installed", () => {
    const output = accessesOf(REGISTER, "counter.mjs", { INTERLACE_ACCESSES: "0" });

    expect(output).toEqual({ loaded: false, named: true, files: [], accesses: [] });
  });

  it("installs once: asking for the other accesses setting throws E_INSTRUMENTATION_INSTALLED", () => {
    const script = `
      const { installInstrumentation } = await import(${JSON.stringify(pathToFileURL(join(root, "dist/tasks/install.js")).href)});
      installInstrumentation();
      installInstrumentation({ accesses: true });
      let code = null;
      try { installInstrumentation({ accesses: false }); } catch (error) { code = error.code; }
      console.log(JSON.stringify({ code }));
    `;

    const result = node(["--input-type=module", "-e", script], { INTERLACE_ACCESSES: undefined });

    expect(result.status, result.stderr).toBe(0);
    expect(JSON.parse(result.stdout)).toEqual({ code: "E_INSTRUMENTATION_INSTALLED" });
  });
});

describe("interlace/vitest plugin", () => {
  const tsFile = join(dir, "work.ts");

  it("is a vite plugin that runs before vite's own transforms", () => {
    const plugin: Plugin = interlace();

    expect(plugin).toMatchObject({ name: "interlace", enforce: "pre" });
  });

  it("returns instrumented code with a map back to the original TypeScript", () => {
    const code = readFileSync(tsFile, "utf8");

    const result = interlace().transform(code, `${tsFile}?v=1a2b3c`);

    expect(result).not.toBeNull();
    expect(result!.code).toContain('__il.a(__ila.M(Promise, "resolve").resolve<number>(1), __ilF, 0)');
    const lines = result!.code.split("\n");
    const line = lines.findIndex((l) => l.includes("throw new (__ila.n(Error))"));
    const column = (lines[line] ?? "").indexOf("new (__ila.n(Error))");
    const original = originalPositionFor(new TraceMap(result!.map), { line: line + 1, column });
    expect(original).toMatchObject({ source: tsFile, line: 16, column: 62 });
    expect(column).not.toBe(62);
  });

  it("skips virtual modules, non-scripts, ?raw imports and node_modules (unless traced)", () => {
    const code = readFileSync(join(dir, "work.mjs"), "utf8");
    const inPackage = "/project/node_modules/fake-pkg/index.mjs";

    expect(interlace().transform(code, "\0virtual:work.mjs")).toBeNull();
    expect(interlace().transform(code, join(dir, "work.css"))).toBeNull();
    expect(interlace().transform(code, `${join(dir, "work.mjs")}?raw`)).toBeNull();
    expect(interlace().transform(code, inPackage)).toBeNull();
    expect(interlace({ tracePackages: ["fake-*"] }).transform(code, inPackage)).not.toBeNull();
  });

  it("instruments a vitest run end to end, with stacks mapped to the original source", () => {
    const vitest = join(root, "node_modules/vitest/vitest.mjs");
    const env: Record<string, string | undefined> = {};
    for (const key of Object.keys(process.env)) if (key.startsWith("VITEST")) env[key] = undefined;

    const result = node([vitest, "run", "--config", join(dir, "vitest.config.mjs"), "--root", dir], env);

    expect(result.status, result.stdout + result.stderr).toBe(0);
    expect(result.stdout).toMatch(/Tests\s+.*2 passed/);
  });

  it("instruments property accesses and loads the recorder first, unless INTERLACE_ACCESSES=0", () => {
    const vitest = join(root, "node_modules/vitest/vitest.mjs");
    const env: Record<string, string | undefined> = { INTERLACE_ACCESSES: "0" };
    for (const key of Object.keys(process.env)) if (key.startsWith("VITEST")) env[key] = undefined;

    const result = node([vitest, "run", "--config", join(dir, "vitest.config.mjs"), "--root", dir, "plugin-accesses"], env);

    expect(result.status, result.stdout + result.stderr).toBe(0);
    expect(result.stdout).toMatch(/Tests\s+.*1 passed/);
    expect(interlace({ accesses: false }).transform("class C { m() { return this.v; } }", join(dir, "c.mjs"))).toBeNull();
  });

  it("puts the test-signal setup and the access recorder first in setupFiles", () => {
    const config = { test: { setupFiles: "user-setup.ts" } };

    interlace().config(config);

    expect(config.test.setupFiles).toEqual([join(root, "src/vitest/test-signal.ts"), join(root, "src/access/recorder.ts"), "user-setup.ts"]);
  });

  it("adds only the test-signal setup when accesses are off", () => {
    const config: { test: { setupFiles?: string[] } } = { test: {} };

    interlace({ accesses: false }).config(config);

    expect(config.test.setupFiles).toEqual([join(root, "src/vitest/test-signal.ts")]);
  });
});
