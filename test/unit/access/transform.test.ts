/** The forms the access transform writes, what it leaves alone, and where the preamble goes. */
import { describe, expect, test } from "vitest";
import { instrumentAccesses } from "../../../src/access/transform.js";
import { forms, instrumentFixture } from "./helpers.js";

const PREAMBLE = /^var __ila=globalThis\[globalThis\.Symbol\.for\("interlace\.access\.v1"\)\]\?\?\(\(\)=>\{throw globalThis\.Error\("[^"]+"\)\}\)\(\);var __ilaF=__ila\.f\("file:\/\/[^"]+",\[[^\]]*\]\);/;

/** Instruments module code (strict) and drops the preamble. */
const strict = (source: string): string => forms(source, { module: true });

describe("instrumentAccesses: forms", () => {
  test.each([
    ["o.p", '__ila.g(o, "p")'],
    ["o[k]", "__ila.g(o, k)"],
    ["a.b.c", '__ila.g(__ila.g(a, "b"), "c")'],
    ["o.p = v", '__ila.s(o, "p" , v)'],
    ["o[k] = v", "__ila.s(o, k , v)"],
    ["o.p += v", '__ila.c(o, "p") .w("+", v)'],
    ["o[k] >>>= v", '__ila.c(o, k) .w(">>>", v)'],
    ["o.p ||= v", '__ila.l(o, "p", "||")  ? __ila.y().v : __ila.y().w("=", v)'],
    ["o.p ??= v", '__ila.l(o, "p", "??")  ? __ila.y().v : __ila.y().w("=", v)'],
    ["o.p++", '__ila.u(o, "p", "++", 0)'],
    ["--o[k]", '__ila.u(o, k, "--", 1)'],
    ["delete o.p", '__ila.d( o, "p")'],
    ["o.m(a)", '__ila.M(o, "m").m(a)'],
    ["o[k](a)", "__ila.M(o, k)[__ila.K()](a)"],
    ["o.t`x`", '__ila.M(o, "t").t`x`'],
    ["new o.C(a)", 'new (__ila.n(__ila.g(o, "C")))(a)'],
    ["new C(a)", "new (__ila.n(C))(a)"],
    ["f(a)", "__ila.k(f)(a)"],
    ["(0, o.f)(a)", '(__ila.k((0, __ila.g(o, "f"))))(a)'],
    ["(function () {})()", "(function () {})()"],
    ["f`x`", "__ila.k(f)`x`"],
    ["o?.p.q", '__ila.h(o).n()?.g("p").g("q").v'],
    ["o.m?.()", '__ila.h(o).g("m").n()?.c().v'],
    ["o?.[k]?.(1)", "__ila.h(o).n()?.g(k).n()?.c(1).v"],
    ["delete o?.p", '! __ila.h(o).n()?.d("p")'],
    ["[o.p, o[k]] = a", '[__ila.x(o, "p", 2).p, __ila.x(o, k, 2)[__ila.K()]] = __ila.i(a)'],
    ["(o.p) = v", '(__ila.x(o, "p", 2).p) = v'],
    ["({ a, 'b c': b, [k]: c } = o)", '({ a, \'b c\': b, [k]: c } = __ila.r(o, "a", "b c"))'],
    ["for (const x of xs);", "for (const x of __ila.i(xs));"],
    ["f(...xs, [...ys], { ...zs })", "__ila.k(f)(...__ila.i(xs), [...__ila.i(ys)], { ...zs })"],
    ["o.p = (a, b)", '__ila.s(o, "p" , (a, b))'],
  ])("%s", (source, expected) => {
    expect(strict(source)).toBe(expected);
  });

  test("private fields: through this the write is recorded once its value is known; methods are left alone", () => {
    const out = strict("class A { #f = 0; #m() {} go(o) { this.#f = o.#f; this.#f += 1; o.#f++; this.#m(); return #f in o; } }");
    expect(out).toBe(
      'class A { #f = 0; #m() {} go(o) { this.#f = __ila.q(__ila.p(o, "#f", 1).#f, this, "#f"); ' +
        '__ila.p(this, "#f", 1).#f += __ila.q(1, this, "#f"); __ila.p(o, "#f", 3).#f++; this.#m(); return #f in o; } }',
    );
  });

  test("sloppy code gets the variants that ignore failed writes; a 'use strict' function the strict ones", () => {
    const out = forms("o.p = 1; o.p += 1; o.p ||= 1; o.p++; delete o.p; function f() { 'use strict'; o.q = 1; }");
    expect(out).toBe(
      '__ila.S(o, "p" , 1); __ila.C(o, "p") .w("+", 1); __ila.L(o, "p", "||")  ? __ila.y().v : __ila.y().w("=", 1); ' +
        '__ila.U(o, "p", "++", 0); __ila.D( o, "p"); function f() { \'use strict\'; __ila.s(o, "q" , 1); }',
    );
    expect(forms("class C { m() { o.p = 1; } }")).toBe('class C { m() { __ila.s(o, "p" , 1); } }');
  });

  test("left alone: super, import.meta, new.target, arguments, typeof of a name, const enums, types", () => {
    const source = [
      "class B extends A { m() { super.x = super.y; super.m(); return new.target?.name; } }",
      "function f() { return arguments[0] + arguments.length; }",
      "const u = import.meta.url; const t = typeof x;",
    ].join("\n");
    expect(strict(source)).toBe(source);
    const ts = "const enum E { A = 1 }\nenum F { B = E.A }\nlet n: typeof o.p = E.A;\ninterface I { p: O['q'] }";
    expect(forms(ts, { ts: true, module: true })).toBe(ts);
  });

  test("TypeScript wrappers keep this for callees and let targets be written natively", () => {
    expect(forms("o.m!(); (o.m as F)(); o.m<T>?.(); (o.p as number) = 1; o.q! += 1; a?.b!.c", { ts: true, module: true })).toBe(
      '__ila.M(o, "m").m!(); (__ila.M(o, "m").m as F)(); __ila.M(o, "m").m<T>?.(); (__ila.x(o, "p", 2).p as number) = 1; ' +
        '__ila.x(o, "q", 3).q! += 1; __ila.h(a).n()?.g("b")!.g("c").v',
    );
  });

  test("JSX: member tags stay, expressions are instrumented", () => {
    const out = instrumentAccesses("const el = <ui.Button label={props.label} />;", { filename: "/x.jsx", format: "module" });
    expect(out.code.replace(PREAMBLE, "")).toBe('const el = <ui.Button label={__ila.g(props, "label")} />;');
  });

  test("optional chains that need a this they cannot carry are left native, their parts instrumented", () => {
    expect(strict("(a?.b)(o.p); class C extends B { m() { super.m?.(o.q); } }")).toBe(
      '(a?.b)(__ila.g(o, "p")); class C extends B { m() { super.m?.(__ila.g(o, "q")); } }',
    );
  });
});

describe("instrumentAccesses: file layout", () => {
  test("the preamble goes on line 1, after a directive prologue or a hashbang line, adding no line", () => {
    expect(instrumentFixture("o.p;").code).toMatch(new RegExp(`${PREAMBLE.source}__ila\\.g`));
    const directive = instrumentFixture('"use strict"\no.p;').code;
    expect(directive.split("\n")[0]).toMatch(new RegExp(`^"use strict";${PREAMBLE.source.slice(1)}$`));
    const hashbang = instrumentFixture("#!/usr/bin/env node\no.p;").code.split("\n");
    expect(hashbang[0]).toBe("#!/usr/bin/env node");
    expect(hashbang[1]).toMatch(PREAMBLE);
  });

  test("every line stays on its line", () => {
    const source = [
      "const o = {",
      "  p: a",
      "    .b",
      "    .c(d),",
      "};",
      "o /* x */",
      "  [k] += o",
      "  ?.q",
      "  ?.(1);",
      "`${o.p}",
      "${o.q}`;",
    ].join("\n");
    const { code } = instrumentFixture(source);
    const original = source.split("\n");
    const instrumented = code.split("\n");
    expect(instrumented).toHaveLength(original.length);
    instrumented.forEach((line, i) => {
      const words = (original[i] ?? "").match(/[A-Za-z]\w*/g) ?? [];
      for (const word of words) expect(line, `line ${i + 1}`).toContain(word);
    });
  });

  test("code without accesses is returned as is, without preamble", () => {
    const source = "let x = 1;\nx += 2 * x;\n";
    expect(instrumentFixture(source).code).toBe(source);
  });

  test("the inline input map comment is dropped (the returned map replaces it)", () => {
    const map = Buffer.from(JSON.stringify({ version: 3, sources: ["a.ts"], names: [], mappings: "AAAA" })).toString("base64");
    const { code } = instrumentFixture(`o.p;\n//# sourceMappingURL=data:application/json;base64,${map}\n`);
    expect(code).not.toContain("sourceMappingURL");
  });

  test("code that does not parse is a SyntaxError naming the file", () => {
    expect(() => instrumentAccesses("o.p = ;", { filename: "/bad.js", format: "module" })).toThrow(SyntaxError);
    expect(() => instrumentAccesses("o.p = ;", { filename: "/bad.js", format: "module" })).toThrow("/bad.js");
  });
});
