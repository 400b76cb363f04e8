/**
 * The `peek` form of the task transform (`interlace debug`'s task host): every await and marker
 * gate is also given a closure made in the awaiting frame, through which that frame's variables,
 * `this` included, can be read while it is suspended. Run here by calling the closure with an
 * expression (its direct `eval`); the task host stops at its `debugger` statement instead.
 */
import { afterAll, afterEach, describe, expect, test } from "vitest";
import { transformSync } from "esbuild";
import { TraceMap, originalPositionFor } from "@jridgewell/trace-mapping";
import { getGates } from "../../../src/tasks/gates.js";
import { PEEK_CLOSURE } from "../../../src/tasks/transform.js";
import { TempDir, mustInstrument, requireCode } from "./transform-helpers.js";

const dir = new TempDir();
afterAll(() => dir.remove());
afterEach(() => {
  getGates().run = null;
});

type Peek = (expression?: string) => unknown;

/** Gates that let everything through and keep the closures they are given. */
function keepPeeks(): Peek[] {
  const peeks: Peek[] = [];
  getGates().run = {
    a: (x, _f, _i, k) => (k !== undefined && peeks.push(k as Peek), x),
    m: (_f, _i, k) => (k !== undefined && peeks.push(k as Peek), undefined),
    i: (x) => x,
    p: () => undefined,
  };
  return peeks;
}

const SOURCE = `
class Counter {
  value = 0;
  async increment(step) {
    let seen = this.value;
    const before = seen;
    await null;
    // interlace: write_value
    seen = before + step;
    this.value = seen;
    for await (const x of [1]) seen += x;
  }
}
module.exports = { Counter };
`;

describe("instrument with peek", () => {
  test("gives await and marker gates the closure, for-await gates and the default transform none", () => {
    const filename = dir.file(".cjs");
    const peeked = mustInstrument(SOURCE, { filename, format: "commonjs", peek: true }).code;
    expect(peeked.split(PEEK_CLOSURE).length - 1).toBe(2);
    expect(peeked).toContain(`__il.a(null, __ilF, 0,${PEEK_CLOSURE})`);
    expect(peeked).toMatch(/__il\.i\(\[1\], __ilF, 2\)/);
    expect(mustInstrument(SOURCE, { filename, format: "commonjs" }).code).not.toContain("debugger");
    // One line for one line: the closure is inserted on the gate's line.
    expect(peeked.split("\n").length).toBe(mustInstrument(SOURCE, { filename, format: "commonjs" }).code.split("\n").length);
  });

  test("reads the suspended frame's variables and its this as they are at each gate", async () => {
    const filename = dir.file(".cjs");
    const { Counter } = requireCode<{ Counter: new () => { value: number; increment(step: number): Promise<void> } }>(filename, mustInstrument(SOURCE, { filename, format: "commonjs", peek: true }).code);
    const peeks = keepPeeks();
    const counter = new Counter();
    counter.value = 4;
    const done = counter.increment(3);
    // Suspended at `await null`: the await gate's closure sees the frame as it is.
    expect(peeks).toHaveLength(1);
    expect(peeks[0]!("[seen, before, step, this.value]")).toEqual([4, 4, 3, 4]);
    // Called with nothing (as the task host does) it returns the frame's this.
    expect(peeks[0]!()).toBe(counter);
    await done;
    // The marker's closure, then after the body: the same frame's later values.
    expect(peeks).toHaveLength(2);
    expect(peeks[1]!("seen")).toBe(8);
    expect(counter.value).toBe(7);
  });

  test("survives esbuild, which drops an eval it can prove dead (TypeScript instrumented before tsx compiles it)", () => {
    const filename = dir.file(".ts");
    const ts = "export async function f(n: number): Promise<number> { const x: number = n * 2; await Promise.resolve(); return x; }\n";
    const instrumented = mustInstrument(ts, { filename, format: "module", peek: true }).code;
    const compiled = transformSync(instrumented, { loader: "ts", format: "esm", target: "es2022" }).code;
    expect(compiled).toMatch(/debugger;\s*return s === void 0 \? this : eval\(s\)/);
  });

  test("maps a marker gate's closure to the statement it gates, also in one-line compiled code", () => {
    const filename = dir.file(".ts");
    const ts = "export async function f(o: { n: number }): Promise<void> {\n  const a = await Promise.resolve(o.n);\n  // interlace: write\n  o.n = a + 1;\n}\n";
    // tsx-like input: the whole module compiled onto one line, with an inline map to the TypeScript.
    const compiled = transformSync(ts, { loader: "ts", format: "esm", sourcemap: "inline", sourcefile: filename, minifyWhitespace: true }).code;
    const out = mustInstrument(compiled, { filename, format: "module", peek: true });
    const map = new TraceMap(out.map);
    const code = out.code.split("\n")[0]!;
    const marker = code.indexOf("__il.run!==null&&await __il.m(");
    const closure = code.indexOf("debugger", marker);
    expect(marker).toBeGreaterThan(0);
    // Without the anchor this column maps to the end of line 2's statement (the segment before the inserted text).
    expect(originalPositionFor(map, { line: 1, column: closure })).toMatchObject({ line: 4 });
  });
});
