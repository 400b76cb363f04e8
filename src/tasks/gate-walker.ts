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

/**
 * Where a statement runs: whether a marker gate there can `await` (`async`), or `yield` in a
 * generator that compiled code drives as an async function (`coroutine`, see {@link COROUTINE_DRIVERS}).
 */
export type Context = "async" | "coroutine" | "sync" | "top";

/**
 * Helpers of compilers that down-level `async` functions to generators: each `yield` of the
 * generator they drive is an `await` of the source. TypeScript/tslib `__awaiter(this, a, P, function* () {…})`,
 * esbuild `__async(this, a, function* () {…})`, Babel `_asyncToGenerator(function* () {…})`.
 */
const COROUTINE_DRIVERS = new Set(["__awaiter", "__async", "_asyncToGenerator", "asyncToGenerator", "_async_to_generator"]);

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
  /** Generator functions a compiler's async helper drives (their yields are awaits). */
  readonly #coroutines = new Set<AstNode>();
  /** `return X` statements of compiled state machines that yield `X` (regenerator, tsc's `__generator`). */
  readonly #machines = new Map<AstNode, AstNode>();
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
    if (node.type === "CallExpression") this.#findCoroutines(node);
    const inner = FUNCTIONS.has(node.type)
      ? node["async"] === true ? "async" : this.#coroutines.has(node) ? "coroutine" : "sync"
      : SYNC_SCOPES.has(node.type) ? "sync" : context;
    if (context === "coroutine" && node.type === "YieldExpression" && node["delegate"] !== true) this.#yield(node, start);
    if (this.#machines.has(node)) this.#stateMachineYield(node, start);
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

  /** `yield X` of a coroutine: `yield __il.a(X, …)`, a gate like `await X`. */
  #yield(node: AstNode, start: number): void {
    const operand = node["argument"];
    if (!isNode(operand)) return;
    this.rewrites.push({ kind: "await", at: start, start: operand.start ?? 0, end: operand.end ?? 0, sequence: operand.type === "SequenceExpression" });
  }

  /** `return X` (regenerator) or `return [4, X]` (tsc's `__generator`) that yields `X`: gated like `await X`. */
  #stateMachineYield(node: AstNode, start: number): void {
    const operand = this.#machines.get(node);
    if (operand === undefined) return;
    this.rewrites.push({ kind: "await", at: start, start: operand.start ?? 0, end: operand.end ?? 0, sequence: operand.type === "SequenceExpression" });
  }

  /**
   * Finds, at a call, the generator functions that compiled async code hands to its driver, and
   * the yield points of compiled state machines: Babel's regenerator (`….wrap(function (_context)
   * { while (1) switch (_context.prev = _context.next) { case 0: _context.next = 2; return f(); … } })`)
   * and TypeScript's ES5 `__generator(this, function (_a) { switch (_a.label) { case 0: return [4, f()]; … } })`.
   */
  #findCoroutines(call: AstNode): void {
    const callee = call["callee"];
    const name = !isNode(callee) ? undefined
      : callee.type === "Identifier" ? String(callee["name"])
      : callee.type === "MemberExpression" && callee["computed"] !== true && isNode(callee["property"]) ? String(callee["property"]["name"])
      : callee.type === "SequenceExpression" ? lastMemberName(callee) : undefined;
    const args = Array.isArray(call["arguments"]) ? (call["arguments"] as unknown[]).filter(isNode) : [];
    if (name !== undefined && COROUTINE_DRIVERS.has(name)) {
      for (const arg of args) if (arg.type === "FunctionExpression" && arg["generator"] === true) this.#coroutines.add(arg);
      return;
    }
    const [first, second] = args;
    if (name === "wrap" && first?.type === "FunctionExpression") this.#regenerator(first);
    if (name === "__generator" && second?.type === "FunctionExpression") this.#tscGenerator(second);
  }

  #regenerator(fn: AstNode): void {
    const context = paramName(fn);
    if (context === undefined) return;
    for (const list of switchCases(fn)) {
      for (let i = 1; i < list.length; i++) {
        const statement = list[i]!;
        const previous = list[i - 1]!;
        const argument = statement["argument"];
        if (statement.type === "ReturnStatement" && isNode(argument) && setsNext(previous, context)) this.#machines.set(statement, argument);
      }
    }
  }

  #tscGenerator(fn: AstNode): void {
    if (paramName(fn) === undefined) return;
    for (const list of switchCases(fn)) {
      for (const statement of list) {
        const argument = statement["argument"];
        if (statement.type !== "ReturnStatement" || !isNode(argument) || argument.type !== "ArrayExpression") continue;
        const [op, value] = (argument["elements"] as unknown[]) ?? [];
        if (isNode(op) && op.type === "NumericLiteral" && op["value"] === 4 && isNode(value)) this.#machines.set(statement, value);
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

/** `(0, x.__awaiter)`: the name of the member a sequence callee ends with. */
function lastMemberName(sequence: AstNode): string | undefined {
  const expressions = (sequence["expressions"] as unknown[]) ?? [];
  const last = expressions[expressions.length - 1];
  if (!isNode(last)) return undefined;
  if (last.type === "Identifier") return String(last["name"]);
  return last.type === "MemberExpression" && isNode(last["property"]) ? String(last["property"]["name"]) : undefined;
}

function paramName(fn: AstNode): string | undefined {
  const [param] = (fn["params"] as unknown[]) ?? [];
  return isNode(param) && param.type === "Identifier" ? String(param["name"]) : undefined;
}

/** The statement lists of the `switch` cases of a state-machine function (`while (1) switch …` or `switch …`). */
function switchCases(fn: AstNode): AstNode[][] {
  const body = fn["body"];
  if (!isNode(body)) return [];
  const lists: AstNode[][] = [];
  const visit = (node: AstNode, depth: number): void => {
    if (depth > 3) return;
    if (node.type === "SwitchStatement") {
      for (const c of (node["cases"] as unknown[]) ?? []) if (isNode(c)) lists.push(((c["consequent"] as unknown[]) ?? []).filter(isNode));
      return;
    }
    for (const key of ["body", "consequent"]) {
      const value = node[key];
      if (Array.isArray(value)) {
        for (const item of value) if (isNode(item)) visit(item, depth + 1);
      } else if (isNode(value)) {
        visit(value, depth + 1);
      }
    }
  };
  visit(body, 0);
  return lists;
}

/** `ctx.next = 2;` */
function setsNext(statement: AstNode, context: string): boolean {
  const expression = statement["expression"];
  if (statement.type !== "ExpressionStatement" || !isNode(expression) || expression.type !== "AssignmentExpression") return false;
  const left = expression["left"];
  return isNode(left) && left.type === "MemberExpression" && isNode(left["object"]) && left["object"]["name"] === context &&
    isNode(left["property"]) && left["property"]["name"] === "next";
}
