// The worker's element policy, driven through the access runtime as instrumented code drives it.
import { describe, expect, it } from "vitest";
import { createAccessRuntime } from "../../../src/access/runtime.js";
import type { AccessRuntime } from "../../../src/access/protocol.js";
import { AccessRing } from "../../../src/controller/access-ring.js";
import { createElementPolicy } from "../../../src/runtime/element-policy.mjs";
import { SharedRecorder } from "../../../src/runtime/shared-recorder.mjs";
import { builtUrl, instrumentForWorker } from "../../../src/runtime/access-instrument.mjs";
import { instrumentAccesses } from "../../../src/access/transform.js";
import type { Access } from "../../../src/strategies/access.js";

function setUp(state: unknown): { ring: AccessRing; rt: AccessRuntime; recorder: SharedRecorder } {
  const ring = AccessRing.create("t", 256);
  const recorder = new SharedRecorder(ring.buffer);
  recorder.startRun(state);
  const { policy, sink } = createElementPolicy(recorder);
  const rt = createAccessRuntime(policy as never);
  rt.setSink(sink as never);
  return { ring, rt, recorder };
}

const brief = (accesses: Access[]) => accesses.map((a) => `${a.op} ${a.label}${a.value === undefined ? "" : ` = ${a.value}`}`);

describe("the element policy", () => {
  it("records element reads and writes of numbered buffers, with values", () => {
    const state = { cells: new Int32Array(new SharedArrayBuffer(16)), big: new BigUint64Array(new SharedArrayBuffer(8)), f: new Float64Array(new SharedArrayBuffer(8)) };
    const { ring, rt } = setUp(state);
    rt.s(state.cells, 0, 5);
    expect(rt.u(state.cells, "1", "++", 0)).toBe(0);
    expect(rt.g(state.cells, 0)).toBe(5);
    rt.c(state.big, 0).w("-", 1n);
    rt.s(state.f, 0, -0);
    expect(brief(ring.drain())).toEqual([
      "write cells[0] = 5",
      "read cells[1] = 0",
      "write cells[1] = 1",
      "read cells[0] = 5",
      "read big[0] = 0n",
      "write big[0] = 18446744073709551615n", // -1n as a BigUint64 element holds it
      "write f[0] = -0",
    ]);
    expect(state.big[0]).toBe(2n ** 64n - 1n);
  });

  it("records typed-array methods element by element, and a range too long as the whole array", () => {
    const state = { cells: new Int32Array(new SharedArrayBuffer(16)), huge: new Int8Array(new SharedArrayBuffer(70_000)) };
    const { ring, rt } = setUp(state);
    (rt.M(state.cells, "fill") as Int32Array).fill(7, 2);
    (rt.M(state.huge, "fill") as Int8Array).fill(1);
    const accesses = ring.drain();
    expect(brief(accesses)).toEqual(["write cells[2] = 7", "write cells[3] = 7", "write huge[*]"]);
    expect(accesses[2]!.location).toBe("sab#2@*");
  });

  it("places nothing else: properties, plain arrays, private and unnumbered buffers, out-of-range indices, lock cells", () => {
    const lockBuffer = new SharedArrayBuffer(4);
    const state = { cells: new Int32Array(new SharedArrayBuffer(8)), lock: { buffer: lockBuffer, byteOffset: 0 } };
    const { ring, rt, recorder } = setUp(state);
    rt.g(state, "cells");
    rt.s([1, 2], 0, 3);
    rt.s(new Int32Array(2), 0, 3);
    rt.s(new Int32Array(new SharedArrayBuffer(4)), 0, 3);
    rt.g(state.cells, 5);
    rt.g(state.cells, "length");
    recorder.buffers.byBuffer.get(lockBuffer)!.lockCells = new Map([[0, { id: 2, byteOffset: 0 }]]);
    rt.s(new Int32Array(lockBuffer), 0, 1);
    expect(ring.drain()).toEqual([]);
  });
});

describe("instrumentForWorker", () => {
  it("instruments with an inline map, leaves instrumented or access-free code alone, and reports what it cannot parse", () => {
    const out = instrumentForWorker(instrumentAccesses, "export function f(a) { a[0] = 1; }\n", "/x/f.mjs", "module");
    expect(out.problem).toBeUndefined();
    expect(out.code).toContain('Symbol.for("interlace.access.v1")');
    expect(out.code).toMatch(/\/\/# sourceMappingURL=data:application\/json;charset=utf-8;base64,\S+\n$/);
    expect(instrumentForWorker(instrumentAccesses, out.code, "/x/f.mjs", "module").code).toBe(out.code);
    expect(instrumentForWorker(instrumentAccesses, "const x = 1;\n", "/x/g.mjs", "module").code).toBe("const x = 1;\n");
    const bad = instrumentForWorker(instrumentAccesses, "export function (", "/x/bad.mjs", "module");
    expect(bad.code).toBe("export function (");
    expect(bad.problem).toMatch(/could not instrument \/x\/bad\.mjs for access recording, loaded it unmodified/);
  });

  it("finds interlace's compiled modules in dist/ from src/runtime/", () => {
    expect(builtUrl("access/transform.js")).toMatch(/\/dist\/access\/transform\.js$/);
  });
});
