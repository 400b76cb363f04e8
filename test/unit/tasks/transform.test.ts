import { afterAll, afterEach, describe, expect, test } from "vitest";
import { writeFileSync } from "node:fs";
import { pathToFileURL } from "node:url";
import { getGates, GateKind } from "../../../src/tasks/gates.js";
import { instrument } from "../../../src/tasks/transform.js";
import { TempDir, at, awaitPositions, mustInstrument, recordGates, requireCode } from "./transform-helpers.js";

const dir = new TempDir();
afterAll(() => dir.remove());

/** Imports instrumented ES module code from a fresh file (the access recorder is installed for it). */
async function importCode(code: string): Promise<Record<string, unknown>> {
  await import("../../../src/access/recorder.js");
  const file = dir.file(".mjs");
  writeFileSync(file, code);
  return (await import(pathToFileURL(file).href)) as Record<string, unknown>;
}
afterEach(() => {
  getGates().run = null;
});

/** Instruments a CommonJS fixture and loads it. */
function load<T>(source: string): { exports: T; result: ReturnType<typeof mustInstrument>; filename: string } {
  const filename = dir.file(".cjs");
  const result = mustInstrument(source, { filename, format: "commonjs" });
  return { exports: requireCode<T>(filename, result.code), result, filename };
}

/** Shared event log that fixtures write to through `globalThis.__events`. */
function events(): string[] {
  const log: string[] = [];
  (globalThis as { __events?: string[] }).__events = log;
  return log;
}

