/** Source maps of instrumented code: exact positions back to the original (and through an input map). */
import { runInThisContext } from "node:vm";
import { TraceMap, generatedPositionFor, originalPositionFor } from "@jridgewell/trace-mapping";
import * as esbuild from "esbuild";
import { describe, expect, test } from "vitest";
import "../../../src/access/recorder.js";
import { instrumentAccesses } from "../../../src/access/transform.js";
import { ACCESS_PREFIX, at, expectIdentifiersMapped } from "../tasks/transform-helpers.js";
import { fixtureName } from "./helpers.js";

interface Position {
  line: number;
  column: number;
}

const FIXTURE = [
  "const o = { a: { b: 1 }, n: 0, m() { return this; }, get g() { return 2; } };",
  "const k = 'n', xs = [1];",
  "o.n = o.a.b + o[k];",
  "o[k] += o.g; o.n ||= 1; o.n++; --o[k];",
  "delete o.a.b; o.m(o.n); o[k]; new o.m.constructor();",
  "o?.a?.b; o.m?.(k); const { a, n } = o; [o.x, o.y] = xs;",
  "for (const item of xs) o.n -= item;",
  "class C { #f = 0; go(p) { this.#f += p.#f; return this.#f; } }",
].join("\n");

describe("source maps", () => {
  test("every identifier maps to its instrumented position on the same line, and back", () => {
    const filename = fixtureName();
    const { code, map } = instrumentAccesses(FIXTURE, { filename, format: "commonjs" });

    expect(code.split("\n")).toHaveLength(FIXTURE.split("\n").length);
    expectIdentifiersMapped(FIXTURE, code, map, filename, ACCESS_PREFIX);
  });

  test("a helper call maps to the start of the access it instruments", () => {
    const filename = fixtureName();
    const { code, map } = instrumentAccesses(FIXTURE, { filename, format: "commonjs" });
    const trace = new TraceMap(map);
    const cases: [string, Position][] = [
      ["__ila.S(o", at(FIXTURE, "o.n = ")],
      ["__ila.C(o", at(FIXTURE, "o[k] +=")],
      ['__ila.U(o, k, "--"', at(FIXTURE, "--o[k]")],
      ["__ila.M(o", at(FIXTURE, "o.m(o.n)")],
      ["__ila.D(", at(FIXTURE, "delete")],
      ["__ila.h(o).n()", at(FIXTURE, "o?.a?.b")],
    ];
    for (const [needle, original] of cases) {
      const generated = at(code, needle);
      const back = originalPositionFor(trace, generated);
      expect({ line: back.line, column: back.column }, needle).toEqual(original);
    }
  });

  test("an error thrown below a helper has a stack position that maps back to the access", () => {
    const filename = fixtureName();
    const source = [
      "const o = { get bad() { throw new Error('getter'); }, m() { throw new Error('method'); } };",
      "function read() { return 1 + o.bad; }",
      "function update() { o.bad += 1; }",
      "function call() { return [o.m(1)]; }",
      "return [read, update, call];",
    ].join("\n");
    const { code, map } = instrumentAccesses(source, { filename, format: "commonjs" });
    const trace = new TraceMap(map);
    // One line of wrapper before the code: generated line L of the code is line L + 1 of the script.
    const functions = (runInThisContext(`(function () {\n${code}\n})`, { filename }) as () => (() => unknown)[])();
    const expected: Record<string, Position> = {
      read: at(source, "o.bad"),
      update: at(source, "o.bad", 1),
      call: at(source, "o.m(1)"),
    };
    for (const fn of functions) {
      let stack = "";
      try {
        fn();
      } catch (error) {
        stack = error instanceof Error ? (error.stack ?? "") : "";
      }
      const frame = new RegExp(`at ${fn.name} \\(${filename.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}:(\\d+):(\\d+)\\)`).exec(stack);
      if (frame === null) throw new Error(`no frame of ${fn.name} in\n${stack}`);
      const generated = { line: Number(frame[1]) - 1, column: Number(frame[2]) - 1 };
      const back = originalPositionFor(trace, generated);
      const access = expected[fn.name] as Position;
      expect(back.line, fn.name).toBe(access.line);
      // V8 points at the call (the helper, or the native method call after M): within the access.
      expect(back.column ?? -1, fn.name).toBeGreaterThanOrEqual(access.column);
      expect(back.column ?? Infinity, fn.name).toBeLessThanOrEqual(access.column + "o.bad += 1".length);
    }
  });

  test("the map is composed through an inline input map, back to the TypeScript source", () => {
    const tsFile = "/fixtures/access/point.ts";
    const source = [
      "interface Point { x: number; y: number }",
      "type Id = string;",
      "export function bump(p: Point, by: number): number {",
      "  p.x += by;",
      "  return p.x * p.y;",
      "}",
    ].join("\n");
    const compiled = esbuild.transformSync(source, { loader: "ts", sourcemap: "inline", sourcefile: tsFile, format: "esm" });
    const { code, map } = instrumentAccesses(compiled.code, { filename: "/fixtures/access/point.js", format: "module" });
    expect(code).not.toContain("sourceMappingURL");
    expect(map.sources).toEqual([tsFile]);
    expect(map.sourcesContent).toEqual([source]);
    const trace = new TraceMap(map);
    for (const [needle, nth] of [["p.x +=", 0], ["p.x", 1], ["p.y", 0]] as const) {
      const original = at(source, needle, nth);
      const generated = generatedPositionFor(trace, { source: tsFile, ...original });
      expect(generated.line, needle).not.toBeNull();
      const text = code.split("\n")[(generated.line ?? 1) - 1]?.slice(generated.column ?? 0) ?? "";
      // esbuild maps a line's indentation to its first statement, so the position may be before it.
      expect(text, needle).toMatch(/^\s*__ila\.\w\(p, /);
      const back = originalPositionFor(trace, { line: generated.line ?? 0, column: generated.column ?? 0 });
      expect({ source: back.source, line: back.line, column: back.column }, needle).toEqual({ source: tsFile, ...original });
    }
  });
});
