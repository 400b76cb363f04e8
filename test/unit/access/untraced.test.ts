/**
 * What traced code records of the code it calls: nothing for traced functions (their own accesses
 * are recorded), modelled builtins and interlace's locks; one write of the outside world (`*`),
 * named by where the code comes from, for everything whose effects are not observed — a package,
 * Node's own JavaScript, native code (a native addon included). And shared variables: a binding
 * used from another function than its own is recorded like a property.
 */
import { EventEmitter } from "node:events";
import Database from "better-sqlite3";
import picomatch from "picomatch";
import { afterAll, afterEach, describe, expect, test } from "vitest";
import { setAccessSink } from "../../../src/access/recorder.js";
import { releaseFunctionOrigins } from "../../../src/access/function-origin.js";
import { Mutex } from "../../../src/sync/mutex.js";
import type { Access } from "../../../src/strategies/access.js";
import { forms, lines, recordFull, sameBehaviour } from "./helpers.js";

const deps = { EventEmitter, Database, picomatch, Mutex };
(globalThis as unknown as { deps: typeof deps }).deps = deps;

afterEach(() => setAccessSink(null));
afterAll(() => releaseFunctionOrigins());

const worlds = (accesses: Access[]): string[] => accesses.filter((a) => a.location === "*").map((a) => `${a.origin}: ${a.label}`);

describe("calls out of traced code", () => {
  test("a package function is an untraced effect named by its package (picomatch)", async () => {
    const accesses = await recordFull("const isJs = deps.picomatch('*.js'); return isJs('a.js');");
    // The matcher it returns is the package's code too.
    expect(worlds(accesses)).toEqual(["picomatch: untraced picomatch: picomatch", "picomatch: untraced picomatch: matcher"]);
    expect(accesses.find((a) => a.location === "*")).toMatchObject({ op: "write" });
  });

  test("Node's own JavaScript (EventEmitter) is an untraced effect named node:events", async () => {
    const accesses = await recordFull(lines(
      "const e = new deps.EventEmitter();",
      "e.on('x', () => log.push(1));",
      "e.emit('x');",
    ));
    expect(worlds(accesses)).toEqual([
      "node:events: untraced node:events: EventEmitter",
      "node:events: untraced node:events: addListener", // `on` is the same function
      "node:events: untraced node:events: emit",
    ]);
  });

  test("a native addon (better-sqlite3): its SQL statements are resource accesses; its other calls stay untraced effects", async () => {
    const accesses = await recordFull(lines(
      "const db = new deps.Database(':memory:');",
      "db.exec('CREATE TABLE c (n INTEGER)');",
      "const row = db.prepare('SELECT 1 AS one').get();",
      "db.close();",
      "return row.one;",
    ));
    // The constructor and close() are the package's JavaScript: not modelled.
    expect(worlds(accesses)).toEqual(["better-sqlite3: untraced better-sqlite3: Database", "better-sqlite3: untraced better-sqlite3: close"]);
    // CREATE TABLE writes the table (of this in-memory database); SELECT 1 reads no table at all.
    expect(accesses.filter((a) => a.location.startsWith("sql:")).map((a) => `${a.op} ${a.location}`)).toEqual(["write sql:memory:Database#2/c"]);
  });

  test("JSON.stringify reads what it is given without recording it: an untraced effect", async () => {
    expect(worlds(await recordFull("const o = { a: 1 }; return JSON.stringify(o);"))).toEqual(["native: untraced native code: stringify"]);
  });

  test("traced functions, pure ones included, modelled builtins and interlace's Mutex record no untraced effect", async () => {
    const accesses = await recordFull(lines(
      "function add(a, b) { return a + b; }", // no instrumentation in its text: found traced by where V8 says it is
      "const twice = (f, x) => f(f(x));",
      "const m = new deps.Mutex('m');",
      "m.tryLock(); m.unlock();",
      "const xs = [3, 1, 2].map((x) => add(x, 1)).sort();",
      "return [Math.max(...xs), String(twice((x) => x * 2, 1)), add.call(null, 1, 2), 'a,b'.split(','), new Map([[1, 2]]).get(1)];",
    ));
    expect(worlds(accesses)).toEqual([]);
    expect(accesses.length).toBeGreaterThan(0);
  });

  test("fn.call and fn.apply are judged by the function they call", async () => {
    expect(worlds(await recordFull("return deps.picomatch.call(null, '*.ts')('a.ts');"))).toEqual(["picomatch: untraced picomatch: picomatch", "picomatch: untraced picomatch: matcher"]);
  });

  test("plain and new calls keep their meaning (this, new.target, results, errors)", async () => {
    const { outcome } = await sameBehaviour(lines(
      "'use strict';",
      "function who() { return this === undefined ? 'undefined' : typeof this; }",
      "class A { constructor(x) { this.x = x; this.t = new.target === A; } }",
      "const f = (0, { who }.who);",
      "let thrown = '';",
      "try { (() => { throw new RangeError('r'); })(); } catch (e) { thrown = e.name; }",
      "return [who(), f(), new A(2).x, new A(3).t, thrown, String.raw`a${1}b`];",
    ));
    expect(outcome.value).toEqual(["undefined", "undefined", 2, true, "RangeError", "a1b"]);
  });
});