describe("instrument: awaits", () => {
  const source = [
    "async function id(v) { return v; }",
    "const thenable = { then(resolve) { resolve('thenable'); } };",
    "class Box { async get(v) { return await id(v); } }",
    "const obj = { async twice(v) { return [await id(v), await id(v)]; } };",
    "const arrow = async (v) => id(await v);",
    "async function fail() { try { await Promise.reject(new Error('no')); } catch (e) { return e.message; } }",
    "async function seq() { return await (id(1), id(2)); }",
    "async function nested() { return await -await id(await 4); }",
    "module.exports = async () => [",
    "  await new Box().get(1), await obj.twice(2), await arrow(3), await fail(), await seq(), await nested(), await thenable,",
    "];",
  ].join("\n");

  test("every await calls a() with its own site; values, rejections and thenables flow unchanged", async () => {
    const { exports: run, result, filename } = load<() => Promise<unknown[]>>(source);
    const recording = recordGates();

    const values = await run();
    recording.stop();

    expect(values).toEqual([1, [2, 2], 3, "no", 2, -4, "thenable"]);
    expect(result.sites.every((site) => site[2] === GateKind.Await)).toBe(true);
    expect(result.sites.map(([line, column]) => [line, column]).sort()).toEqual(awaitPositions(source).sort());
    const called = recording.calls.map((call) => `${call.site[0]}:${call.site[1]}`);
    expect(new Set(called)).toEqual(new Set(result.sites.map(([line, column]) => `${line}:${column}`)));
    expect(recording.calls.every((call) => call.gate === "a" && call.url === pathToFileURL(filename).href)).toBe(true);
    expect(result.code).toContain("await (__il.a((id(1), id(2)), __ilF, ");
  });

  test("what a() returns is what the await waits for", async () => {
    const { exports: run } = load<() => Promise<unknown>>("module.exports = async () => (await 2) + (await 3);");
    recordGates({ transform: (value) => Promise.resolve((value as number) * 10) });
    expect(await run()).toBe(50);
  });

  test("for await wraps its iterable with i(); yield is not a gate", async () => {
    const fixture = [
      "async function* gen() { yield 1; yield 2; }",
      "module.exports = async () => {",
      "  const out = [];",
      "  for await (const v of gen()) out.push(v);",
      "  for await (const w of (0, [Promise.resolve(3)])) out.push(w);",
      "  return out;",
      "};",
    ].join("\n");
    const { exports: run, result } = load<() => Promise<number[]>>(fixture);
    const recording = recordGates();

    expect(await run()).toEqual([1, 2, 3]);
    expect(result.sites).toEqual([
      [4, 2, GateKind.ForAwait],
      [5, 2, GateKind.ForAwait],
    ]);
    expect(recording.calls.map((call) => [call.gate, call.site[0]])).toEqual([
      ["i", 4],
      ["i", 5],
    ]);
    expect(result.code).toContain("for await (const w of (__il.i((0, [Promise.resolve(3)]), __ilF, 1)))");
  });

  test("a file with nothing to gate is left alone (null); one that does not parse is an error naming it, never a silent skip", () => {
    const plain = "export const x = 1;\nfunction f() { return x; }\n";
    expect(instrument(plain, { filename: "/x/a.mjs", format: "module" })).toBeNull();
    expect(instrument("const awaitable = 1; // no await here\n", { filename: "/x/a.cjs", format: "commonjs" })).toBeNull();
    expect(() => instrument("async function f() { await ; }", { filename: "/x/b.cjs", format: "commonjs" })).toThrow(/could not parse \/x\/b\.cjs/);
    // Top-level await is not valid in CommonJS.
    expect(() => instrument("await x;", { filename: "/x/c.cjs", format: "commonjs" })).toThrow(SyntaxError);
  });

  test("minified code: inserted text never fuses with a keyword or an identifier (return[…], typeof[…], case\"…\", …]instanceof)", async () => {
    const minified = [
      "async function f(a,o){const r=[];r.push(typeof[].x,void[0].length);switch(a.k){case\"x\".length:r.push(1)}",
      "for(const k in[a][0])r.push(k);r.push(a?.[0]instanceof Object);if(!a)throw[a][0];else r.push(await[a][0]);",
      "for await(const x of[a])r.push(x===a);return[1,2].map(v=>v+1).concat(r)}",
      "export default f;",
    ].join("");
    const result = instrument(minified, { filename: "/x/min.mjs", format: "module", accesses: true })!;
    expect(result.code).not.toMatch(/return__il|typeof__il|void__il|case__il|of__il|await__il|\.vinstanceof|throw__il/);
    const mod = await importCode(result.code);
    expect(await (mod.default as (a: unknown, o: unknown) => Promise<unknown[]>)({ k: "x" }, {})).toEqual([2, 3, "undefined", undefined, "k", false, { k: "x" }, true]);
  });

  test("the preambles reach the global object by a name the file does not shadow (var Symbol, var globalThis)", async () => {
    const shadowing = "var Symbol = undefined; var globalThis = 1;\nexport async function f(o) { await null; return o.x; }\n";
    const result = instrument(shadowing, { filename: "/x/shadow.mjs", format: "module", accesses: true })!;
    expect(result.code.startsWith("var __il=(global[global.Symbol.for(")).toBe(true);
    const mod = await importCode(result.code);
    expect(await (mod.f as (o: unknown) => Promise<unknown>)({ x: 5 })).toBe(5);
  });

  test("auto-accessors (`accessor x = 1`, TS and JS) parse and are instrumented", () => {
    for (const filename of ["/x/a.ts", "/x/a.mjs"]) {
      const result = instrument("class A { accessor y = 1; async m(o) { await o.x; } }", { filename, format: "module", accesses: true });
      expect(result?.code, filename).toContain("__il.a(");
    }
  });
});

