import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import * as esbuild from "esbuild";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { MarkerResolver, TraceFilter } from "../../../src/markers/index.js";

let dir: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "interlace-resolver-"));
});

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** The generated text at a 0-based position. */
function textAt(code: string, line0: number, column0: number): string {
  return (code.split(/\r\n|\n/)[line0] ?? "").slice(column0);
}

function escape(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}

describe("MarkerResolver without a source map", () => {
  test("a plain JS file is its own source: generated = (line - 1, column)", async () => {
    const path = join(dir, "plain.mjs");
    const source = "export function bump(state) {\n  // interlace: read\n  const v = state.n;\n  state.n = v + 1; // interlace: write\n}\n";
    await writeFile(path, source);
    const resolver = new MarkerResolver(new TraceFilter());
    const fromUrl = await resolver.resolve({ url: pathToFileURL(path).href });
    const fromPath = await resolver.resolve({ url: path, sourceMapURL: "" });
    expect(fromUrl?.diagnostics).toEqual([]);
    expect(fromUrl?.sourceMap).toBeNull();
    expect(fromUrl?.markers.map((m) => [m.name, m.generated, textAt(source, m.generated.line0, m.generated.column0)])).toEqual([
      ["read", { line0: 2, column0: 2 }, "const v = state.n;"],
      ["write", { line0: 3, column0: 2 }, "state.n = v + 1; // interlace: write"],
    ]);
    expect(fromPath).toEqual(fromUrl);
  });

  test("scan diagnostics are reported as file:line: message", async () => {
    const path = join(dir, "bad.cjs");
    await writeFile(path, "// interlace: two words\nmodule.exports = 1;\n");
    const result = await new MarkerResolver(new TraceFilter()).resolve({ url: pathToFileURL(path).href });
    expect(result?.markers).toEqual([]);
    expect(result?.diagnostics).toEqual([expect.stringMatching(new RegExp(`^${escape(path)}:1: malformed marker comment`))]);
  });

  test("a script that cannot be read gives a diagnostic", async () => {
    const path = join(dir, "gone.js");
    const result = await new MarkerResolver(new TraceFilter()).resolve({ url: pathToFileURL(path).href });
    expect(result?.markers).toEqual([]);
    expect(result?.diagnostics).toEqual([expect.stringMatching(new RegExp(`^${escape(path)}:1: cannot read source .*ENOENT`))]);
  });
});

describe("MarkerResolver and the trace filter", () => {
  let appUrl: string;
  let bundle: string;
  let bundleMapUrl: string;
  const MYLIB = "// interlace: lib_write\nexport function libWrite(s) { s.v = 1; }\n";
  const SCOPED = "export function scoped(s) {\n  s.w = 2; // interlace: scoped_write\n}\n";

  beforeAll(async () => {
    await mkdir(join(dir, "node_modules", "mylib"), { recursive: true });
    await mkdir(join(dir, "node_modules", "@scope", "util"), { recursive: true });
    await writeFile(join(dir, "node_modules", "mylib", "index.js"), MYLIB);
    await writeFile(join(dir, "node_modules", "@scope", "util", "index.js"), SCOPED);
    const app = join(dir, "app.ts");
    await writeFile(
      app,
      'import { libWrite } from "mylib";\nexport function main(s: { v: number }) {\n  // interlace: app_call\n  libWrite(s);\n}\n',
    );
    const result = esbuild.buildSync({
      entryPoints: [app],
      bundle: true,
      write: false,
      sourcemap: "inline",
      format: "esm",
      platform: "node",
      outfile: join(dir, "out", "app.js"),
      absWorkingDir: dir,
    });
    bundle = result.outputFiles[0]?.text ?? "";
    bundleMapUrl = /sourceMappingURL=(\S+)/.exec(bundle)?.[1] ?? "";
    appUrl = pathToFileURL(join(dir, "out", "app.js")).href;
  });

  test.each([
    ["mylib", "node_modules/mylib/index.js", ["mylib"], "lib_write"],
    ["@scope/util", "node_modules/@scope/util/index.js", ["@scope/*"], "scoped_write"],
  ])("%s in node_modules is traced only when tracePackages matches", async (_pkg, rel, tracePackages, marker) => {
    const url = pathToFileURL(join(dir, rel)).href;
    expect(await new MarkerResolver(new TraceFilter()).resolve({ url })).toBeNull();
    expect(await new MarkerResolver(new TraceFilter({ tracePackages: ["other"] })).resolve({ url })).toBeNull();
    const traced = await new MarkerResolver(new TraceFilter({ tracePackages })).resolve({ url });
    expect(traced?.markers.map((m) => m.name)).toEqual([marker]);
  });

  test("a bundle's node_modules sources are skipped unless their package is traced", async () => {
    const plain = await new MarkerResolver(new TraceFilter()).resolve({ url: appUrl, sourceMapURL: bundleMapUrl });
    expect(plain?.markers.map((m) => [m.name, m.file])).toEqual([["app_call", join(dir, "app.ts")]]);

    const widened = await new MarkerResolver(new TraceFilter({ tracePackages: ["mylib"] })).resolve({
      url: appUrl,
      sourceMapURL: bundleMapUrl,
    });
    expect(widened?.diagnostics).toEqual([]);
    const byName = new Map(widened?.markers.map((m) => [m.name, m]));
    expect([...byName.keys()].sort()).toEqual(["app_call", "lib_write"]);
    const lib = byName.get("lib_write");
    expect(lib?.file).toBe(join(dir, "node_modules", "mylib", "index.js"));
    expect(textAt(bundle, lib?.generated.line0 ?? -1, lib?.generated.column0 ?? 0)).toMatch(/^function libWrite\(s\)/);
    const call = byName.get("app_call");
    // Unminified, esbuild maps a statement to column 0 of its indented output line, not to its first token.
    expect(call?.generated.column0).toBe(0);
    expect(textAt(bundle, call?.generated.line0 ?? -1, call?.generated.column0 ?? 0)).toBe("  libWrite(s);");
  });

  test("interlace's own sources and non-file scripts are not traced", async () => {
    const resolver = new MarkerResolver(new TraceFilter({ tracePackages: ["*"] }));
    const own = resolve(dirname(fileURLToPath(import.meta.url)), "../../../src/markers/scan.ts");
    expect(await resolver.resolve({ url: pathToFileURL(own).href })).toBeNull();
    expect(await resolver.resolve({ url: "node:internal/main/run_main_module" })).toBeNull();
    expect(await resolver.resolve({ url: "" })).toBeNull();
  });
});
