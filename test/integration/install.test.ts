/**
 * The package as another project gets it: `npm pack`, `npm install <tarball>` into a fresh
 * project, then `npx interlace run` on a TypeScript scenario of that project, and the library
 * imported by name from that project's own code.
 */
import { execFileSync, spawnSync } from "node:child_process";
import { cpSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

const root = fileURLToPath(new URL("../..", import.meta.url));
let project: string;
let installOutput: { stdout: string; stderr: string; status: number | null };

beforeAll(() => {
  project = mkdtempSync(join(tmpdir(), "interlace-install-"));
  execFileSync(process.execPath, ["scripts/pack.mjs", project], { cwd: root, stdio: "pipe" });
  const tarball = readdirSync(project).find((f) => f.endsWith(".tgz"))!;
  writeFileSync(join(project, "package.json"), JSON.stringify({ name: "bank-app", private: true, type: "module" }));
  cpSync(join(root, "examples/bank/account.ts"), join(project, "account.ts"));
  cpSync(join(root, "examples/bank/scenario.ts"), join(project, "scenario.ts"));
  writeFileSync(
    join(project, "check.mjs"),
    'import { TraceExecutor } from "interlace";\nimport scenario from "./scenario.ts";\n' +
      'const r = await new TraceExecutor("t2:read_balance t1:read_balance t2:write_balance t1:write_balance").run(scenario);\n' +
      "console.log(JSON.stringify({ holds: r.invariantHolds, balance: r.state.balance[0] }));\n",
  );
  cpSync(join(root, "examples/async-counter/counter.ts"), join(project, "counter.ts"));
  cpSync(join(root, "examples/async-counter/scenario.ts"), join(project, "tasks-scenario.ts"));
  cpSync(join(root, "fixtures/tasks/counter.mjs"), join(project, "counter.mjs"));
  writeFileSync(
    join(project, "tasks.mjs"),
    'import { TraceExecutor } from "interlace";\nimport { Counter } from "./counter.mjs";\nconst c = new Counter();\n' +
      'await new TraceExecutor("a:read_value b:read_value a:write_value b:write_value").run({ a: () => c.increment(), b: () => c.increment() });\n' +
      "console.log(JSON.stringify({ value: c.value }));\n",
  );
  installOutput = spawnSync("npm", ["install", "--prefer-offline", "--no-audit", "--no-fund", `./${tarball}`], { cwd: project, encoding: "utf8" });
  if (installOutput.status !== 0) throw new Error(`npm install failed:\n${installOutput.stderr}`);
}, 240_000);

afterAll(() => {
  if (project) rmSync(project, { recursive: true, force: true });
});

describe("the published manifest", () => {
  it("has no scripts (npm would warn about prepare) and no dev dependencies", () => {
    const manifest = JSON.parse(readFileSync(join(project, "node_modules/interlace/package.json"), "utf8")) as Record<string, unknown>;
    expect(manifest.scripts).toBeUndefined();
    expect(manifest.devDependencies).toBeUndefined();
    expect(installOutput.stderr).not.toMatch(/interlace@[^\n]*prepare/);
  });

  it("ships the sources dist/'s source maps point at", () => {
    const installed = join(project, "node_modules/interlace");
    for (const map of ["dist/index.js.map", "dist/explore/explore.js.map", "dist/controller/isolate-group.js.map"]) {
      const { sources } = JSON.parse(readFileSync(join(installed, map), "utf8")) as { sources: string[] };
      for (const source of sources) expect(existsSync(join(installed, dirname(map), source)), `${map} → ${source}`).toBe(true);
    }
  });
});

describe("interlace installed in another project", () => {
  it("runs the bank scenario with npx interlace", () => {
    const result = spawnSync("npx", ["interlace", "run", "scenario.ts", "--schedule", "t1:read_balance t2:read_balance t1:write_balance t2:write_balance"], {
      cwd: project,
      encoding: "utf8",
    });

    expect(result.stderr).not.toContain("E_");
    expect(result.status).toBe(1);
    expect(result.stdout).toContain("Int32Array(1) [ 150 ]");
  });

  it("is importable by name from the project's code", () => {
    const result = spawnSync(process.execPath, ["--import", "tsx", "check.mjs"], { cwd: project, encoding: "utf8" });

    expect(result.stderr).toBe("");
    expect(JSON.parse(result.stdout)).toEqual({ holds: false, balance: 150 });
  });

  it("runs a task scenario with npx interlace (instrumenting the project's TS modules)", () => {
    const result = spawnSync("npx", ["interlace", "run", "tasks-scenario.ts", "--schedule", "task1:read_value task2:read_value task1:write_value task2:write_value"], {
      cwd: project,
      encoding: "utf8",
    });

    expect(result.stderr).not.toContain("E_");
    expect(result.status).toBe(1);
    expect(result.stdout).toContain("Counter { value: 1 }");
  });

  it("instruments the project's code with node --import interlace/register", () => {
    const result = spawnSync(process.execPath, ["--import", "interlace/register", "tasks.mjs"], { cwd: project, encoding: "utf8" });

    expect(result.stderr).toBe("");
    expect(JSON.parse(result.stdout)).toEqual({ value: 1 });
  });
});
