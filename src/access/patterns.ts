/**
 * Destructuring and iteration in the access walk: binding and assignment targets (members in them
 * are written natively after `x`/`p` recorded the write), the static keys an object pattern reads
 * from its source, and what is iterated (`for…of`, spread, array patterns).
 *
 * @module
 */
import { TARGET_WRAPPERS, child, isNode, nodes, type AstNode } from "./ast.js";
import { AccessMode } from "./protocol.js";
import type { AccessWalker, Scope } from "./walker.js";

/** A binding or assignment target: members in it are written natively (`x`/`p`). */
export function pattern(w: AccessWalker, node: AstNode, scope: Scope): void {
  switch (node.type) {
    case "ObjectPattern":
      for (const property of nodes(node, "properties")) {
        if (property.type === "RestElement") pattern(w, child(property, "argument"), scope);
        else {
          if (property["computed"] === true) w.visit(child(property, "key"), scope);
          pattern(w, child(property, "value"), scope);
        }
      }
      return;
    case "ArrayPattern":
      for (const element of nodes(node, "elements")) pattern(w, element, scope);
      return;
    case "RestElement":
      return pattern(w, child(node, "argument"), scope);
    case "AssignmentPattern":
      pattern(w, child(node, "left"), scope);
      return w.visit(child(node, "right"), scope);
    case "TSParameterProperty":
      return pattern(w, child(node, "parameter"), scope);
    case "MemberExpression":
      return w.nativeAccess(node, scope, AccessMode.Write);
    default:
      if (TARGET_WRAPPERS.has(node.type)) return pattern(w, child(node, "expression"), scope);
      if (node.type !== "Identifier") w.visit(node, scope);
  }
}

export function declarator(w: AccessWalker, node: AstNode, scope: Scope): void {
  const id = child(node, "id");
  pattern(w, id, scope);
  const init = node["init"];
  if (!isNode(init)) return;
  destructuringSource(w, id, init);
  w.visit(init, scope);
}

export function loop(w: AccessWalker, node: AstNode, scope: Scope): void {
  const left = child(node, "left");
  if (left.type === "VariableDeclaration") w.visit(left, scope);
  else pattern(w, left, scope);
  const right = child(node, "right");
  if (node.type === "ForOfStatement") iterated(w, right);
  w.visit(right, scope);
  w.visit(child(node, "body"), scope);
}

/** The source of a destructuring: object patterns read their static keys, array patterns iterate. */
export function destructuringSource(w: AccessWalker, target: AstNode, source: AstNode): void {
  if (target.type === "ArrayPattern") return iterated(w, source);
  if (target.type !== "ObjectPattern" || source.type === "ObjectExpression") return;
  const keys = nodes(target, "properties").flatMap((property) => {
    const key = property["key"];
    if (property.type !== "ObjectProperty" || property["computed"] === true || !isNode(key)) return [];
    if (key.type === "Identifier") return [String(key["name"])];
    if (key.type === "StringLiteral" || key.type === "NumericLiteral") return [String(key["value"])];
    return [];
  });
  if (keys.length > 0) w.wrap(source, "__ila.r(", `, ${keys.map((key) => JSON.stringify(key)).join(", ")})`);
}

/** Something iterated (`for…of`, spread, array pattern); array literals are fresh, not shared. */
export function iterated(w: AccessWalker, node: AstNode): void {
  if (node.type !== "ArrayExpression") w.wrap(node, "__ila.i(", ")");
}
