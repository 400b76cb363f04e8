/** What instrumented code records: locations, labels, collection effects, and the sinkless fast path. */
import { createContext, runInContext } from "node:vm";
import { afterEach, describe, expect, test } from "vitest";
import {
  ACCESS_KEY,
  MAX_ELEMENTS,
  getAccessRuntime,
  resetAccessIds,
  setAccessSink,
} from "../../../src/access/recorder.js";
import { instrumentFixture, lines, recordFull, recordedAccesses, run, sameBehaviour } from "./helpers.js";

afterEach(() => setAccessSink(null));


describe("recorded accesses", () => {
  test("c.value = c.value + 1 reads 0 then writes 1 at Counter#1.value, labelled Counter.value", async () => {
    const accesses = await recordFull(lines(
      "class Counter { value = 0; }",
      "const c = new Counter();",
      "c.value = c.value + 1;",
    ));
    expect(accesses).toEqual([
      { op: "read", location: "Counter#1.value", label: "Counter.value", value: "0" },
      { op: "write", location: "Counter#1.value", label: "Counter.value", value: "1" },
    ]);
  });

  test("compound, logical, update and delete forms record a read and/or a write", async () => {
    expect(await recordedAccesses(lines(
      "const o = { n: 1, s: null };",
      "o.n += 1; o.n++; o.s ??= 'x'; o.s ||= 'y'; delete o.n;",
    ))).toEqual([
      "read Object#1.n", "write Object#1.n",
      "read Object#1.n", "write Object#1.n",
      "read Object#1.s", "write Object#1.s",
      "read Object#1.s", // ||= on a truthy value: no write
      "write Object#1.n",
    ]);
  });

  test("locations: identifiers, indices, other strings, symbols, converted object keys", async () => {
    expect(await recordedAccesses(lines(
      "const o = {}; const u = Symbol('u');",
      "o.plain; o[0]; o['a b']; o[Symbol.iterator]; o[Symbol.for('k')]; o[u]; o[u];",
      "o[{ toString() { return 'conv'; } }]; o[1.5]; o[-0];",
    ))).toEqual([
      "read Object#1.plain", "read Object#1[0]", 'read Object#1["a b"]',
      // Reading Symbol.iterator is itself a property read (of the Symbol function).
      "read Symbol#2.iterator", "read Object#1[Symbol.iterator]",
      "read Symbol#2.for", 'read Object#1[Symbol.for("k")]',
      "read Object#1[Symbol(u)#3]", "read Object#1[Symbol(u)#3]",
      "read Object#1.conv", 'read Object#1["1.5"]', "read Object#1[0]",
    ]);
  });

  test("names: constructor name, Object for null prototypes, the class itself for statics, Proxy", async () => {
    const accesses = await recordFull(lines(
      "class Counter { static count = 0; }",
      "const bare = Object.create(null); bare.x = 1;",
      "Counter.count++;",
      "const p = new Proxy({}, {}); p.y = 2;",
      "const fn = function named() {}; fn.z;",
    ));
    expect(accesses.map((a) => `${a.op} ${a.location} ${a.label}`)).toEqual([
      "read Object#1.create Object.create", // The Object function, named by its own name.
      "write Object#2.x Object.x",
      "read Counter#3.count Counter.count", "write Counter#3.count Counter.count",
      "write Proxy#4.y Proxy.y",
      "read named#5.z named.z",
    ]);
  });

  test("ids are given in first-recorded order and restart with resetAccessIds", async () => {
    const fixture = "const a = {}, b = {}; b.x; a.x; b.y;";
    expect(await recordedAccesses(fixture)).toEqual(["read Object#1.x", "read Object#2.x", "read Object#1.y"]);
    expect(await recordedAccesses(fixture)).toEqual(["read Object#1.x", "read Object#2.x", "read Object#1.y"]);
  });

  test("private fields are locations of their own; private methods are not recorded", async () => {
    expect(await recordedAccesses(lines(
      "class Counter {",
      "  #count = 0;",
      "  #bump() { this.#count += 1; }",
      "  inc() { this.#bump(); return this.#count; }",
      "}",
      "new Counter().inc();",
    ))).toEqual(["read Counter#1.inc", "read Counter#1.#count", "write Counter#1.#count", "read Counter#1.#count"]);
  });

  test("method calls record the lookup; optional chains record each member link", async () => {
    expect(await recordedAccesses(lines(
      "const o = { a: { b: 1, m() { return this; } } };",
      "o.a.m(); o?.a.b; o.missing?.b.c; null?.a; o.a?.m?.();",
    ))).toEqual([
      "read Object#1.a", "read Object#2.m",
      "read Object#1.a", "read Object#2.b",
      "read Object#1.missing",
      "read Object#1.a", "read Object#2.m",
    ]);
  });

  test("destructuring: static keys of object patterns are read, member targets written, iteration read", async () => {
    expect(await recordedAccesses(lines(
      "const src = { a: 1, b: 2 }; const out = {}; const arr = [5, 6];",
      "const { a, b: renamed } = src;",
      "[out.first, out['second']] = arr;",
      "for (const x of arr) {}",
    ))).toEqual([
      "read Object#1.a", "read Object#1.b",
      "read Array#2.length", "read Array#2[0]", "read Array#2[1]", "write Object#3.first", "write Object#3.second",
      "read Array#2.length", "read Array#2[0]", "read Array#2[1]",
    ]);
  });
});

