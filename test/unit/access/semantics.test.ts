/**
 * The instrumented code behaves as the original: same results, same side effects in the same
 * order, same errors — without a sink and while recording.
 */
import { afterEach, describe, expect, test } from "vitest";
import { setAccessSink } from "../../../src/access/recorder.js";
import { lines, sameBehaviour } from "./helpers.js";

afterEach(() => setAccessSink(null));


describe("instrumented code behaves as the original", () => {
  test("getters and setters with side effects, every assignment form", async () => {
    const { outcome } = await sameBehaviour(lines(
      "const o = { _v: 1, get v() { log.push('get'); return this._v; }, set v(x) { log.push('set ' + x); this._v = x; } };",
      "log.push(o.v); log.push(o.v = 5); log.push(o.v += 2); log.push(o.v -= 1); log.push(o['v'] *= 3);",
      "log.push(o.v++, o.v--, ++o.v, --o.v);",
      "log.push(o.v ||= 9, o.v &&= 0, o.v ||= 4, o.v ??= 7);",
      "log.push(delete o._v, o.v, delete o.nothing);",
      "return o._v;",
    ));
    expect(outcome.log).toContain("set 5");
  });

  test("every compound operator, with strings, BigInts and coercions", async () => {
    await sameBehaviour(lines(
      "const o = { n: 7, s: 'a', b: 5n, x: { valueOf() { log.push('valueOf'); return 3; } } };",
      "const out = [];",
      "o.n += 1; out.push(o.n); o.n -= 2; out.push(o.n); o.n *= 3; out.push(o.n); o.n /= 4; out.push(o.n);",
      "o.n %= 2; out.push(o.n); o.n = 3; o.n **= 3; out.push(o.n); o.n <<= 2; out.push(o.n); o.n >>= 1; out.push(o.n);",
      "o.n = -9; o.n >>>= 28; out.push(o.n); o.n &= 6; out.push(o.n); o.n |= 9; out.push(o.n); o.n ^= 5; out.push(o.n);",
      "o.s += 1; o.s += o.x; out.push(o.s); o.b *= 2n; o.b **= 2n; out.push(String(o.b));",
      "o.x += 1; out.push(o.x);",
      "return out;",
    ));
  });

  test("prefix and postfix updates return what the original returns", async () => {
    const { outcome } = await sameBehaviour(lines(
      "const o = { s: '5', b: 1n, u: undefined, obj: { valueOf() { log.push('valueOf'); return 10; } }, n: null };",
      "return [o.s++, o.s, ++o.s, String(o.b++), String(--o.b), o.u++, o.u, o.obj--, o.obj, ++o.n, o.n, o['s']--, o.s];",
    ));
    expect((outcome.value as unknown[])[0]).toBe(5);
  });

  test("each operand is evaluated once, in order: o()[k()] = v() and friends", async () => {
    const { outcome } = await sameBehaviour(lines(
      "const f = (name, value) => (log.push(name), value);",
      "const target = { get p() { log.push('get p'); return 1; }, set p(v) { log.push('set p ' + v); } };",
      "f('o1', target)[f('k1', 'p')] = f('v1', 10);",
      "f('o2', target)[f('k2', 'p')] += f('v2', 20);",
      "f('o3', target)[f('k3', 'p')]++;",
      "f('o4', target)[f('k4', 'p')] ||= f('v4', 40);",
      "f('o5', target)[f('k5', 'p')] &&= f('v5', 50);",
      "f('o6', { m(...a) { log.push(a); } })[f('k6', 'm')](f('a6', 1), f('b6', 2));",
      "const withGetter = { get m() { log.push('lookup m'); return () => log.push('called'); } };",
      "withGetter.m(f('arg', 0));",
      "delete f('o7', {})[f('k7', 'p')];",
      "return log.length;",
    ));
    expect(outcome.log.slice(0, 4)).toEqual(["o1", "k1", "v1", "set p 10"]);
    expect(outcome.log).toContain("lookup m");
    expect(outcome.log.indexOf("lookup m")).toBeLessThan(outcome.log.indexOf("arg"));
  });

  test("object keys are converted as often as V8 converts them (once per read, once per write)", async () => {
    const { outcome } = await sameBehaviour(lines(
      "const key = { toString() { log.push('toString'); return 'p'; } };",
      "const o = { p: 1, m() { return this === o; } };",
      "log.push('read'); o[key];",
      "log.push('assign'); o[key] = 2;",
      "log.push('compound'); o[key] += 1;",
      "log.push('update'); o[key]++;",
      "log.push('logical'); o[key] ||= 5; o[key] &&= 6;",
      "log.push('call'); log.push(o[{ toString() { log.push('toString m'); return 'm'; } }]());",
      "log.push('delete'); delete o[key];",
      "return Object.keys(o);",
    ));
    // read 1, assign 1, compound 2, update 2, ||= on a truthy value 1, &&= 2, delete 1.
    expect(outcome.log.filter((entry) => entry === "toString")).toHaveLength(10);
  });

  test("this in method calls: plain, computed, parenthesized, optional, tagged, with a getter", async () => {
    const { outcome } = await sameBehaviour(lines(
      "const o = { m() { return this === o; }, get g() { return this === o; }, t(strings) { return this === o && strings[0]; } };",
      "const k = 'm';",
      "return [o.m(), o[k](), (o.m)(), o?.m(), o.m?.(), o?.[k]?.(), o.g, o.t`x`, (0, o.m)(), [o][0].m()];",
    ));
    expect(outcome.value).toEqual([true, true, true, true, true, true, true, "x", false, true]);
  });

  test("optional chaining short-circuits the whole chain, and nothing after the ?. is evaluated", async () => {
    const { outcome } = await sameBehaviour(lines(
      "const f = (name, value) => (log.push(name), value);",
      "const n = null;",
      "const o = { a: { b: { c: () => 'c' } }, m() { return this; } };",
      "return [",
      "  n?.a.b.c, n?.[f('k', 'a')].b, n?.m(f('arg', 1)).x, o?.a.b.c(), o.a?.b?.c?.(), o.z?.b.c, o.z?.(), o?.m().a.b.c(),",
      "  o.m?.() === o, (o?.a).b === o.a.b, delete n?.x, delete o?.a.b, o.a.b, o?.[f('k2', 'a')]?.b === o.a.b,",
      "];",
    ));
    expect(outcome.log).toEqual(["k2"]);
  });

  test("errors: same type; V8's messages where it does not quote the rewritten code", async () => {
    for (const expression of ["null.p", "undefined[0]", "null.p = 1", "undefined.x += 1", "null.m()", "null.p++", "delete null.p"]) {
      const { outcome } = await sameBehaviour(`return ${expression};`, { messages: true });
      expect(outcome.error?.name, expression).toBe("TypeError");
    }
    for (const expression of ["({}).m()", "({}).a.b", "({}).a.b?.c", "(void 0)?.a.b ?? ({}).x.y"]) {
      const { outcome } = await sameBehaviour(`return ${expression};`);
      expect(outcome.error?.name, expression).toBe("TypeError");
    }
  });

  test("sloppy code ignores failed writes and deletes; strict code throws", async () => {
    const fixture = lines(
      "const o = Object.freeze({ p: 1 });",
      "try { o.p = 2; log.push('assigned'); } catch (e) { log.push(e.name); }",
      "try { o.p += 2; log.push('compounded'); } catch (e) { log.push(e.name); }",
      "try { o.p++; log.push('updated'); } catch (e) { log.push(e.name); }",
      "try { log.push(delete o.p); } catch (e) { log.push(e.name); }",
      "try { 'str'.x = 1; log.push('primitive'); } catch (e) { log.push(e.name); }",
      "try { o.q ??= 1; log.push('logical'); } catch (e) { log.push(e.name); }",
      "return o.p;",
    );
    const sloppy = await sameBehaviour(fixture);
    expect(sloppy.outcome.log).toEqual(["assigned", "compounded", "updated", false, "primitive", "logical"]);
    const strict = await sameBehaviour(`"use strict";\n${fixture}`);
    expect(strict.outcome.log).toEqual(Array(6).fill("TypeError"));
    expect(strict.code).toContain("__ila.s(");
    expect(sloppy.code).toContain("__ila.S(");
  });

  test("private fields, private methods, static privates and brand checks", async () => {
    await sameBehaviour(lines(
      "class Counter {",
      "  #count = 0; static #made = 0; #log = [];",
      "  constructor() { Counter.#made++; }",
      "  #bump(by) { this.#count += by; return this.#count; }",
      "  get count() { return this.#count; }",
      "  inc() { this.#log.push('inc'); return this.#bump(1); }",
      "  copy(other) { other.#count = this.#count; other.#count++; return #count in other && other.#count; }",
      "  reset() { this.#count ||= 0; this.#count &&= 0; this.#count ??= 5; return this.#count; }",
      "  static made() { return Counter.#made; }",
      "}",
      "const a = new Counter(); const b = new Counter();",
      "return [a.inc(), a.inc(), a.count, a.copy(b), b.count, a.reset(), Counter.made()];",
    ));
  });

  test("destructuring assignments to members, iteration sources and declarations", async () => {
    await sameBehaviour(lines(
      "const o = { set s(v) { log.push('set s ' + v); } };",
      "const src = { a: 1, b: 2, get c() { log.push('get c'); return 3; } };",
      "[o.x, o['y'], o.s = 'dflt'] = [1, 2];",
      "({ a: o.a, c: o.c, ...o.rest } = src);",
      "for (o.last of [7, 8]) log.push(o.last);",
      "const { a, c, z = 9 } = src;",
      "const [first, ...others] = new Set([1, 2, 3]);",
      "const m = new Map([['k', 1]]);",
      "for (const [key, value] of m) log.push(key, value);",
      "return [o.x, o.y, o.a, o.c, o.rest, o.last, a, c, z, first, others, [...m.keys()], Math.max(...[1, 5])];",
    ));
  });

  test("no form starts with a parenthesis: statements without semicolons keep their meaning (ASI)", async () => {
    await sameBehaviour(lines(
      "const o = { p: 0, q: 1, r: { s: 1 } }",
      "const f = () => (x) => log.push('called with ' + x)",
      "f()",
      "o.p ||= 2",
      "f()",
      "delete o?.q",
      "f()",
      "o.r.s &&= 3",
      "f()",
      "++o.p",
      "return [o, !delete o?.z, typeof delete o?.r]",
    ));
  });

  test("sequence expressions, parentheses, comments and line breaks inside members", async () => {
    await sameBehaviour(lines(
      "const o = { p: { q: 1 }, m() { return this.p; } };",
      "const k = 'p';",
      "o.r = (log.push('seq'), 2);",
      "(o).s = (o.p).q;",
      "o[(k)].q += (1, 2);",
      "o /* c */ . /* d */ p",
      "  .q++;",
      "const v = o",
      "  .m()",
      "  .q;",
      "return [o.r, o.s, o.p.q, v, (o.p, o.r), typeof o.p.q, 'p' in o];",
    ));
  });

  test("new with a member callee, classes with static members, super and import-free code", async () => {
    await sameBehaviour(lines(
      "const ns = { Point: class { constructor(x) { this.x = x; } } };",
      "class Base { get who() { return 'base'; } static make() { return new this(); } hello() { return 'hi ' + this.who; } }",
      "class Child extends Base { static count = 0; hello() { Child.count++; return super.hello() + '/' + super.who; } }",
      "return [new ns.Point(3).x, new ns.Point, Child.make().hello(), Child.count, Base.make() instanceof Base];",
    ));
  });

  test("await between a compound assignment's read and write: the original's lost update", async () => {
    const { outcome, accesses } = await sameBehaviour(lines(
      "const o = { p: 1 };",
      "const task = (async () => { o.p += await Promise.resolve(10); })();",
      "o.p = 100;",
      "return task.then(() => o.p);",
    ));
    expect(outcome.value).toBe(11);
    const onP = accesses.filter((a) => a.label === "Object.p").map((a) => a.op);
    // The task's read, main's write, the task's write after the await, the final read.
    expect(onP).toEqual(["read", "write", "write", "read"]);
  });

  test("TypeScript input: annotations, as, satisfies, non-null, generics, enums, parameter properties", async () => {
    const { code } = await sameBehaviour(
      lines(
        "enum Color { Red = 1, Green = Red * 2 }",
        "const enum Size { S = 1, L = 3 }",
        "interface Box<T> { value: T; next?: Box<T> }",
        "class Store<T> { constructor(public items: T[] = []) {} add(item: T): number { return this.items.push(item); } }",
        "const box: Box<number> = { value: 1, next: { value: 2 } };",
        "const s = new Store<number>();",
        "s.add(box.next!.value);",
        "(box.next as Box<number>).value += 1;",
        "box.next!.value++;",
        "(box.value as number) = 5;",
        "const total = (box satisfies Box<number>).value + box.next?.value!;",
        "const get = <T,>(b: Box<T>): T => b.value;",
        "const call = { m(this: unknown) { return this === call; } };",
        "const chained: { a?: { b?: { c: number } } } | undefined = undefined;",
        "const thisKept = [call.m!(), (call.m as () => boolean)(), call.m<number>?.(), (call as typeof call).m(), call?.m!()];",
        "return [s.items, total, get<number>(box), Color.Green, Size.L, s.add<number>?.(4), thisKept, chained?.a!.b!.c];",
      ),
      { ts: true },
    );
    expect(code).toContain("Size.L");
    expect(code).toContain("__ila.M(s, \"add\").add(");
  });

  test("module code is strict, with top-level await", async () => {
    const { code, outcome } = await sameBehaviour(
      lines(
        "const o = Object.freeze({ p: 1 });",
        "try { o.p = 2; } catch (e) { log.push(e.name); }",
        "log.push(await Promise.resolve(o.p));",
      ),
      { module: true },
    );
    expect(outcome.log).toEqual(["TypeError", 1]);
    expect(code).toContain('__ila.s(o, "p" , 2)');
  });
});
