/**
 * Babel AST helpers of the access walk (`walker.ts`).
 *
 * @module
 */
import { isNode, type AstNode } from "../tasks/gate-walker.js";

export { isNode, type AstNode };

/** Node keys that hold no runtime code. */
export const SKIPPED_KEYS = new Set([
  "type", "start", "end", "loc", "range", "extra", "leadingComments", "trailingComments", "innerComments",
  "typeAnnotation", "typeParameters", "typeArguments", "returnType", "superTypeParameters", "implements",
  "decorators", "predicate",
]);
/** Declarations with no runtime code, or whose code must stay as written (enum folding). */
export const SKIPPED_NODES = new Set([
  "TSEnumDeclaration", "TSInterfaceDeclaration", "TSTypeAliasDeclaration", "TSDeclareFunction", "TSDeclareMethod",
  "TSImportEqualsDeclaration", "TSIndexSignature", "Decorator",
]);
export const FUNCTIONS = new Set([
  "FunctionDeclaration", "FunctionExpression", "ArrowFunctionExpression", "ObjectMethod", "ClassMethod",
  "ClassPrivateMethod",
]);
/** Expression wrappers that may stand around an assignment target (TypeScript). */
export const TARGET_WRAPPERS = new Set(["TSAsExpression", "TSSatisfiesExpression", "TSNonNullExpression", "TSTypeAssertion"]);
export const CHAIN_LINKS = new Set(["OptionalMemberExpression", "OptionalCallExpression"]);

export function child(node: AstNode, key: string): AstNode {
  const value = node[key];
  if (!isNode(value)) throw new Error(`access transform: ${node.type}.${key} is not a node`);
  return value;
}

export function nodes(node: AstNode, key: string): AstNode[] {
  const value = node[key];
  return Array.isArray(value) ? value.filter(isNode) : [];
}

export function start(node: AstNode): number {
  return node.start ?? 0;
}

export function end(node: AstNode): number {
  return node.end ?? 0;
}

export function isParenthesized(node: AstNode): boolean {
  const extra = node["extra"];
  return typeof extra === "object" && extra !== null && (extra as { parenthesized?: unknown }).parenthesized === true;
}

export function privateName(node: AstNode): string {
  return String(child(node, "id")["name"]);
}

/** The node a chain link applies to, seen through `!` (`a?.b!.c` is one chain). */
export function chainInner(link: AstNode): AstNode {
  let node = child(link, link.type === "OptionalCallExpression" ? "callee" : "object");
  while (node.type === "TSNonNullExpression" && !isParenthesized(node)) node = child(node, "expression");
  return node;
}

/** A callee seen through TypeScript wrappers, which keep a member callee's `this` once stripped. */
export function unwrapCallee(node: AstNode): AstNode {
  let callee = node;
  while (TARGET_WRAPPERS.has(callee.type) || callee.type === "TSInstantiationExpression") callee = child(callee, "expression");
  return callee;
}

/** The target inside TypeScript wrappers (`(o.p as T)`, `o.p!`); itself when not wrapped. */
export function unwrapTarget(node: AstNode): AstNode {
  let target = node;
  while (TARGET_WRAPPERS.has(target.type)) target = child(target, "expression");
  return target;
}

/** Whether `target` is written as is: not parenthesized nor wrapped, so it can become helper arguments. */
export function isBare(target: AstNode, written: AstNode): boolean {
  return target === written && !isParenthesized(written);
}

export function hasUseStrict(node: AstNode): boolean {
  return nodes(node, "directives").some((directive) => {
    const value = directive["value"];
    return isNode(value) && value["value"] === "use strict";
  });
}

/** Names of `const enum`s declared in the file: TypeScript inlines their members, so they stay as written. */
export function collectConstEnums(code: string, program: AstNode): Set<string> {
  const names = new Set<string>();
  if (!code.includes("enum")) return names;
  const walk = (node: AstNode): void => {
    if (node.type === "TSEnumDeclaration" && node["const"] === true) names.add(String(child(node, "id")["name"]));
    for (const key of Object.keys(node)) {
      if (SKIPPED_KEYS.has(key)) continue;
      const value = node[key];
      for (const item of Array.isArray(value) ? value : [value]) if (isNode(item)) walk(item);
    }
  };
  walk(program);
  return names;
}

/** The first offset at or after `from` that is not whitespace, a comment or a closing parenthesis. */
export function skipTrivia(code: string, from: number): number {
  let at = from;
  while (at < code.length) {
    const c = code.charAt(at);
    if (c === ")" || /\s/.test(c)) {
      at += 1;
    } else if (code.startsWith("//", at)) {
      const eol = /[\n\r\u2028\u2029]/g;
      eol.lastIndex = at;
      at = eol.exec(code)?.index ?? code.length;
    } else if (code.startsWith("/*", at)) {
      const close = code.indexOf("*/", at + 2);
      at = close < 0 ? code.length : close + 2;
    } else {
      return at;
    }
  }
  return at;
}
