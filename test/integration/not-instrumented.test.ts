// "Nothing traced" is an error, never a pass: explore() over task threads whose code is not
// instrumented (this vitest project has no interlace plugin; plain `node`; racy code compiled into
// an untraced package) stops with E_NOT_INSTRUMENTED saying how to fix it, for every strategy.
// Traced, the same compiled package (TypeScript's __awaiter with yield, its ES5 __generator state
// machine, esbuild's __async) has a scheduling point at each of its yields, and the race is found.
import { spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import * as esbuild from "esbuild";
import ts from "typescript";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { explore, type StrategyName } from "../../src/index.js";

const root = fileURLToPath(new URL("../..", import.meta.url));
const STRATEGIES: StrategyName[] = ["portfolio", "random", "pct", "exhaustive", "markers", "dpor"];

class Counter {
  value = 0;
  async increment(): Promise<void> {
    const v = this.value;
    await Promise.resolve();
    this.value = v + 1;
  }
}

describe("in a process where nothing is instrumented (this project has no plugin)", () => {
  it.each(STRATEGIES)("strategy %s: E_NOT_INSTRUMENTED, with the plugin line and the --import order in the message", async (strategy) => {
    const run = explore({ setup: () => new Counter(), threads: [(c) => c.increment(), (c) => c.increment()], invariant: (c) => c.value === 2, strategy });
    await expect(run).rejects.toMatchObject({ code: "E_NOT_INSTRUMENTED", category: "input" });
    await expect(run).rejects.toThrow(/plugins: \[interlace\(\)\].*node --import tsx --import interlace\/register/);
  });
});

describe("a race inside a compiled package", () => {
  let dir = "";
  const main = (): string => join(dir, "main.mjs");

  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), "interlace-compiled-"));
    const pkg = join(dir, "node_modules", "compiled-counter");
    mkdirSync(pkg, { recursive: true });
    writeFileSync(join(pkg, "package.json"), JSON.stringify({ name: "compiled-counter", version: "1.0.0", type: "commonjs" }));
    const source = readFileSync(join(root, "fixtures/tasks/counter.ts"), "utf8");
    for (const [name, target] of [["es2015", ts.ScriptTarget.ES2015], ["es5", ts.ScriptTarget.ES5]] as const) {
      writeFileSync(join(pkg, `${name}.js`), ts.transpileModule(source, { compilerOptions: { target, module: ts.ModuleKind.CommonJS, inlineSourceMap: true, inlineSources: true }, fileName: "counter.ts" }).outputText);
    }
    writeFileSync(join(pkg, "esbuild.js"), esbuild.transformSync(source, { loader: "ts", target: "es2016", format: "cjs", sourcemap: "inline", sourcefile: "counter.ts" }).code);
    writeFileSync(main(), [
      `import { createRequire } from "node:module";`,
      `import { explore } from ${JSON.stringify(pathToFileURL(join(root, "dist/index.js")).href)};`,
      `const require = createRequire(import.meta.url);`,
      `const out = {};`,
      `for (const variant of ["es2015", "es5", "esbuild"]) {`,
      `  const { Counter } = require("compiled-counter/" + variant + ".js");`,
      `  try {`,
      `    const r = await explore({ setup: () => new Counter(), threads: [(c) => c.increment(), (c) => c.increment()], invariant: (c) => c.value === 2, seed: 1 });`,
      `    out[variant] = { holds: r.propertyHolds, explanation: r.explanation };`,
      `  } catch (e) { out[variant] = { code: e.code, message: e.message }; }`,
      `}`,
      `console.log(JSON.stringify(out));`,
    ].join("\n"));
  });
  afterAll(() => { if (!process.env.KEEP) rmSync(dir, { recursive: true, force: true }); });

  function run(env: Record<string, string>, register = true): Record<string, { holds?: boolean; explanation?: string; code?: string; message?: string }> {
    const args = register ? ["--import", join(root, "dist/tasks/register.js"), main()] : [main()];
    const result = spawnSync(process.execPath, args, { cwd: dir, encoding: "utf8", timeout: 60_000, env: { ...process.env, ...env } });
    expect(result.status, result.stderr).toBe(0);
    return JSON.parse(result.stdout.trim().split("\n").at(-1)!) as ReturnType<typeof run>;
  }

  it("a counterexample records what was traced, and interlace replay traces it again (the printed hint reproduces as is)", () => {
    writeFileSync(join(dir, "scenario.mjs"), [
      `import { createRequire } from "node:module";`,
      `import { defineScenario, thread } from ${JSON.stringify(pathToFileURL(join(root, "dist/index.js")).href)};`,
      `const { Counter } = createRequire(import.meta.url)("compiled-counter/es2015.js");`,
      `export default defineScenario({ setup: () => new Counter(), threads: { a: thread.task((c) => c.increment()), b: thread.task((c) => c.increment()) }, invariant: (c) => c.value === 2 });`,
    ].join("\n"));
    const cli = (args: string[]) => spawnSync(process.execPath, [join(root, "bin/interlace.js"), ...args], { cwd: dir, encoding: "utf8", timeout: 60_000 });
    const explored = cli(["explore", "scenario.mjs", "--trace-packages", "compiled-counter", "--seed", "1", "--max-steps", "500", "--save", "ce.json"]);
    expect(explored.status, explored.stderr).toBe(1);
    const saved = JSON.parse(readFileSync(join(dir, "ce.json"), "utf8")) as { config: unknown };
    expect(saved.config).toEqual({ tracePackages: ["compiled-counter"], maxSteps: 500 });
    const replayed = cli(["replay", "scenario.mjs", "ce.json"]);
    expect(replayed.status, replayed.stdout + replayed.stderr).toBe(1);
    expect(replayed.stderr).toContain("tracing compiled-counter as when the counterexample was recorded");
    expect(replayed.stdout).toContain("the counterexample fails again");
  });

  it("plain node (no loader): E_NOT_INSTRUMENTED for every variant", () => {
    for (const outcome of Object.values(run({}, false))) expect(outcome.code).toBe("E_NOT_INSTRUMENTED");
  });

  it("untraced package: E_NOT_INSTRUMENTED naming the package and how to trace it", () => {
    for (const outcome of Object.values(run({}))) {
      expect(outcome.code).toBe("E_NOT_INSTRUMENTED");
      expect(outcome.message).toContain('The threads call into "compiled-counter"');
      expect(outcome.message).toContain("INTERLACE_TRACE_PACKAGES=compiled-counter");
    }
  });

  it("traced (INTERLACE_TRACE_PACKAGES): the lost update is found in __awaiter, __generator and __async code, each yield a gate", () => {
    const outcomes = run({ INTERLACE_TRACE_PACKAGES: "compiled-counter" });
    for (const [variant, outcome] of Object.entries(outcomes)) {
      expect(outcome.holds, variant).toBe(false);
      expect(outcome.explanation, variant).toMatch(/Classification: lost update/);
      // The package ships no counter.ts: positions are the compiled file's own, with its text.
      const yieldPoint = variant === "es5" ? /es5\.js:\d+ {2}after await: .*return \[4 \/\*yield\*\/, this\.get\(\)\]/ : new RegExp(`${variant}\\.js:\\d+ {2}after await: const v = yield this\\.get\\(\\);`);
      expect(outcome.explanation, variant).toMatch(yieldPoint);
      expect(outcome.explanation, variant).not.toMatch(/then callback of/);
    }
  });
});
