import { mkdir, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import * as esbuild from "esbuild";
import ts from "typescript";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { MarkerResolver, scanMarkers, TraceFilter } from "../../../src/markers/index.js";

/** The original TypeScript every build below compiles. */
const BANK_TS = `import { appendFileSync } from "node:fs";

interface Account {
  balance: number;
}

type Amount = number;

export async function transfer(acct: Account, amount: Amount): Promise<number> {
  // interlace: read_balance
  const before = acct.balance;
  await Promise.resolve();

  /* interlace: write_balance */
  acct.balance = before + (amount as number); // interlace: after_write
  for (let i = 0; i < 2; i++) {
    // interlace: loop_body
    // (a plain comment between the marker and the statement)
    acct.balance += i;
  }
  // interlace: ret
  return acct.balance;
}

export function audit<T extends { id: string }>(entry: T, log: string): T {
  appendFileSync(log, entry.id); // interlace: audit_write
  if (entry.id.length > 3) {
    // interlace: long_id
    console.log("long id", entry.id);
  }
  return entry;
}
`;

const MARKER_NAMES = ["read_balance", "write_balance", "after_write", "loop_body", "ret", "audit_write", "long_id"];

/** What the generated code at each marker's breakpoint must start with, per build. */
type Expectations = Record<string, RegExp>;

const MINIFIED_COMMON: Expectations = {
  read_balance: /^const \w+=\w+\.balance;await Promise\.resolve\(\)/,
  write_balance: /^\w+\.balance=\w+\+\w+;for\(/,
  after_write: /^\w+\.balance=\w+\+\w+;for\(/,
  loop_body: /^\w+\.balance\+=\w+;return /,
  ret: /^return \w+\.balance\}/,
  long_id: /^console\.log\("long id",\w+\.id\)/,
};

const READABLE: Expectations = {
  read_balance: /^const before ?= ?acct\.balance;/,
  write_balance: /^acct\.balance ?= ?before ?\+ ?amount;/,
  after_write: /^acct\.balance ?= ?before ?\+ ?amount;/,
  loop_body: /^acct\.balance ?\+= ?i[;}]/,
  ret: /^return acct\.balance[;}]/,
  long_id: /^console\.log\("long id", ?entry\.id\)/,
};

interface Build {
  name: string;
  /** URL V8 would report for the generated script. */
  url: string;
  sourceMapURL: string;
  code: string;
  expect: Expectations;
}

let dir: string;
let bankPath: string;
const builds: Build[] = [];

function esbuildBuild(name: string, options: esbuild.TransformOptions, expect: Expectations): Build {
  const { code } = esbuild.transformSync(BANK_TS, { loader: "ts", sourcemap: "inline", sourcefile: bankPath, ...options });
  const sourceMapURL = /\/\/# sourceMappingURL=(\S+)\s*$/.exec(code)?.[1];
  if (sourceMapURL === undefined) throw new Error("esbuild emitted no inline source map");
  return { name, url: pathToFileURL(join(dir, `${name}.js`)).href, sourceMapURL, code, expect };
}

async function tscBuild(name: string, module: ts.ModuleKind, expect: Expectations): Promise<Build> {
  // tsc writes "sources": ["bank.ts"] relative to the map, so the map sits next to a copy of the source.
  const out = join(dir, name);
  await mkdir(out, { recursive: true });
  const source = join(out, "bank.ts");
  await writeFile(source, BANK_TS);
  const result = ts.transpileModule(BANK_TS, {
    fileName: source,
    compilerOptions: { sourceMap: true, target: ts.ScriptTarget.ES2022, module },
  });
  if (result.sourceMapText === undefined) throw new Error("tsc emitted no source map");
  await writeFile(join(out, "bank.js"), result.outputText);
  await writeFile(join(out, "bank.js.map"), result.sourceMapText);
  const sourceMapURL = /\/\/# sourceMappingURL=(\S+)\s*$/.exec(result.outputText)?.[1] ?? "";
  return { name, url: pathToFileURL(join(out, "bank.js")).href, sourceMapURL, code: result.outputText, expect };
}

