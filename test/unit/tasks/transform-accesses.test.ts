/** `instrument(…, { accesses: true })`: the gates and the access edits of one parse, applied together. */
import { afterAll, afterEach, describe, expect, test } from "vitest";
import { pathToFileURL } from "node:url";
import { accessInstrumentedFiles, setAccessSink } from "../../../src/access/recorder.js";
import { getGates } from "../../../src/tasks/gates.js";
import { instrumentForLoader } from "../../../src/tasks/install.js";
import { instrument } from "../../../src/tasks/transform.js";
import { TempDir, mustInstrument, recordGates, requireCode } from "./transform-helpers.js";

const dir = new TempDir();
afterAll(() => dir.remove());
afterEach(() => {
  getGates().run = null;
  setAccessSink(null);
});

describe("instrument with accesses", () => {
  test("a plain class file, with no await nor marker, is instrumented for its accesses only", () => {
    const source = "export class Counter {\n  value = 0;\n  increment() { this.value = this.value + 1; }\n}\n";

    const result = mustInstrument(source, { filename: "/x/counter.mjs", format: "module", accesses: true });

    expect(result.sites).toEqual([]);
    expect(result.code).not.toContain("__il=");
    expect(result.code).toContain('var __ilaF=__ila.f("file:///x/counter.mjs",[]);');
    expect(result.code).toContain('__ila.s(this, "value" , __ila.g(this, "value") + 1)');
    expect(result.code.split("\n")).toHaveLength(source.split("\n").length);
    expect(instrument(source, { filename: "/x/counter.mjs", format: "module" })).toBeNull();
    expect(instrument("export const x = 1;\n", { filename: "/x/a.mjs", format: "module", accesses: true })).toBeNull();
  });

  test("gates and accesses nest: values, gate calls and the order of accesses around awaits are the source's", async () => {
    const source = [
      "class Counter { value = 1; async add(x) { this.value += await x; return this.value; } }",
      "module.exports = async (log) => {",
      "  const c = new Counter(), o = { a: { b: 1 } }, out = [];",
      "  out.push(await c.add(Promise.resolve(2)));",
      "  o.a.b = await o.a.b + 1; // interlace: bump",
      "  for await (const v of [o.a.b, Promise.resolve(5)]) out.push(v);",
      "  out.push(await o?.a?.b, o[await 'a'].b, (await o.a).b, await (o.a, o).a.b);",
      "  return out;",
      "};",
    ].join("\n");
    const filename = dir.file(".cjs");
    const result = mustInstrument(source, { filename, format: "commonjs", accesses: true });
    const run = requireCode<(log: string[]) => Promise<unknown[]>>(filename, result.code);
    const log: string[] = [];
    recordGates({ onCall: (call) => log.push(`${call.gate}:${call.site[0]}`) });
    setAccessSink((access) => {
      if (access.label === "Counter.value") log.push(`${access.op} ${access.label} ${access.value}`);
    });

    const out = await run(log);

    expect(out).toEqual([3, 2, 5, 2, 2, 2, 2]);
    // add() runs up to its await before the await of line 4 gets its promise; the write follows its gate.
    expect(log.slice(0, 4)).toEqual(["read Counter.value 1", "a:1", "a:4", "write Counter.value 3"]);
    expect(log).toContain("m:5");
    expect(accessInstrumentedFiles()).toContain(pathToFileURL(filename).href);
  });

  test("CommonJS module plumbing and vitest's hoisted calls stay as written", () => {
    const source = [
      'Object.defineProperty(exports, "__esModule", { value: true });',
      "exports.a = o.p; module.exports.b = 2; module.exports = { c: o.q };",
      "0 && (module.exports = { a });",
      'vi.mock("./x.js"); vitest.hoisted(() => o.r);',
    ].join("\n");

    const { code } = mustInstrument(source, { filename: "/x/a.cjs", format: "commonjs", accesses: true });
    const lines = code.split("\n");

    expect(lines[0]).toMatch(/Object\.defineProperty\(exports, "__esModule", \{ value: true \}\);$/);
    expect(lines[1]).toBe('exports.a = __ila.g(o, "p"); module.exports.b = 2; module.exports = { c: __ila.g(o, "q") };');
    expect(lines[2]).toBe("0 && (module.exports = { a });");
    expect(lines[3]).toBe('vi.mock("./x.js"); vitest.hoisted(() => __ila.g(o, "r"));');
  });

  test("loaders recognise code that either preamble already instrumented", () => {
    const plain = mustInstrument("o.p = 1;\n", { filename: "/x/p.cjs", format: "commonjs", accesses: true }).code;
    const gated = mustInstrument("async function f() { await 1; }\n", { filename: "/x/g.cjs", format: "commonjs" }).code;

    expect(instrumentForLoader(plain, "/x/p.cjs", "commonjs", { accesses: true }).code).toBe(plain);
    expect(instrumentForLoader(gated, "/x/g.cjs", "commonjs", { accesses: true }).code).toBe(gated);
  });
});
