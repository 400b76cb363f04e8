/**
 * The edits that record the uses of shared variables (`scope.ts` finds them). `__ilaF` is the
 * file's index, bound by the preamble; a binding is known by its slot in the file's table.
 *
 * | source                | instrumented                                            |
 * | --------------------- | ------------------------------------------------------- |
 * | `x` (read)            | `__ila.v(x, __ilaF, 0)`; shorthand `{ x }` → `{ x: __ila.v(x, __ilaF, 0) }` |
 * | `x = v`               | `__ila.w(x = v, __ilaF, 0)`                             |
 * | `x += v`, `x ??= v`   | `__ila.w(x += (__ila.R(__ilaF, 0), v), __ilaF, 0)`      |
 * | `x++`, `[x, y] = a`   | `__ila.V(__ilaF, 0, 3, x++)`, `__ila.V(__ilaF, 0, 2, …)` |
 * | `for (x of a) S`      | `for (x of a) {__ila.V(__ilaF, 0, 2);S}`                |
 *
 * Reads are recorded once the value is read, writes once it is written (a compound assignment's
 * read before its right-hand side runs, which may `await`), so each lands in the step that made it.
 * Every form starts with an identifier or sits after an operator: no line starts with `(`, which
 * could join it to the line before (no semicolons, ASI).
 *
 * Writes wrap whole expressions, reads single identifiers: the writes are registered before the
 * property walk and the reads after it (`transform.ts`), so that at one offset a write's wrapper
 * is outside, and a read's inside, the walk's own helpers.
 *
 * @module
 */
import { child, end, start, type AstNode } from "./ast.js";
import type { Edits } from "./edits.js";
import { AccessMode } from "./protocol.js";
import type { SharedVariables } from "./scope.js";

const FILE = "__ilaF";

/** Registers the write forms (before the property walk). */
export function variableWrites(edits: Edits, variables: SharedVariables, code: string): void {
  for (const use of variables.uses) {
    const { node } = use;
    switch (use.kind) {
      case "assign":
        edits.open(start(node), "__ila.w(");
        edits.close(end(node), `, ${FILE}, ${use.slot})`, start(node));
        break;
      case "compound": {
        const right = child(node, "right");
        edits.open(start(node), "__ila.w(");
        edits.open(start(right), `(__ila.R(${FILE}, ${use.slot}), `);
        edits.close(end(right), ")", start(right));
        edits.close(end(node), `, ${FILE}, ${use.slot})`, start(node));
        break;
      }
      case "update": {
        const mode = node.type === "UpdateExpression" ? AccessMode.ReadWrite : AccessMode.Write;
        for (const slot of use.slots) {
          edits.open(start(node), `__ila.V(${FILE}, ${slot}, ${mode}, `);
          edits.close(end(node), ")", start(node));
        }
        break;
      }
      case "loop": {
        const body = child(node, "body");
        const records = use.slots.map((slot) => `__ila.V(${FILE}, ${slot}, ${AccessMode.Write});`).join("");
        if (body.type === "BlockStatement") {
          const brace = code.indexOf("{", start(body));
          edits.insert(brace + 1, records);
        } else {
          edits.open(start(body), `{${records}`);
          edits.close(end(body), "}", start(body));
        }
        break;
      }
      case "read":
        break;
    }
  }
}

/** Registers the read forms (after the property walk). */
export function variableReads(edits: Edits, variables: SharedVariables): void {
  for (const use of variables.uses) {
    if (use.kind !== "read") continue;
    const { node, slot } = use;
    const name = String(node["name"]);
    edits.open(start(node), use.shorthand ? `${name}: __ila.v(` : "__ila.v(");
    edits.close(end(node), `, ${FILE}, ${slot})`, start(node));
  }
}
