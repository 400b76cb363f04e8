/**
 * Shared variables: the bindings (`let`, `var`, parameters, …) that two tasks can both reach and
 * that change after they are declared. A variable declared in a module or an enclosing function
 * and used from another function — `let balance = 100` read and written by an async function that
 * two tasks run — is as shared as an object property, and a race on it is as real; a variable only
 * its own function uses is private to each call. Which is which takes scope analysis (hoisting,
 * block scopes, shadowing, catch parameters, TypeScript's declarations), so this module asks
 * `@babel/traverse`, the scope tracker Babel's own plugins rely on, rather than repeating it.
 *
 * A binding is *tracked* when something assigns it after its declaration (Babel's constant
 * violations) and it is used (read or assigned) from a function other than the one that declares
 * it. Every use of a tracked binding is then recorded, in the declaring function too: that
 * function may run in one task while a closure over the same variable runs in another. One
 * location stands for every instance of a binding (each call of the declaring function makes
 * one): conservative, two tasks running the same function look dependent on its captured locals.
 *
 * @module
 */
import { createRequire } from "node:module";
import type { Binding, NodePath, TraverseOptions } from "@babel/traverse";
import type { Node } from "@babel/types";
import type { AstNode } from "../tasks/gate-walker.js";

/** `@babel/traverse`'s default export. */
interface Traverse {
  (parent: Node, opts: TraverseOptions): void;
  cache: { clear(): void };
}

let loaded: Traverse | undefined;

/**
 * `@babel/traverse`, required on first use (~190 ms to load: worker threads, which need no scope
 * analysis, never pay it). The first use may be inside a loader's transform: the CommonJS loader
 * does not instrument what loads during a transform (`tasks/install.ts`), traverse's `debug` and
 * `ms` among them.
 */
function traverse(parent: Node, opts: TraverseOptions): void {
  if (loaded === undefined) {
    const module = createRequire(import.meta.url)("@babel/traverse") as { default?: Traverse } & Traverse;
    loaded = typeof module.default === "function" ? module.default : module;
  }
  loaded(parent, opts);
}

function clearCache(): void {
  loaded?.cache.clear();
}

/** How a use of a tracked binding is rewritten (see `variables.ts`). */
export type VariableUse =
  /** A read of the identifier `node` (`x` → `__ila.v(x, F, slot)`; shorthand `{ x }` gets its key back). */
  | { kind: "read"; node: AstNode; slot: number; shorthand: boolean }
  /** `x = v` (`assignment`, operator `=`): a write once the value is known. */
  | { kind: "assign"; node: AstNode; slot: number }
  /** `x += v`, `x ||= v`: a read before the right-hand side runs, a write after it. */
  | { kind: "compound"; node: AstNode; slot: number }
  /** `x++`, destructuring assignments, `for (x of …)` heads: reads and writes recorded just before. */
  | { kind: "update"; node: AstNode; slots: number[] }
  | { kind: "loop"; node: AstNode; slots: number[] };

/** The tracked bindings of a program and their uses. */
export interface SharedVariables {
  /** Display name of each tracked binding, by slot: `balance`. */
  names: string[];
  uses: VariableUse[];
}

/** Ancestors under which an identifier cannot become a call (a decorator's expression, `delete x`). */
function unrewritable(path: NodePath): boolean {
  for (let p: NodePath | null = path.parentPath; p !== null; p = p.parentPath) {
    if (p.isDecorator() || p.isTSDeclareFunction() || p.isTSModuleDeclaration()) return true;
    if (p.isFunction() || p.isStatement()) break;
  }
  const parent = path.parentPath;
  return parent !== null && (parent.isExportSpecifier() || parent.isUnaryExpression({ operator: "delete" }) || parent.isTSTypeQuery());
}

/** The function (or program) a path's code runs in, as scope analysis sees it. */
function owner(path: NodePath): unknown {
  return path.scope.getFunctionParent() ?? path.scope.getProgramParent();
}

/** The identifiers of `binding` that a pattern (or a `for` head) assigns. */
function assignsBinding(path: NodePath, binding: Binding): boolean {
  const ids = path.getBindingIdentifiers(true) as unknown as Record<string, Node[] | undefined>;
  return (ids[binding.identifier.name] ?? []).length > 0;
}

/**
 * Finds the tracked bindings of `program` (a Babel `Program` node, with `ranges` off) and how each
 * use is rewritten. Files with `with` or direct `eval` get none: names there are not static.
 */
export function sharedVariables(program: AstNode, code: string): SharedVariables {
  const result: SharedVariables = { names: [], uses: [] };
  if (/\bwith\s*\(|\beval\s*\(/.test(code) && hasDynamicScope(program)) return result;
  const seen = new Set<Binding>();
  const file = { type: "File", program, comments: [] } as unknown as Node;
  traverse(file, {
    Scopable(path) {
      for (const binding of Object.values(path.scope.bindings)) {
        if (seen.has(binding)) continue;
        seen.add(binding);
        track(binding, result);
      }
    },
  });
  clearCache();
  // Uses in source order: the edits of one offset are registered outer first.
  result.uses.sort((a, b) => (a.node.start ?? 0) - (b.node.start ?? 0));
  return result;
}

function track(binding: Binding, result: SharedVariables): void {
  if (binding.constantViolations.length === 0 || binding.kind === "module") return;
  const home = owner(binding.path);
  const uses: NodePath[] = [...binding.referencePaths, ...binding.constantViolations];
  if (!uses.some((use) => owner(use) !== home)) return;
  const slot = result.names.length;
  result.names.push(binding.identifier.name);
  const handled = new Set<Node>();
  for (const violation of binding.constantViolations) {
    const node = violation.node as unknown as AstNode;
    if (violation.isAssignmentExpression()) {
      const left = violation.get("left");
      if (left.isIdentifier() && left.node.name === binding.identifier.name) {
        handled.add(left.node);
        result.uses.push({ kind: violation.node.operator === "=" ? "assign" : "compound", node, slot });
      } else if (assignsBinding(left, binding)) {
        result.uses.push({ kind: "update", node, slots: [slot] });
      }
    } else if (violation.isUpdateExpression()) {
      handled.add(violation.node.argument);
      result.uses.push({ kind: "update", node, slots: [slot] });
    } else if (violation.isForXStatement()) {
      const left = violation.get("left");
      if (left.isIdentifier()) handled.add(left.node);
      result.uses.push({ kind: "loop", node, slots: [slot] });
    }
    // Re-declarations (`var x` again, function declarations) run once per scope instance: not a
    // write another task could see before it happens.
  }
  for (const reference of binding.referencePaths) {
    if (!reference.isIdentifier() || handled.has(reference.node) || unrewritable(reference)) continue;
    const parent = reference.parentPath;
    const shorthand = parent !== null && parent.isObjectProperty() && parent.node.shorthand && parent.node.value === reference.node;
    result.uses.push({ kind: "read", node: reference.node as unknown as AstNode, slot, shorthand });
  }
}

/** Whether the program has a `with` statement or a direct `eval(…)` call. */
function hasDynamicScope(program: AstNode): boolean {
  let found = false;
  const file = { type: "File", program, comments: [] } as unknown as Node;
  traverse(file, {
    WithStatement(path) {
      found = true;
      path.stop();
    },
    CallExpression(path) {
      if (path.get("callee").isIdentifier({ name: "eval" })) {
        found = true;
        path.stop();
      }
    },
  });
  clearCache();
  return found;
}
