import { dirname, join, resolve } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { describe, expect, test } from "vitest";
import { interlaceOwnRoots, TraceFilter } from "../../../src/markers/trace-filter.js";

const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), "../../..");

describe("TraceFilter", () => {
  test("user code is traced, as an absolute path or a file: URL", () => {
    const filter = new TraceFilter();
    expect(filter.shouldTraceFile("/home/me/app/src/bank.ts")).toBe(true);
    expect(filter.shouldTraceFile(pathToFileURL("/home/me/app/src/bank.ts").href)).toBe(true);
    expect(filter.shouldTraceFile("file:///home/me/app/src/bank.ts?tsx-namespace=1")).toBe(true);
  });

  test.each([
    "node:fs",
    "node:internal/fs/promises",
    "internal/modules/cjs/loader.js",
    "wasm://wasm/abc123",
    "evalmachine.<anonymous>",
    "",
    "data:text/javascript,console.log(1)",
    "relative/path.js",
    "https://example.com/app.js",
  ])("%j is never traced", (url) => {
    expect(new TraceFilter({ tracePackages: ["*"] }).shouldTraceFile(url)).toBe(false);
  });

  test("node_modules files are not traced by default", () => {
    const filter = new TraceFilter();
    expect(filter.shouldTraceFile("/app/node_modules/mylib/index.js")).toBe(false);
    expect(filter.shouldTraceFile("file:///app/node_modules/@scope/pkg/dist/a.js")).toBe(false);
  });

  test("tracePackages widens tracing to matching package names only", () => {
    const filter = new TraceFilter({ tracePackages: ["mylib", "@scope/*"] });
    expect(filter.shouldTraceFile("/app/node_modules/mylib/index.js")).toBe(true);
    expect(filter.shouldTraceFile("/app/node_modules/mylib/lib/deep/x.mjs")).toBe(true);
    expect(filter.shouldTraceFile("/app/node_modules/mylib-extra/index.js")).toBe(false);
    expect(filter.shouldTraceFile("/app/node_modules/@scope/pkg/index.js")).toBe(true);
    expect(filter.shouldTraceFile("/app/node_modules/@other/pkg/index.js")).toBe(false);
    expect(filter.shouldTraceFile("/app/node_modules/scope/pkg/index.js")).toBe(false);
  });

  test("the package is named by the segments after the LAST node_modules", () => {
    const filter = new TraceFilter({ tracePackages: ["mylib"] });
    expect(filter.shouldTraceFile("/app/node_modules/.pnpm/mylib@1.0.0/node_modules/mylib/index.js")).toBe(true);
    expect(filter.shouldTraceFile("/app/node_modules/mylib/node_modules/dep/index.js")).toBe(false);
  });

  test("a file directly inside node_modules has no package name and is not traced", () => {
    expect(new TraceFilter({ tracePackages: ["*"] }).shouldTraceFile("/app/node_modules/loose.js")).toBe(false);
  });

  test("interlaceOwnRoots returns this package's src and dist directories", () => {
    expect(interlaceOwnRoots()).toEqual([join(repoRoot, "src"), join(repoRoot, "dist")]);
  });

  test("interlace's own files are never traced; its tests and fixtures are", () => {
    const filter = new TraceFilter();
    expect(filter.shouldTraceFile(join(repoRoot, "src/markers/scan.ts"))).toBe(false);
    expect(filter.shouldTraceFile(pathToFileURL(join(repoRoot, "dist/index.js")).href)).toBe(false);
    expect(filter.shouldTraceFile(join(repoRoot, "fixtures/bank.ts"))).toBe(true);
    expect(filter.shouldTraceFile(join(repoRoot, "srcx/a.ts"))).toBe(true);
  });

  test("excludeRoots adds directories that are never traced, without excluding prefix siblings", () => {
    const filter = new TraceFilter({ excludeRoots: ["/app/generated/"] });
    expect(filter.shouldTraceFile("/app/generated/a.js")).toBe(false);
    expect(filter.shouldTraceFile("/app/generated")).toBe(false);
    expect(filter.shouldTraceFile("/app/generated-other/a.js")).toBe(true);
    expect(filter.shouldTraceFile(join(repoRoot, "src/index.ts"))).toBe(false);
  });

  test("excludeRoots wins over tracePackages", () => {
    const filter = new TraceFilter({ tracePackages: ["mylib"], excludeRoots: ["/app/node_modules/mylib"] });
    expect(filter.shouldTraceFile("/app/node_modules/mylib/index.js")).toBe(false);
  });
});