describe("collections", () => {
  test("map.set('a', 1) writes the map at key \"a\" (and its membership when the key is new)", async () => {
    expect(await recordedAccesses(lines(
      "const map = new Map();",
      "map.set('a', 1); map.set('a', 2); map.get('a'); map.has('b'); map.size;",
      "map.delete('b'); map.delete('a'); map.clear();",
    ))).toEqual([
      "read Map#1.set", 'write Map#1[key:"a"]', "write Map#1[*]",
      "read Map#1.set", 'write Map#1[key:"a"]',
      "read Map#1.get", 'read Map#1[key:"a"]',
      "read Map#1.has", 'read Map#1[key:"b"]',
      "read Map#1[*]",
      "read Map#1.delete", 'read Map#1[key:"b"]',
      "read Map#1.delete", 'write Map#1[key:"a"]', "write Map#1[*]",
      "read Map#1.clear", "read Map#1[*]",
    ]);
  });

  test("clear() writes every entry; iteration and forEach read membership and every entry", async () => {
    expect(await recordedAccesses(lines(
      "const set = new Set([1, 'x']);",
      "set.add(1); set.forEach(() => {}); [...set]; set.clear();",
    ))).toEqual([
      "read Set#1.add", "read Set#1[key:1]",
      "read Set#1.forEach", "read Set#1[*]", "read Set#1[key:1]", 'read Set#1[key:"x"]',
      "read Set#1[*]", "read Set#1[key:1]", 'read Set#1[key:"x"]',
      "read Set#1.clear", "write Set#1[*]", "write Set#1[key:1]", 'write Set#1[key:"x"]',
    ]);
  });

  test("keys are encoded by SameValueZero; weak collections have no membership location", async () => {
    expect(await recordedAccesses(lines(
      "const m = new Map(); const k = {}; const w = new WeakMap();",
      "m.get(-0); m.get(0); m.get(NaN); m.get(1n); m.get(null); m.get(undefined); m.get(true);",
      "w.set(k, 1); w.get(k); w.delete({});",
    ))).toEqual([
      "read Map#1.get", "read Map#1[key:0]", "read Map#1.get", "read Map#1[key:0]", "read Map#1.get", "read Map#1[key:NaN]",
      "read Map#1.get", "read Map#1[key:1n]", "read Map#1.get", "read Map#1[key:null]", "read Map#1.get",
      "read Map#1[key:undefined]", "read Map#1.get", "read Map#1[key:true]",
      "read WeakMap#2.set", "write WeakMap#2[key:Object#3]", "read WeakMap#2.get", "read WeakMap#2[key:Object#3]",
      "read WeakMap#2.delete", "read WeakMap#2[key:Object#4]",
    ]);
  });

  test("arr.push(x) writes the new element and the length", async () => {
    expect(await recordedAccesses("const arr = [1, 2]; arr.push(3);")).toEqual([
      "read Array#1.push", "write Array#1[2]", "write Array#1.length",
    ]);
  });

  test("array elements, length changes and index-based methods", async () => {
    expect(await recordedAccesses(lines(
      "const arr = [1, 2, 3];",
      "arr[0]; arr[3] = 4; arr.length = 2; arr.pop(); arr.at(-1); arr.slice(0, 1); arr.splice(0, 1, 9); arr.splice(0, 1);",
    ))).toEqual([
      "read Array#1[0]",
      "write Array#1[3]", "write Array#1.length",
      "write Array#1.length", "write Array#1[2]", "write Array#1[3]",
      "read Array#1.pop", "write Array#1[1]", "write Array#1.length",
      "read Array#1.at", "read Array#1.length", "read Array#1[0]",
      "read Array#1.slice", "read Array#1.length", "read Array#1[0]",
      "read Array#1.splice", "write Array#1[0]", "read Array#1.length",
      "read Array#1.splice", "write Array#1[0]", "write Array#1.length",
    ]);
  });

  test("whole-array methods read every element; sort writes every element", async () => {
    expect(await recordedAccesses("const arr = [2, 1]; arr.includes(1); arr.sort();")).toEqual([
      "read Array#1.includes", "read Array#1.length", "read Array#1[0]", "read Array#1[1]",
      "read Array#1.sort", "read Array#1.length", "write Array#1[0]", "write Array#1[1]",
    ]);
  });

  test("typed arrays: elements, fill and set ranges", async () => {
    expect(await recordedAccesses("const t = new Uint8Array(3); t[1] = 5; t.fill(1, 1); t.set([7], 2);")).toEqual([
      "write Uint8Array#1[1]",
      "read Uint8Array#1.fill", "write Uint8Array#1[1]", "write Uint8Array#1[2]",
      "read Uint8Array#1.set", "write Uint8Array#1[2]",
    ]);
  });

  test(`ranges longer than ${MAX_ELEMENTS} elements are one [*] location`, async () => {
    expect(await recordedAccesses(`const big = new Array(${MAX_ELEMENTS + 1}).fill(0); big.indexOf(1);`)).toEqual([
      "read Array#1.fill", "read Array#1.length", "write Array#1[*]",
      "read Array#1.indexOf", "read Array#1.length", "read Array#1[*]",
    ]);
  });

  test("collection methods keep their results and this; subclasses count; proxies run only their own traps", async () => {
    const { accesses } = await sameBehaviour(lines(
      "class Registry extends Map { register(k) { return this.set(k, this.size); } }",
      "const r = new Registry(); r.register('a'); r.register('b');",
      "const traps = new Proxy([1, 2], { get(t, k, rcv) { log.push(String(k)); return Reflect.get(t, k, rcv); } });",
      "traps.push(3);",
      "return [[...r], r.get('b'), traps.length, [1, 2, 3].map((x) => x * 2), new Set([1]).has(1)];",
    ));
    expect(accesses.map((a) => `${a.op} ${a.location}`)).toContain('write Registry#1[key:"b"]');
    expect(accesses.map((a) => `${a.op} ${a.location}`)).toContain("read Proxy#2.push");
  });
});

describe("runtime", () => {
  test("is registered on the global symbol registry when imported", () => {
    const registry = globalThis as unknown as Record<symbol, unknown>;
    expect(registry[Symbol.for(ACCESS_KEY)]).toBe(getAccessRuntime());
  });

  test("without a sink, helpers only do the operation: nothing is recorded, M returns the receiver", async () => {
    const accesses: unknown[] = [];
    setAccessSink((access) => accesses.push(access));
    setAccessSink(null);
    const { code } = instrumentFixture("const m = new Map(); m.set('a', 1); return m.get('a') + [1].length;");
    expect(await run(code)).toEqual({ value: 2, log: [] });
    expect(accesses).toEqual([]);
    const map = new Map();
    expect(getAccessRuntime().M(map, "get")).toBe(map);
    resetAccessIds();
  });

  test("instrumented code fails at once, with a clear error, where the recorder is not loaded", () => {
    const { code } = instrumentFixture("const o = {}; o.x = 1;");
    expect(() => runInContext(code, createContext({}))).toThrow("interlace: the access recorder is not loaded");
  });
});
