/**
 * The walk of the task transform: one pre-order pass over Babel's AST that collects every
 * rewrite (awaits, `for await` operands, literal `point()` names) and the position of every
 * statement a marker could gate, with whether code there runs in an async function.
 *
 * @module
 */
import type { MarkerSite } from "../markers/scan.js";

/** A node of Babel's AST, as the walker sees it. */
export interface AstNode {
  type: string;
  start?: number | null;
  end?: number | null;
  [key: string]: unknown;
}

/** Where a statement runs: whether a marker gate there can `await`. */
export type Context = "async" | "sync" | "top";

/** Where gates for a statement go, and the markers that gate it. */
export interface StatementTarget {
  start: number;
  end: number;
  /** In a statement list (else the body of `if`/a loop: the gate needs braces). */
  inList: boolean;
  context: Context;
  markers: MarkerSite[];
}

/** A rewrite, in walk (source) order; `start`/`end` delimit the expression to wrap. */
export type Rewrite =
  | { kind: "statement"; target: StatementTarget }
  | { kind: "await" | "forAwait"; at: number; start: number; end: number; sequence: boolean }
  | { kind: "point"; at: number; name: string };

const SKIPPED_KEYS = new Set([
  "type", "start", "end", "loc", "range", "extra", "leadingComments", "trailingComments", "innerComments",
  "typeAnnotation", "typeParameters", "typeArguments", "returnType", "superTypeParameters", "implements",
]);
const FUNCTIONS = new Set([
  "FunctionDeclaration", "FunctionExpression", "ArrowFunctionExpression",
  "ObjectMethod", "ClassMethod", "ClassPrivateMethod",
]);
/** Nodes whose code runs synchronously, outside the enclosing function. */
const SYNC_SCOPES = new Set([
  "ClassProperty", "ClassPrivateProperty", "ClassAccessorProperty", "StaticBlock", "TSModuleDeclaration",
]);
const STATEMENT_LISTS: Readonly<Record<string, string>> = {
  Program: "body", BlockStatement: "body", StaticBlock: "body", SwitchCase: "consequent", TSModuleBlock: "body",
};
const STATEMENT_BODIES: Readonly<Record<string, readonly string[]>> = {
  IfStatement: ["consequent", "alternate"], ForStatement: ["body"], ForInStatement: ["body"], ForOfStatement: ["body"],
  WhileStatement: ["body"], DoWhileStatement: ["body"], WithStatement: ["body"], LabeledStatement: ["body"],
};
/** Collects rewrites and statement positions in one pre-order walk (outer nodes before inner ones). */
export class Walker {
  readonly rewrites: Rewrite[] = [];
  /** Outermost statement starting at each offset. */
  readonly statements = new Map<number, StatementTarget>();
  #sortedStarts: number[] | null = null;

  visit(node: AstNode, context: Context, position: "list" | "body" | StatementTarget | null): void {
    const start = node.start ?? 0;
    const end = node.end ?? start;
    if (position !== null) {
      // The body of a labeled statement is gated before its label (`continue label` needs the loop labeled).
      const target =
        typeof position === "object" ? position : { start, end, inList: position === "list", context, markers: [] };
      if (!this.statements.has(start)) this.statements.set(start, target);
      if (target !== position) this.rewrites.push({ kind: "statement", target });
      position = target;
    }
    this.#collect(node, start);
    const inner = FUNCTIONS.has(node.type) ? (node["async"] === true ? "async" : "sync")
      : SYNC_SCOPES.has(node.type) ? "sync" : context;
    for (const key of Object.keys(node)) {
      if (SKIPPED_KEYS.has(key)) continue;
      const child =
        STATEMENT_LISTS[node.type] === key ? "list"
        : node.type === "LabeledStatement" && key === "body" ? position
        : STATEMENT_BODIES[node.type]?.includes(key) === true ? "body" : null;
      const value = node[key];
      if (Array.isArray(value)) {
        for (const item of value) if (isNode(item)) this.visit(item, inner, child);
      } else if (isNode(value)) {
        this.visit(value, inner, child);
      }
    }
  }

  /** Statement starts, ascending. */
  get sortedStarts(): number[] {
    this.#sortedStarts ??= [...this.statements.keys()].sort((a, b) => a - b);
    return this.#sortedStarts;
  }

  #collect(node: AstNode, start: number): void {
    const operand = node.type === "AwaitExpression" ? node["argument"]
      : node.type === "ForOfStatement" && node["await"] === true ? node["right"] : undefined;
    if (isNode(operand)) {
      const kind = node.type === "AwaitExpression" ? "await" : "forAwait";
      const sequence = operand.type === "SequenceExpression";
      this.rewrites.push({ kind, at: start, start: operand.start ?? 0, end: operand.end ?? 0, sequence });
      return;
    }
    if (node.type !== "CallExpression" && node.type !== "OptionalCallExpression") return;
    const callee = node["callee"];
    const property = isNode(callee) && callee.type.endsWith("MemberExpression") && callee["computed"] !== true
      ? callee["property"] : callee;
    const [first] = Array.isArray(node["arguments"]) ? (node["arguments"] as unknown[]) : [];
    if (!isNode(property) || property.type !== "Identifier" || property["name"] !== "point" || !isNode(first)) return;
    const plain = first.type === "TemplateLiteral" && (first["expressions"] as unknown[]).length === 0;
    const quasi = plain ? (first["quasis"] as unknown[])[0] : undefined;
    const cooked = isNode(quasi) ? (quasi["value"] as { cooked?: unknown }).cooked : undefined;
    const name = first.type === "StringLiteral" ? first["value"] : cooked;
    if (typeof name === "string") this.rewrites.push({ kind: "point", at: start, name });
  }
}

export function isNode(value: unknown): value is AstNode {
  return typeof value === "object" && value !== null && typeof (value as { type?: unknown }).type === "string";
}

