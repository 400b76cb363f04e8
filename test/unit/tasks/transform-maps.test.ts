import { spawnSync } from "node:child_process";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { TraceMap, originalPositionFor } from "@jridgewell/trace-mapping";
import * as esbuild from "esbuild";
import { afterAll, afterEach, describe, expect, test } from "vitest";
import "../../../src/access/recorder.js";
import { GateKind, getGates, gatesPreamble } from "../../../src/tasks/gates.js";
import {
  ACCESS_PREFIX, TempDir, at, awaitPositions, expectIdentifiersMapped, mustInstrument, recordGates, requireCode,
} from "./transform-helpers.js";

const dir = new TempDir();
afterAll(() => dir.remove());
afterEach(() => {
  getGates().run = null;
});

/** Position V8 reports for the frame of `file` in `error`'s stack: 1-based line, 0-based column. */
function framePosition(error: unknown, file: string): { line: number; column: number } {
  const stack = error instanceof Error ? (error.stack ?? "") : "";
  const match = new RegExp(`${file.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}:(\\d+):(\\d+)`).exec(stack);
  if (match === null) throw new Error(`no frame of ${file} in:\n${stack}`);
  return { line: Number(match[1]), column: Number(match[2]) - 1 };
}

/** The JSON of the last inline `sourceMappingURL` of `code`. */
function inlineMapJson(code: string): string {
  const matches = [...code.matchAll(/\/\/# sourceMappingURL=data:application\/json;(?:charset=utf-8;)?base64,(\S+)/g)];
  const data = matches.at(-1)?.[1];
  if (data === undefined) throw new Error("no inline map");
  return Buffer.from(data, "base64").toString("utf8");
}

/** Decodes the last inline `sourceMappingURL` of `code`. */
function inlineMap(code: string): TraceMap {
  return new TraceMap(inlineMapJson(code));
}

describe("instrument: source maps of plain JavaScript", () => {
  const source = [
    "const ev = (e) => globalThis.__events.push(e);",
    "module.exports = async function run(value) {",
    "  await value; ev('a'); await value; if (value) throw new Error('boom'); // interlace: gate",
    "};",
  ].join("\n");

  test("every identifier maps both ways between its original and generated position", () => {
    const filename = dir.file(".cjs");
    const result = mustInstrument(source, { filename, format: "commonjs" });

    expect(result.map.sources).toEqual([filename]);
    expect(result.map.sourcesContent).toEqual([source]);
    expectIdentifiersMapped(source, result.code, result.map, filename);
  });

  test("an error thrown after gates on its line maps back to its original column", async () => {
    const filename = dir.file(".cjs");
    const result = mustInstrument(source, { filename, format: "commonjs", inlineMap: true });
    const run = requireCode<(value: unknown) => Promise<void>>(filename, result.code);
    (globalThis as { __events?: string[] }).__events = [];
    recordGates();

    const error = await run(1).catch((e: unknown) => e);

    const thrown = framePosition(error, filename);
    const back = originalPositionFor(inlineMap(result.code), thrown);
    const expected = { source: filename, ...at(source, "new Error") };
    expect({ source: back.source, line: back.line, column: back.column }).toEqual(expected);
    expect(JSON.parse(inlineMapJson(result.code))).toEqual(result.map);
  });
});

describe("instrument: gates and accesses together", () => {
  const source = [
    "const ev = (e) => globalThis.__events.push(e);",
    "class Counter { value = 0; total = 0; async add(x) { this.value += await x; ev(this.value); return this.value; } }",
    "async function run(c, v) {",
    "  c.total = c.total + await c.add(v.n); ev(c.total); if (c.total > v.limit) throw new Error('boom ' + c.total); // interlace: gate",
    "}",
    "module.exports = { Counter, run };",
  ].join("\n");

  test("every identifier maps both ways, in an await inside a compound assignment and on a marker's line", () => {
    const filename = dir.file(".cjs");
    const result = mustInstrument(source, { filename, format: "commonjs", accesses: true });

    expect(result.code.split("\n")).toHaveLength(source.split("\n").length);
    expect(result.code).toContain('__ila.c(this, "value") .w("+", await __il.a(x, __ilF, 0))');
    expectIdentifiersMapped(source, result.code, result.map, filename, ACCESS_PREFIX);
  });

  test("an error thrown after gates and accesses on its line maps back to its original column", async () => {
    const filename = dir.file(".cjs");
    const result = mustInstrument(source, { filename, format: "commonjs", accesses: true, inlineMap: true });
    const mod = requireCode<{ Counter: new () => object; run(c: object, v: object): Promise<void> }>(filename, result.code);
    const log: string[] = [];
    (globalThis as { __events?: string[] }).__events = log;
    recordGates({ onCall: (call) => log.push(`${call.gate}:${call.site[0]}`) });

    const error = await mod.run(new mod.Counter(), { n: 2, limit: 1 }).catch((e: unknown) => e);

    expect(log).toEqual(["m:4", "a:2", "a:4", 2, 2]);
    const back = originalPositionFor(inlineMap(result.code), framePosition(error, filename));
    expect({ source: back.source, line: back.line, column: back.column }).toEqual({ source: filename, ...at(source, "new Error") });
  });
});

describe("instrument: TypeScript source", () => {
  const source = [
    "interface Account { balance: number }",
    "type Maybe<T> = T | undefined;",
    "const ev = (e: string): number => (globalThis as unknown as { __events: string[] }).__events.push(e);",
    "export async function transfer(acct: Account, p: Promise<Maybe<number>>): Promise<number> {",
    "  const seen: number = await p!; // interlace: read",
    "  const other = await (p as Promise<number>);",
    "  const third = await <Promise<number>>p;",
    "  // interlace: write",
    "  acct.balance = seen + other + third; ev('write');",
    "  if (acct.balance > 100) throw new RangeError(`too much: ${acct.balance}`);",
    "  return acct.balance;",
    "}",
  ].join("\n");

  test("raw TypeScript instruments, compiles with esbuild and runs with its gates", async () => {
    const filename = dir.file(".ts");
    const result = mustInstrument(source, { filename, format: "module", inlineMap: true });
    const compiled = esbuild.transformSync(result.code, {
      loader: "ts", sourcemap: "inline", format: "cjs", sourcefile: filename,
    });
    const compiledFile = dir.file(".cjs");
    type Module = { transfer(acct: { balance: number }, p: Promise<number>): Promise<number> };
    const mod = requireCode<Module>(compiledFile, compiled.code);
    const log: string[] = [];
    (globalThis as { __events?: string[] }).__events = log;
    const recording = recordGates({ onCall: (call) => log.push(`${call.gate}:${call.site[0]}`) });

    expect(await mod.transfer({ balance: 0 }, Promise.resolve(10))).toBe(30);
    expect(log).toEqual(["m:5", "a:5", "a:6", "a:7", "m:9", "write"]);
    expect(recording.calls.every((call) => call.url === pathToFileURL(filename).href)).toBe(true);
    expect(result.sites).toEqual([
      [5, 2, GateKind.Marker, "read"],
      ...awaitPositions(source).map(([line, column]) => [line, column, GateKind.Await]),
      [9, 2, GateKind.Marker, "write"],
    ]);

    const error = await mod.transfer({ balance: 0 }, Promise.resolve(50)).catch((e: unknown) => e);
    const back = originalPositionFor(inlineMap(compiled.code), framePosition(error, compiledFile));
    const expected = { source: filename, ...at(source, "new RangeError") };
    expect({ source: back.source, line: back.line, column: back.column }).toEqual(expected);
  });
});

describe("instrument: compiled input with an inline source map", () => {
  const source = [
    "// The account module, as a user writes it.",
    "const ev = (e: string): void => { (globalThis as unknown as { __events: string[] }).__events.push(e); };",
    "",
    "export async function deposit(acct: { balance: number }, amount: number): Promise<number> {",
    "  ev('start');",
    "  const before: number = await Promise.resolve(acct.balance); // interlace: read_balance",
    "  // interlace: write_balance",
    "  acct.balance = before + amount;",
    "  if (amount > 0)",
    "    // interlace: log_positive",
    "    ev('positive');",
    "  return acct.balance;",
    "}",
  ].join("\n");
  const expectedSites = [
    [6, 2, GateKind.Marker, "read_balance"],
    [6, 25, GateKind.Await],
    [8, 2, GateKind.Marker, "write_balance"],
    [11, 4, GateKind.Marker, "log_positive"],
  ];

  async function runDeposit(filename: string, code: string): Promise<string[]> {
    const mod = requireCode<{ deposit(acct: { balance: number }, amount: number): Promise<number> }>(filename, code);
    const log: string[] = [];
    (globalThis as { __events?: string[] }).__events = log;
    recordGates({ onCall: (call) => log.push(call.site[3] === undefined ? `await@${call.site[0]}` : `gate:${call.site[3]}`) });
    expect(await mod.deposit({ balance: 1 }, 2)).toBe(3);
    return log;
  }

  const order = ["start", "gate:read_balance", "await@6", "gate:write_balance", "gate:log_positive", "positive"];

  test("markers come from sourcesContent; sites and the composed map point into the original", async () => {
    const filename = dir.file(".ts");
    const compiled = esbuild.transformSync(source, { loader: "ts", format: "cjs", sourcemap: "inline", sourcefile: filename });
    expect(compiled.code).not.toContain("interlace:");

    const result = mustInstrument(compiled.code, { filename, format: "commonjs" });

    expect(result.sites).toEqual(expectedSites);
    expect(result.warnings).toEqual([]);
    expect(result.code).not.toContain("sourceMappingURL");
    expect(result.map.sources).toEqual([filename]);
    expect(result.map.sourcesContent).toEqual([source]);
    expect(await runDeposit(dir.file(".cjs"), result.code)).toEqual(order);
    // Code right after the inserted gates maps back to its original line and column.
    const map = new TraceMap(result.map);
    for (const [generated, original] of [
      ["acct.balance = before", "acct.balance = before"],
      ['ev("positive")', "ev('positive')"],
      ["before = await", "before: number"],
      ["Promise.resolve(acct", "Promise.resolve(acct"],
      ["acct.balance)", "acct.balance)"],
    ] as const) {
      const back = originalPositionFor(map, positionOf(result.code, generated));
      expect([generated, back.line, back.column]).toEqual([generated, at(source, original).line, at(source, original).column]);
    }
  });

  test("tsx-style output (whitespace minified, no sourcesContent) with the original passed in", async () => {
    const filename = dir.file(".ts");
    const compiled = esbuild.transformSync(source, {
      loader: "ts", format: "cjs", sourcemap: "inline", sourcesContent: false, minifyWhitespace: true, sourcefile: filename,
    });
    expect(compiled.code.split("\n").length).toBeLessThan(5);

    const result = mustInstrument(compiled.code, { filename, format: "commonjs", originalSource: source, inlineMap: true });

    expect(result.sites).toEqual(expectedSites);
    expect(result.map.sourcesContent).toEqual([source]);
    expect(result.code.match(/sourceMappingURL/g)).toHaveLength(1);
    expect(await runDeposit(dir.file(".cjs"), result.code)).toEqual(order);
  });

  test("without sourcesContent or originalSource, the original is read from the file the map names", async () => {
    const filename = dir.file(".ts");
    writeFileSync(filename, source);
    const compiled = esbuild.transformSync(source, {
      loader: "ts", format: "cjs", sourcemap: "inline", sourcesContent: false, sourcefile: filename,
    });

    const result = mustInstrument(compiled.code, { filename, format: "commonjs" });

    expect(result.sites).toEqual(expectedSites);
    expect(await runDeposit(dir.file(".cjs"), result.code)).toEqual(order);
  });
});

describe("instrument: ES modules", () => {
  test("imports and top-level await run in Node with the gates of the module", () => {
    const source = [
      "import { basename } from 'node:path';",
      "import { value } from './dep.mjs';",
      "const base = basename(await Promise.resolve('/a/b.txt'));",
      "export const result = [];",
      "for await (const v of [value, 2]) result.push(v);",
      "result.push(base);",
    ].join("\n");
    const filename = join(dir.path, "main.mjs");
    const result = mustInstrument(source, { filename, format: "module" });
    expect(result.code.startsWith("var __il=")).toBe(true);
    writeFileSync(filename, result.code);
    writeFileSync(join(dir.path, "dep.mjs"), "export const value = 1;\n");
    const runner = [
      gatesPreamble("file:///runner", []),
      "const calls = [];",
      "__il.run = { a(x, f, i) { calls.push(['a', __il.files[f].sites[i]]); return x; },",
      "  m() { return undefined; }, i(x, f, i) { calls.push(['i', __il.files[f].sites[i]]); return x; } };",
      "const mod = await import('./main.mjs');",
      "console.log(JSON.stringify({ calls, result: mod.result, url: __il.files[1].url }));",
    ].join("\n");
    writeFileSync(join(dir.path, "runner.mjs"), runner);

    const child = spawnSync(process.execPath, [join(dir.path, "runner.mjs")], { encoding: "utf8" });

    expect(child.stderr).toBe("");
    expect(JSON.parse(child.stdout)).toEqual({
      calls: [
        ["a", [3, 22, GateKind.Await]],
        ["i", [5, 0, GateKind.ForAwait]],
      ],
      result: [1, 2, "b.txt"],
      url: pathToFileURL(filename).href,
    });
  });
});

/** Generated position (1-based line, 0-based column) of the first occurrence of `needle` in `code`. */
function positionOf(code: string, needle: string): { line: number; column: number } {
  const index = code.indexOf(needle);
  if (index < 0) throw new Error(`no ${needle} in the instrumented code`);
  const lines = code.slice(0, index).split("\n");
  return { line: lines.length, column: lines.at(-1)?.length ?? 0 };
}
