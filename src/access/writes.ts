/**
 * The writes of the access walk: assignments (plain, compound, logical, destructuring), `++`/`--`
 * and `delete`.
 *
 * @module
 */
import { CHAIN_LINKS, child, end, isBare, isParenthesized, privateName, start, unwrapTarget, type AstNode } from "./ast.js";
import { optionalChain } from "./optional-chain.js";
import { destructuringSource, pattern } from "./patterns.js";
import { AccessMode } from "./protocol.js";
import type { AccessWalker, Scope } from "./walker.js";

export function assignment(w: AccessWalker, node: AstNode, scope: Scope): void {
  const left = child(node, "left");
  const right = child(node, "right");
  const operator = String(node["operator"]);
  if (left.type === "ObjectPattern" || left.type === "ArrayPattern") {
    pattern(w, left, scope);
    destructuringSource(w, left, right);
    return w.visit(right, scope);
  }
  const target = unwrapTarget(left);
  const kind = target.type === "MemberExpression" ? w.kind(target, scope) : null;
  if (kind === "public" && isBare(target, left)) {
    splitAssignment(w, left, right, operator, scope.strict);
  } else if (kind === "field" && child(target, "object").type === "ThisExpression") {
    // The new value's write is recorded once the value is known: `this` is the same after it.
    if (operator !== "=") w.receiver(target, "__ila.p(", `, ${AccessMode.Read})`);
    const name = JSON.stringify(`#${privateName(child(target, "property"))}`);
    w.wrap(right, "__ila.q(", `, this, ${name})`);
  } else if (kind !== null) {
    w.nativeAccess(target, scope, operator === "=" ? AccessMode.Write : AccessMode.ReadWrite);
    return w.visit(right, scope);
  } else {
    w.visit(left, scope);
    return w.visit(right, scope);
  }
  w.memberChildren(target, scope);
  w.visit(right, scope);
}

/** `o.p = v`, `o.p += v`, `o.p ||= v` with the member's parts as helper arguments. */
function splitAssignment(w: AccessWalker, left: AstNode, right: AstNode, operator: string, strict: boolean): void {
  const at = w.token(end(left), operator);
  const op = JSON.stringify(operator.slice(0, -1));
  if (operator === "=") {
    w.split(left, `__ila.${strict ? "s" : "S"}(`, "");
    w.edits.replace(at, at + operator.length, ",");
  } else if (operator === "||=" || operator === "&&=" || operator === "??=") {
    // No parentheses around the conditional: it is valid wherever the assignment was, and a
    // statement must not start with "(" (it would call the previous line's value).
    w.split(left, `__ila.${strict ? "l" : "L"}(`, `, ${op})`);
    w.edits.replace(at, at + operator.length, ` ? __ila.y().v : __ila.y().w("=",`);
  } else {
    w.split(left, `__ila.${strict ? "c" : "C"}(`, ")");
    w.edits.replace(at, at + operator.length, `.w(${op},`);
  }
  w.edits.close(end(right), ")", start(left));
}

export function update(w: AccessWalker, node: AstNode, scope: Scope): void {
  const argument = child(node, "argument");
  const target = unwrapTarget(argument);
  const kind = target.type === "MemberExpression" ? w.kind(target, scope) : null;
  if (kind === null) return w.visit(argument, scope);
  if (kind === "field" || !isBare(target, argument)) return w.nativeAccess(target, scope, AccessMode.ReadWrite);
  const operator = String(node["operator"]);
  const helper = `__ila.${scope.strict ? "u" : "U"}(`;
  if (node["prefix"] === true) {
    w.edits.replace(start(node), start(node) + 2, helper);
    w.split(target, "", `, "${operator}", 1)`);
  } else {
    const at = w.token(end(target), operator);
    w.split(target, helper, "");
    w.edits.replace(at, at + 2, `, "${operator}", 0)`);
  }
  w.memberChildren(target, scope);
}

export function deletion(w: AccessWalker, node: AstNode, scope: Scope): void {
  const argument = child(node, "argument");
  const parenthesized = isParenthesized(argument);
  if (CHAIN_LINKS.has(argument.type) && !parenthesized) return optionalChain(w, argument, scope, "delete", start(node));
  const kind = argument.type === "MemberExpression" ? w.kind(argument, scope) : null;
  if (kind !== "public") return w.visit(argument, scope);
  if (parenthesized) return w.nativeAccess(argument, scope, AccessMode.Write);
  w.token(start(node), "delete");
  w.edits.replace(start(node), start(node) + "delete".length, `__ila.${scope.strict ? "d" : "D"}(`);
  w.split(argument, "", ")");
  w.memberChildren(argument, scope);
}
