/**
 * The access transform: rewrites JavaScript or TypeScript source so that every property access
 * reports itself to the access runtime (`runtime.ts`, bound to `__ila` by a one-line preamble), for
 * partial-order reduction and explanations (`strategies/access.ts`). Like the task transform
 * (`tasks/transform.ts`, which applies these edits together with its gates when asked for
 * `accesses`), it edits with magic-string without ever adding or removing a line and returns an
 * exact source map, composed through the code's inline input map if any. What is tracked and what
 * is not: `README.md` of this folder.
 *
 * Forms (`__ila.X` in strict code; sloppy code gets the upper-case variant of s, c, l, u, d):
 *
 * | source                    | instrumented                                              |
 * | ------------------------- | --------------------------------------------------------- |
 * | `o.p`, `o[k]`             | `__ila.g(o, "p")`, `__ila.g(o, k)`                         |
 * | `o.p = v`                 | `__ila.s(o, "p", v)`                                       |
 * | `o.p += v` (any op)       | `__ila.c(o, "p").w("+", v)`                                |
 * | `o.p ??= v` (`\|\|=`, `&&=`) | `__ila.l(o, "p", "??") ? __ila.y().v : __ila.y().w("=", v)` |
 * | `o.p++`, `--o[k]`         | `__ila.u(o, "p", "++", 0)`, `__ila.u(o, k, "--", 1)`       |
 * | `delete o.p`              | `__ila.d(o, "p")`                                          |
 * | `o.m(a)`, `o[k](a)`, tag  | `__ila.M(o, "m").m(a)`, `__ila.M(o, k)[__ila.K()](a)`      |
 * | `new o.C()`               | `new (__ila.g(o, "C"))()`                                  |
 * | `o?.p.q`, `o.m?.()`       | `__ila.h(o).n()?.g("p").g("q").v`, `__ila.h(o).g("m").n()?.c().v` |
 * | `delete o?.p`             | `!__ila.h(o).n()?.d("p")` (`d` returns `!delete`)          |
 * | `o.#f`, `o.#f()`          | `__ila.p(o, "#f", 1).#f`, `__ila.p(o, "#f", 1).#f()`       |
 * | `this.#f = v`             | `this.#f = __ila.q(v, this, "#f")`                         |
 * | `this.#f += v`            | `__ila.p(this, "#f", 1).#f += __ila.q(v, this, "#f")`      |
 * | `o.#f = v`, `o.#f++`      | `__ila.p(o, "#f", 2).#f = v`, `__ila.p(o, "#f", 3).#f++`   |
 * | `[o.p] = a`, `(o.p!) = v` | `[__ila.x(o, "p", 2).p] = __ila.i(a)`, `(__ila.x(o, "p", 2).p!) = v` |
 * | `const { a, b } = o`      | `const { a, b } = __ila.r(o, "a", "b")`                    |
 * | `for (x of a)`, `[...a]`  | `for (x of __ila.i(a))`, `[...__ila.i(a)]`                 |
 *
 * Each helper evaluates its operands in the source's order, performs the operation itself (or
 * returns the receiver, so that it stays native) and records it when it happens, so getters,
 * setters, `this`, results and errors are those of the source, and an access lands in the
 * scheduling step that made it even when `await` separates a read from its write (`o.p += await v`).
 * The receiver-returning forms (`M`, `x`, `p`) keep `this` and private names native; `x` and `p`
 * record before the operation, so a write's right-hand side runs after it was recorded. Private
 * fields written through `this` are recorded once the value is known (`q`).
 *
 * Synchronous, like the task transform, so that it can run inside CommonJS compilation.
 *
 * @module
 */
import { pathToFileURL } from "node:url";
import MagicString from "magic-string";
import type { AstNode } from "../tasks/gate-walker.js";
import { composeMap, readInputMap, type EncodedMap } from "../tasks/input-map.js";
import { globalObjectIn, insertPreamble, parseCode, type ParseOptions } from "../tasks/parse-code.js";
import { collectConstEnums } from "./ast.js";
import type { Edits } from "./edits.js";
import { sharedVariables } from "./scope.js";
import { variableReads, variableWrites } from "./variables.js";
import { ACCESS_KEY } from "./protocol.js";
import { AccessWalker } from "./walker.js";

/** Options of {@link instrumentAccesses}. */
export interface AccessTransformOptions extends ParseOptions {
  /**
   * Record shared variables (default true). Worker threads share no variable (each isolate has
   * its own), and skip the scope analysis it takes.
   */
  variables?: boolean;
}

/** Output of {@link instrumentAccesses}. */
export interface AccessTransformResult {
  code: string;
  /** Source map from `code` to the original source (composed through the input map, if any). */
  map: EncodedMap;
}

/** How instrumented code fails where no runtime is installed. */
const NOT_LOADED =
  "interlace: the access recorder is not loaded. Load this code through interlace's loaders " +
  '(node --import interlace/register, or the interlace() vitest plugin), or import interlace/register first.';

/**
 * The preamble of an access-instrumented file: binds `__ila` to the isolate's runtime (throwing at
 * once if none is installed) and registers the file.
 *
 * @param url - `file:` URL of the original source.
 */
export function accessPreamble(url: string, variables: readonly string[] = [], global = "globalThis"): string {
  return (
    `var __ila=${global}[${global}.Symbol.for(${JSON.stringify(ACCESS_KEY)})]??` +
    `(()=>{throw ${global}.Error(${JSON.stringify(NOT_LOADED)})})();var __ilaF=__ila.f(${JSON.stringify(url)},${JSON.stringify(variables)});`
  );
}

/** The access edits of a program, and the names of its shared variables (the preamble's table). */
export interface AccessEdits {
  edits: Edits;
  variables: string[];
}

/**
 * The access edits of a parsed program: shared variables (`scope.ts`, `variables.ts`), property
 * accesses and calls (`walker.ts`).
 *
 * @throws Error when the walk meets code it cannot rewrite (a token not where the AST says).
 */
export function accessEdits(code: string, program: AstNode, format: "module" | "commonjs", variables = true): AccessEdits {
  const shared = variables ? sharedVariables(program, code) : { names: [], uses: [] };
  const walker = new AccessWalker(code, collectConstEnums(code, program), format);
  variableWrites(walker.edits, shared, code);
  walker.visit(program, { strict: format === "module", privates: new Map() });
  variableReads(walker.edits, shared);
  return { edits: walker.edits, variables: shared.names };
}

/**
 * Instruments the property accesses of one file (alone: `tasks/transform.ts` applies the same
 * edits with the task gates).
 *
 * @param code - The code as it will run (possibly compiled, with an inline source map).
 * @returns The rewritten code (unchanged but for the input map comment, and without preamble,
 *   when it makes no access) and its map.
 * @throws SyntaxError when `code` does not parse.
 */
export function instrumentAccesses(code: string, options: AccessTransformOptions): AccessTransformResult {
  const { program, comments } = parseCode(code, options);
  const readMap = readInputMap(comments, options.filename);
  const input = readMap === null || "problem" in readMap ? null : readMap;
  const { edits, variables } = accessEdits(code, program, options.format, options.variables !== false);

  const ms = new MagicString(code);
  if (input !== null) ms.remove(input.comment.start, input.comment.end);
  if (!edits.empty) {
    insertPreamble(ms, code, program, accessPreamble(pathToFileURL(options.filename).href, variables, globalObjectIn(program)));
    edits.apply(ms, code);
  }
  return { code: ms.toString(), map: composeMap(ms, options.filename, input, undefined) };
}