describe("instrument: markers", () => {
  test("an own-line marker gates the next statement, an inline marker its own line", async () => {
    const fixture = [
      "const ev = (e) => globalThis.__events.push(e);",
      "module.exports = async () => {",
      "  ev('a');",
      "  // interlace: before_b",
      "  ev('b');",
      "  ev('c'); // interlace: at_c",
      "  // interlace: first",
      "  ev('d'); /* interlace: second */",
      "};",
    ].join("\n");
    const { exports: run, result } = load<() => Promise<void>>(fixture);
    const log = events();
    recordGates({ onCall: (call) => log.push(`gate:${String(call.site[3])}`) });

    await run();

    expect(log).toEqual(["a", "gate:before_b", "b", "gate:at_c", "c", "gate:first", "gate:second", "d"]);
    expect(result.markers).toEqual(["before_b", "at_c", "first", "second"]);
    expect(result.sites).toEqual([
      [5, 2, GateKind.Marker, "before_b"],
      [6, 2, GateKind.Marker, "at_c"],
      [8, 2, GateKind.Marker, "first"],
      [8, 2, GateKind.Marker, "second"],
    ]);
    expect(result.warnings).toEqual([]);
  });

  test("a marker on the body of a braceless if/else or loop wraps the body in braces", async () => {
    const fixture = [
      "const ev = (e) => globalThis.__events.push(e);",
      "module.exports = async (c) => {",
      "  if (c)",
      "    // interlace: then_branch",
      "    ev('then')",
      "  else",
      "    // interlace: else_branch",
      "    ev('else');",
      "  for (let i = 0; i < 2; i++)",
      "    // interlace: loop_body",
      "    ev('loop' + i);",
      "  outer: for (const x of [1]) { // interlace: labeled",
      "    for (;;) continue outer;",
      "  }",
      "};",
    ].join("\n");
    const { exports: run, result } = load<(c: boolean) => Promise<void>>(fixture);
    const log = events();
    recordGates({ onCall: (call) => log.push(`gate:${String(call.site[3])}`) });

    await run(true);
    await run(false);

    const loop = ["gate:loop_body", "loop0", "gate:loop_body", "loop1", "gate:labeled"];
    expect(log).toEqual(["gate:then_branch", "then", ...loop, "gate:else_branch", "else", ...loop]);
    expect(result.code).toContain("{__il.run!==null&&await __il.m(__ilF,0);ev('then')}");
    expect(result.code).toContain("__il.run!==null&&await __il.m(__ilF,3);outer: for");
  });

  test("markers that cannot gate a task are reported and left out", () => {
    const fixture = [
      "function sync() {",
      "  // interlace: in_sync",
      "  return 1;",
      "}",
      "// interlace: at_top",
      "sync();",
      "async function f() {",
      "  [1].forEach((x) => {",
      "    x++; // interlace: in_callback",
      "  });",
      "  const a = [",
      "    1, // interlace: in_array",
      "  ];",
      "  await a; // interlace: bad name",
      "}",
    ].join("\n");
    const filename = dir.file(".cjs");
    const result = mustInstrument(fixture, { filename, format: "commonjs" });

    expect(result.markers).toEqual([]);
    expect(result.sites).toEqual([[14, 2, GateKind.Await]]);
    expect(result.warnings).toEqual([
      expect.stringMatching(new RegExp(`^${filename}:14: malformed marker comment`)),
      `${filename}:2: marker "in_sync" is in a synchronous function; task threads can only switch at awaits, ` +
        "so it gates nothing for tasks (worker and process threads still stop there)",
      expect.stringMatching(new RegExp(`^${filename}:5: marker "at_top" is at the top level`)),
      expect.stringMatching(new RegExp(`^${filename}:9: marker "in_callback" is in a synchronous function`)),
      expect.stringMatching(new RegExp(`^${filename}:12: marker "in_array" gates no statement`)),
    ]);
  });

  test("a file whose only markers cannot gate still returns its warnings", () => {
    const result = instrument("function f() {\n  // interlace: m\n  g();\n}\n", { filename: "/x/s.cjs", format: "commonjs" });
    expect(result?.sites).toEqual([]);
    expect(result?.code).toBe("function f() {\n  // interlace: m\n  g();\n}\n");
    expect(result?.warnings).toHaveLength(1);
  });

  test("literal point() calls are registered, not rewritten", async () => {
    const fixture = [
      "const il = { point: async (n) => globalThis.__events.push(n) };",
      "const point = il.point;",
      "module.exports = async (dynamic) => {",
      "  await point('p1');",
      "  await il.point(`p2`);",
      "  await point(dynamic);",
      "  il.point('p1');",
      "};",
    ].join("\n");
    const { exports: run, result } = load<(name: string) => Promise<void>>(fixture);
    const log = events();

    await run("p3");

    expect(log).toEqual(["p1", "p2", "p3", "p1"]);
    expect(result.markers).toEqual(["p1", "p2"]);
    expect(result.sites.filter((site) => site[2] === GateKind.Point)).toEqual([
      [4, 8, GateKind.Point, "p1"],
      [5, 8, GateKind.Point, "p2"],
      [7, 2, GateKind.Point, "p1"],
    ]);
    expect(result.code).toContain("il.point('p1');");
  });
});