/** The generated text at a 0-based position. */
function textAt(code: string, line0: number, column0: number): string {
  return (code.split(/\r\n|\n/)[line0] ?? "").slice(column0);
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "interlace-script-markers-"));
  bankPath = join(dir, "bank.ts");
  await writeFile(bankPath, BANK_TS);
  builds.push(
    esbuildBuild("esbuild-minify-esm", { minify: true, format: "esm" }, {
      ...MINIFIED_COMMON,
      // The call statement is folded into a `return a(...), ...` sequence; its mapping is the `return`.
      audit_write: /^return \w+\(\w+,\w+\.id\),/,
    }),
    esbuildBuild("esbuild-minify-cjs", { minify: true, format: "cjs" }, {
      ...MINIFIED_COMMON,
      audit_write: /^return\(0,\w+\.appendFileSync\)\(\w+,\w+\.id\),/,
    }),
    // tsx transforms with minifyWhitespace only: names kept, everything on one line.
    esbuildBuild("esbuild-tsx-like-cjs", { minifyWhitespace: true, format: "cjs" }, {
      ...READABLE,
      // esbuild maps the statement's first column to `ns.fn` inside `(0,ns.fn)(...)`, past the `(0,`.
      audit_write: /^import_node_fs\.appendFileSync\)\(log,entry\.id\);/,
    }),
    await tscBuild("tsc-esm", ts.ModuleKind.ESNext, { ...READABLE, audit_write: /^appendFileSync\(log, entry\.id\);/ }),
    await tscBuild("tsc-cjs", ts.ModuleKind.CommonJS, {
      ...READABLE,
      audit_write: /^\(0, node_fs_1\.appendFileSync\)\(log, entry\.id\);/,
    }),
  );
});

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe("MarkerResolver with source maps", () => {
  test.each(["esbuild-minify-esm", "esbuild-minify-cjs", "esbuild-tsx-like-cjs", "tsc-esm", "tsc-cjs"])(
    "%s: every marker maps to generated code that starts its gated statement and maps back to its line",
    async (name) => {
      // Arrange
      const build = builds.find((b) => b.name === name);
      if (build === undefined) throw new Error(`no build ${name}`);
      const resolver = new MarkerResolver(new TraceFilter());
      // Act
      const result = await resolver.resolve({ url: build.url, sourceMapURL: build.sourceMapURL });
      // Assert
      expect(result?.diagnostics).toEqual([]);
      const markers = result?.markers ?? [];
      expect(markers.map((m) => m.name)).toEqual(MARKER_NAMES);
      const original = build.name.startsWith("tsc") ? join(dirname(fileURLToPath(build.url)), "bank.ts") : bankPath;
      const sites = scanMarkers(BANK_TS, "bank.ts").markers;
      for (const [i, marker] of markers.entries()) {
        expect(marker).toMatchObject({ file: original, line: sites[i]?.line, column: sites[i]?.column, text: sites[i]?.text });
        const back = result?.sourceMap?.originalFor(marker.generated.line0, marker.generated.column0);
        expect(back, marker.name).toEqual({ source: original, line: marker.line, column: marker.column });
        expect(textAt(build.code, marker.generated.line0, marker.generated.column0), marker.name).toMatch(
          build.expect[marker.name] ?? /^$/,
        );
      }
    },
  );

  test("esbuild puts everything on few lines; tsc keeps one statement per line", () => {
    const lines = (name: string): number => builds.find((b) => b.name === name)?.code.trimEnd().split("\n").length ?? 0;
    expect(lines("esbuild-minify-esm")).toBe(2); // code + sourceMappingURL comment
    expect(lines("tsc-esm")).toBeGreaterThan(20);
  });

  test("a percent-encoded data: URL map works like a map file", async () => {
    const build = builds.find((b) => b.name === "tsc-esm");
    if (build === undefined) throw new Error("no tsc-esm build");
    const map = await readFile(fileURLToPath(new URL(build.sourceMapURL, build.url)), "utf8");
    const result = await new MarkerResolver(new TraceFilter()).resolve({
      url: build.url,
      sourceMapURL: `data:application/json;charset=utf-8,${encodeURIComponent(map)}`,
    });
    const fromFile = await new MarkerResolver(new TraceFilter()).resolve({ url: build.url, sourceMapURL: build.sourceMapURL });
    expect(result?.markers).toHaveLength(MARKER_NAMES.length);
    expect(result?.markers).toEqual(fromFile?.markers);
  });

  test("sources missing on disk are scanned from sourcesContent", async () => {
    const ghost = join(dir, "virtual", "ghost.ts");
    const { code } = esbuild.transformSync("let n = 0;\n// interlace: bump\nn++;\n", {
      loader: "ts",
      sourcemap: "inline",
      sourcefile: ghost,
      minify: true,
    });
    const sourceMapURL = /sourceMappingURL=(\S+)/.exec(code)?.[1] ?? "";
    const result = await new MarkerResolver(new TraceFilter()).resolve({ url: pathToFileURL(join(dir, "ghost.js")).href, sourceMapURL });
    expect(result?.diagnostics).toEqual([]);
    expect(result?.markers).toMatchObject([{ name: "bump", file: ghost, line: 3, column: 0 }]);
  });

  test("a marker whose gated code the compiler removed gives a diagnostic", async () => {
    const path = join(dir, "types-only.ts");
    const source = "export const used = 1;\n// interlace: on_type\nexport interface Gone { a: number }\n";
    await writeFile(path, source);
    const { code } = esbuild.transformSync(source, { loader: "ts", sourcemap: "inline", sourcefile: path });
    const sourceMapURL = /sourceMappingURL=(\S+)/.exec(code)?.[1] ?? "";
    const result = await new MarkerResolver(new TraceFilter()).resolve({ url: pathToFileURL(join(dir, "types-only.js")).href, sourceMapURL });
    expect(result?.markers).toEqual([]);
    expect(result?.diagnostics).toHaveLength(1);
    expect(result?.diagnostics[0]).toMatch(new RegExp(`^${escape(path)}:2: marker "on_type" gates code at line 3 that has no mapping`));
  });

  test("an unreadable map gives a diagnostic and the script is scanned as its own source", async () => {
    const path = join(dir, "fallback.js");
    await writeFile(path, "let x = 0;\n// interlace: fb\nx++;\n//# sourceMappingURL=fallback.js.map\n");
    const result = await new MarkerResolver(new TraceFilter()).resolve({
      url: pathToFileURL(path).href,
      sourceMapURL: "fallback.js.map",
    });
    expect(result?.sourceMap).toBeNull();
    expect(result?.markers).toEqual([
      { name: "fb", file: path, line: 3, column: 0, text: "x++;", generated: { line0: 2, column0: 0 } },
    ]);
    expect(result?.diagnostics).toHaveLength(1);
    expect(result?.diagnostics[0]).toMatch(new RegExp(`^${escape(path)}:1: cannot use source map .*fallback\\.js\\.map: .*ENOENT`));
  });

  test("each file and map is read once however many threads resolve the script", async () => {
    const build = builds.find((b) => b.name === "tsc-cjs");
    if (build === undefined) throw new Error("no tsc-cjs build");
    const reads: string[] = [];
    const resolver = new MarkerResolver(new TraceFilter(), {
      readFile: async (path) => {
        reads.push(path);
        return readFile(path, "utf8");
      },
    });
    const script = { url: build.url, sourceMapURL: build.sourceMapURL };
    const [a, b, c] = await Promise.all([resolver.resolve(script), resolver.resolve(script), resolver.resolve(script)]);
    const out = dirname(fileURLToPath(build.url));
    expect(reads.sort()).toEqual([join(out, "bank.js.map"), join(out, "bank.ts")]);
    expect(b).toEqual(a);
    expect(c).toEqual(a);
    expect(a?.markers).toHaveLength(MARKER_NAMES.length);
  });
});

function escape(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}
