/**
 * Optional chains in the access walk. A chain becomes a `ChainValue` started on its head, one
 * method call per link, so that a `?.` short-circuits the rest of the chain natively:
 * `o?.p.q` → `__ila.h(o).n()?.g("p").g("q").v`.
 *
 * @module
 */
import {
  CHAIN_LINKS, chainInner, child, end, isNode, isParenthesized, nodes, start, unwrapCallee, type AstNode,
} from "./ast.js";
import type { AccessWalker, Scope } from "./walker.js";

/**
 * An optional chain, from its outermost link (`top`). A call right after the head needs the
 * head's object as `this`: a plain member head is taken into the chain (`o.m?.()` →
 * `__ila.h(o).g("m").n()?.c().v`). `delete o?.p` becomes `!__ila.h(o).n()?.d("p")`: `d` returns
 * `!delete`, so a short-circuit gives `!undefined`, the `true` of `delete`, with no parentheses (a
 * statement must not start with one).
 *
 * @param role - `callee`: the chain is called (`(a?.b)()`), so its last member link must stay
 *   native; `delete`: `delete a?.b`, the `delete` keyword at `deleteAt`.
 */
export function optionalChain(w: AccessWalker, top: AstNode, scope: Scope, role: "value" | "callee" | "delete", deleteAt = 0): void {
  const native: AstNode[] = [];
  let inner = top;
  do {
    native.unshift(inner);
    inner = chainInner(inner);
  } while (CHAIN_LINKS.has(inner.type) && !isParenthesized(inner));
  const callFirst = native[0]?.type === "OptionalCallExpression";
  const absorb = callFirst && inner.type === "MemberExpression" && !isParenthesized(inner) && w.kind(inner, scope) === "public";
  const links = absorb ? [inner, ...native] : native;
  const head = absorb ? child(inner, "object") : inner;
  const last = links.at(-1) as AstNode;
  const members = links.filter((link) => link.type !== "OptionalCallExpression");
  const tracked =
    members.length > 0 &&
    members.every((link) => child(link, "property").type !== "PrivateName") &&
    head.type !== "MetaProperty" &&
    !(callFirst && !absorb && (head.type === "MemberExpression" || CHAIN_LINKS.has(head.type))) &&
    !(role === "callee" && last.type !== "OptionalCallExpression");
  if (!tracked) return untrackedChain(w, native, inner, scope);

  const { edits } = w;
  const deletes = role === "delete" && last.type !== "OptionalCallExpression";
  edits.open(start(top), "__ila.h(");
  if (deletes) {
    edits.replace(deleteAt, deleteAt + "delete".length, "!");
  } else {
    edits.close(end(top), ".v", start(top));
  }
  links.forEach((link, index) => {
    const optional = link["optional"] === true;
    if (link.type === "OptionalCallExpression") {
      const typeArguments = link["typeArguments"] ?? link["typeParameters"];
      const at = optional ? w.token(end(child(link, "callee")), "?.")
        : isNode(typeArguments) ? start(typeArguments)
        : w.token(end(child(link, "callee")), "(");
      if (index === 0) edits.close(at, ")", start(top));
      if (optional) edits.replace(at, at + 2, ".n()?.c");
      else if (isNode(typeArguments)) edits.open(at, ".c");
      else edits.replace(at, at + 1, ".c(");
      for (const argument of nodes(link, "arguments")) w.visit(argument, scope);
      return;
    }
    const method = deletes && link === last ? (scope.strict ? "d" : "D") : "g";
    const at = w.token(end(child(link, "object")), optional ? "?." : link["computed"] === true ? "[" : ".");
    if (index === 0) edits.close(at, ")", start(top));
    const property = child(link, "property");
    if (link["computed"] === true) {
      if (optional) {
        edits.replace(at, at + 2, `.n()?.${method}`);
        const bracket = w.token(at + 2, "[");
        edits.replace(bracket, bracket + 1, "(");
      } else {
        edits.replace(at, at + 1, `.${method}(`);
      }
      const bracket = w.token(end(property), "]");
      edits.replace(bracket, bracket + 1, ")");
      w.visit(property, scope);
    } else {
      edits.replace(at, at + (optional ? 2 : 1), optional ? `.n()?.${method}(` : `.${method}(`);
      edits.open(start(property), '"');
      edits.close(end(property), '")', start(property));
    }
  });
  w.visit(head, scope);
}

/** The parts of a chain left native: its head, computed keys and arguments are still instrumented. */
function untrackedChain(w: AccessWalker, links: readonly AstNode[], head: AstNode, scope: Scope): void {
  const callee = links[0]?.type === "OptionalCallExpression" ? unwrapCallee(head) : head;
  // `(o.m)?.()`, `super.m?.()`, `this.#m?.()`, `o.m<T>?.()`: the callee rule keeps `this`.
  if (callee.type === "MemberExpression") w.method(callee, scope);
  else w.visit(head, scope);
  for (const link of links) {
    if (link.type === "OptionalCallExpression") {
      for (const argument of nodes(link, "arguments")) w.visit(argument, scope);
    } else if (link["computed"] === true) {
      w.visit(child(link, "property"), scope);
    }
  }
}
