/**
 * Location policies, values and the runtime registry: a policy decides what is recorded and where
 * (here, a worker-style policy: only typed-array elements backed by a SharedArrayBuffer), values
 * are rendered for explanations, and the first runtime installed in an isolate wins.
 */
import { types } from "node:util";
import { afterEach, describe, expect, test } from "vitest";
import type { Access } from "../../../src/strategies/access.js";
import {
  ACCESS_KEY,
  accessInstrumentedFiles,
  createAccessRuntime,
  getAccessRuntime,
  installAccessRecorder,
  installAccessRuntime,
  setAccessSink,
  type AccessPolicy,
} from "../../../src/access/recorder.js";
import { renderValue } from "../../../src/access/values.js";
import { fixtureName, instrumentFixture, lines, recordFull, run } from "./helpers.js";

afterEach(() => setAccessSink(null));


/** Only elements of typed arrays on a SharedArrayBuffer: `sab#<id>@<byteOffset>`, labelled `<Type>[<index>]`. */
function sabPolicy(): AccessPolicy {
  const buffers = new WeakMap<object, number>();
  let next = 1;
  return {
    locate(target, part, key) {
      if (part !== "element" || !types.isTypedArray(target) || !types.isSharedArrayBuffer(target.buffer)) return null;
      let id = buffers.get(target.buffer);
      if (id === undefined) buffers.set(target.buffer, (id = next++));
      const index = key as number;
      return { location: `sab#${id}@${target.byteOffset + index * target.BYTES_PER_ELEMENT}`, label: `${target.constructor.name}[${index}]` };
    },
  };
}

/** Runs instrumented `source` with a runtime of `policy` standing in as the isolate's; returns its accesses. */
async function recordWith(policy: AccessPolicy, source: string): Promise<string[]> {
  const registry = globalThis as unknown as Record<symbol, unknown>;
  const key = Symbol.for(ACCESS_KEY);
  const installed = registry[key];
  const runtime = createAccessRuntime(policy);
  const accesses: Access[] = [];
  registry[key] = runtime;
  try {
    runtime.setSink((access) => accesses.push(access));
    const outcome = await run(instrumentFixture(source).code);
    if (outcome.error !== undefined) throw new Error(`fixture failed: ${JSON.stringify(outcome.error)}`);
  } finally {
    registry[key] = installed;
  }
  return accesses.map((a) => `${a.op} ${a.location} ${a.label} ${a.value}`);
}

describe("location policies", () => {
  test("a worker-style policy records only shared typed-array elements, methods element by element", async () => {
    let asked = 0;
    const policy = sabPolicy();
    const counted: AccessPolicy = {
      locate: (target, part, key) => (asked++, policy.locate(target, part, key)),
    };

    const accesses = await recordWith(counted, lines(
      "const sab = new SharedArrayBuffer(16);",
      "const t = new Int32Array(sab), view = new Int32Array(sab, 8), local = new Int32Array(4);",
      "t[1] = 5; t[2]; view[1] += 3; local[0] = 1; t.fill(7, 3);",
      "const o = { x: 1 }; o.x = t[1];",
    ));

    expect(accesses).toEqual([
      "write sab#1@4 Int32Array[1] 5",
      "read sab#1@8 Int32Array[2] 0",
      "read sab#1@12 Int32Array[1] 0", "write sab#1@12 Int32Array[1] 3",
      "write sab#1@12 Int32Array[3] 7",
      "read sab#1@4 Int32Array[1] 5",
    ]);
    expect(asked).toBeGreaterThan(accesses.length); // The policy saw the rest, and said null.
  });

  test("the task policy is the default, and the first runtime installed wins", () => {
    const installed = getAccessRuntime();

    expect(installAccessRuntime(createAccessRuntime(sabPolicy()))).toBe(installed);
    expect(installAccessRecorder(sabPolicy())).toBe(installed);
  });
});

describe("values", () => {
  test("reads carry the value read, writes the value written", async () => {
    const accesses = await recordFull(lines(
      "class Counter {}",
      "const o = { n: 1 };",
      "o.n += 2; o.s = 'x'.repeat(50); o.b = 1n; o.z = null; o.u = undefined; o.c = new Counter();",
      "o.f = function named() {}; o.t = true; o.m = -0; o.y = Symbol('s'); o.a = [1]; delete o.n;",
      "new Map().set('k', o.t);",
    ));

    expect(accesses.filter((a) => a.location.startsWith("Object#")).map((a) => `${a.op} ${a.label} ${a.value}`)).toEqual([
      "read Object.n 1", "write Object.n 3", `write Object.s "${"x".repeat(40)}…"`, "write Object.b 1n",
      "write Object.z null", "write Object.u undefined", "write Object.c Counter", "write Object.f [Function named]",
      "write Object.t true", "write Object.m -0", "write Object.y Symbol(s)", "write Object.a Array", "write Object.n undefined",
      "read Object.t true",
    ]);
    expect(accesses.find((a) => a.location.endsWith('[key:"k"]'))).toMatchObject({ op: "write", value: "true" });
  });

  test("rendering runs no user code: proxies and objects with getters are named, not asked", () => {
    const trap = new Proxy(function f() {}, { get: () => { throw new Error("trap"); }, getOwnPropertyDescriptor: () => { throw new Error("trap"); } });

    expect(renderValue(trap)).toBe("Proxy");
    expect(renderValue({ get name() { throw new Error("getter"); } })).toBe("Object");
    expect(renderValue(Object.create(null))).toBe("Object");
    expect(renderValue(() => 1)).toBe("[Function anonymous]");
  });
});

describe("registry of access-instrumented files", () => {
  test("each instrumented file registers itself once, when it runs", async () => {
    const filename = fixtureName();
    const { code } = instrumentFixture("const o = {}; o.x = 1;", {}, filename);
    const url = `file://${filename}`;

    expect(accessInstrumentedFiles()).not.toContain(url);
    await run(code);
    await run(code);

    expect([...accessInstrumentedFiles()].filter((file) => file === url)).toEqual([url]);
  });
});