describe("instrument: pass-through and layout", () => {
  const program = [
    "const log = [];",
    "const tick = (n) => Promise.resolve().then(() => log.push('tick' + n));",
    "async function a() {",
    "  log.push('a0'); await null; log.push('a1');",
    "  await tick(1); log.push('a2');",
    "  for await (const v of [1, Promise.resolve(2)]) log.push('a-v' + v); // interlace: am",
    "  log.push('a3');",
    "}",
    "async function b() {",
    "  log.push('b0');",
    "  await { then(r) { log.push('b-then'); r(); } };",
    "  // interlace: bm",
    "  log.push('b1');",
    "  await Promise.all([tick(2), tick(3)]); log.push('b2');",
    "  return await (async () => { await tick(4); return 'b3'; })();",
    "}",
    "module.exports = async () => {",
    "  const p = [a(), b()];",
    "  queueMicrotask(() => log.push('micro'));",
    "  log.push(await p[1]);",
    "  await p[0];",
    "  return log;",
    "};",
  ].join("\n");

  test("with no run active, instrumented code interleaves exactly like the original", async () => {
    const original = requireCode<() => Promise<string[]>>(dir.file(".cjs"), program);
    const { exports: instrumented, result } = load<() => Promise<string[]>>(program);

    const expected = await original();
    expect(await instrumented()).toEqual(expected);
    expect(result.markers).toEqual(["am", "bm"]);
  });

  test("line structure is unchanged: same line count, every line keeps its code", () => {
    const { result } = load<unknown>(program);
    const outLines = result.code.split("\n");
    const inLines = program.split("\n");
    expect(outLines).toHaveLength(inLines.length);
    const inserted = new RegExp(
      [/var __il=.*?;var __ilF=__il\.f\(.*?\]\]\);/, /__il\.run!==null&&await __il\.m\(__ilF,\d+\);/, /__il\.[ai]\(/, /, __ilF, \d+\)/]
        .map((part) => part.source)
        .join("|"),
      "g",
    );
    expect(outLines.map((line) => line.replace(inserted, ""))).toEqual(inLines);
  });

  test("CRLF line ends: lines and site positions are unchanged", () => {
    const fixture = "async function f(p) {\r\n  // interlace: m\r\n  return [await p, await p];\r\n}\r\nmodule.exports = f;\r\n";
    const { result } = load<unknown>(fixture);
    expect(result.code.split("\r\n")).toHaveLength(fixture.split("\r\n").length);
    expect(result.sites).toEqual([
      [3, 2, GateKind.Marker, "m"],
      [3, 10, GateKind.Await],
      [3, 19, GateKind.Await],
    ]);
  });

  test("an unusable inline input map is reported; the code is then treated as the original", () => {
    const filename = dir.file(".cjs");
    const fixture = "module.exports = async (p) => await p;\n//# sourceMappingURL=data:application/json;base64,e30=\n";
    const result = mustInstrument(fixture, { filename, format: "commonjs" });
    expect(result.warnings).toEqual([expect.stringMatching(new RegExp(`^${filename}:1: unusable inline source map`))]);
    expect(result.sites).toEqual([[1, 30, GateKind.Await]]);
    expect(result.map.sources).toEqual([filename]);
  });

  test("CommonJS: a hashbang stays first and the directive prologue stays a prologue", () => {
    const fixture =
      '#!/usr/bin/env node\n"use strict"\nmodule.exports = async () => [await 1, (function () { return this; })()];\n';
    const { exports: run, result } = load<() => Promise<unknown[]>>(fixture);
    expect(result.code.startsWith('#!/usr/bin/env node\n"use strict";var __il=')).toBe(true);
    return expect(run()).resolves.toEqual([1, undefined]);
  });
});