describe("shared variables", () => {
  test("a variable read and written from another function is recorded, with its name and values", async () => {
    const accesses = await recordFull(lines(
      "let balance = 100;",
      "const withdraw = (n) => { const b = balance; balance = b - n; };",
      "withdraw(30);",
      "return balance;",
    ));
    const vars = accesses.filter((a) => /^case\d+\.js:/.test(a.location));
    expect(vars.map((a) => `${a.op} ${a.label} ${a.value}`)).toEqual(["read balance 100", "write balance 70", "read balance 70"]);
    expect(new Set(vars.map((a) => a.location)).size).toBe(1);
  });

  test("compound, update, destructuring and for-of writes record reads and writes; constants and locals record nothing", async () => {
    const accesses = await recordFull(lines(
      "let n = 0; let m = 0; const k = 5;",
      "const bump = () => { n += k; n++; [m] = [n]; for (m of [1, 2]) {} let own = 0; own++; return own; };",
      "bump();",
    ));
    const vars = accesses.filter((a) => /^case\d+\.js:/.test(a.location)).map((a) => `${a.op} ${a.label}`);
    expect(vars).toEqual([
      "read n", "write n", // n += k
      "read n", "write n", // n++
      "read n", "write m", // [m] = [n]: n read as a value, m written by the pattern
      "write m", "write m", // for (m of [1, 2])
    ]);
  });

  test("the forms: reads wrap the identifier, writes the whole assignment; shorthand properties keep their key", () => {
    const code = forms(lines(
      "let x = 0;",
      "const f = () => { x = x + 1; x += 2; x++; return { x }; };",
    ), { module: true });
    expect(code).toContain("__ila.w(x = __ila.v(x, __ilaF, 0) + 1, __ilaF, 0)");
    expect(code).toContain("__ila.w(x += (__ila.R(__ilaF, 0), 2), __ilaF, 0)");
    expect(code).toContain("__ila.V(__ilaF, 0, 3, x++)");
    expect(code).toContain("{ x: __ila.v(x, __ilaF, 0) }");
  });

  test("instrumented variable forms behave like the original (TDZ errors, ASI, closures, exports)", async () => {
    await sameBehaviour(lines(
      "let count = 0",
      "const inc = () => count++",
      "inc()",
      "inc()",
      "let t; try { (() => late)(); } catch (e) { t = e.name } let late = 1;",
      "const make = () => { let c = 0; return [() => ++c, () => c]; };",
      "const [plus, get] = make(); plus(); plus();",
      "return [count, t, get(), ((x = count) => x)()];",
    ));
  });
});

describe("membership checks", () => {
  test("k in o, o.hasOwnProperty(k), Object.hasOwn(o, k) and hasOwnProperty.call(o, k) read o[k]", async () => {
    const accesses = await recordFull(lines(
      "const cache = { a: 1 };",
      "const seen = ['a' in cache, 'b' in cache, cache.hasOwnProperty('a'), Object.hasOwn(cache, 'a'), Object.prototype.hasOwnProperty.call(cache, 'z')];",
      "return seen;",
    ));
    expect(accesses.filter((a) => a.location.startsWith("Object#1.")).map((a) => `${a.op} ${a.label}`)).toEqual([
      "read Object.a", "read Object.b", "read Object.hasOwnProperty", "read Object.a", "read Object.a", "read Object.z",
    ]);
    expect(worlds(accesses)).toEqual([]);
  });

  test("the in form keeps precedence and evaluation order, and throws as natively on a primitive", async () => {
    expect(forms("a in b in c", { module: true })).toBe("__ila.I(__ila.I(a , b) , c)");
    const { outcome } = await sameBehaviour(lines(
      "const o = { x: 1 };",
      "const order = [];",
      "const k = () => (order.push('k'), 'x'); const t = () => (order.push('t'), o);",
      "let thrown = ''; try { 'x' in 5; } catch (e) { thrown = e.name; }",
      "return [k() in t(), !('y' in o), 0 in [7], thrown, order];",
    ));
    expect(outcome.value).toEqual([true, true, true, "TypeError", ["k", "t"]]);
  });
});

describe("packageOf", () => {
  test("the innermost package of a path, scoped names included", async () => {
    const { packageOf } = await import("../../../src/access/callees.js");
    expect(packageOf("/app/node_modules/cache-manager/node_modules/lru-cache/dist/index.js")).toBe("lru-cache");
    expect(packageOf("/app/node_modules/@scope/pkg/lib/a.js")).toBe("@scope/pkg");
    expect(packageOf("C:\\app\\node_modules\\p-memoize\\dist\\index.js")).toBe("p-memoize");
    expect(packageOf("/app/src/node_modules.js")).toBeNull();
    expect(packageOf("/app/src/a.js")).toBeNull();
  });
});
