/**
 * What the task transform (`transform.ts`) and the access transform (`../access/transform.ts`)
 * share: one Babel parse of a file, with its comments (where an inline input map is found), and the
 * place of a preamble that moves no line.
 *
 * @module
 */
import { parse, type ParserPlugin } from "@babel/parser";
import type MagicString from "magic-string";
import { isNode, type AstNode } from "./gate-walker.js";
import type { CommentRange } from "./input-map.js";

/** How a file is parsed. */
export interface ParseOptions {
  /** Absolute path of the file. Its extension picks the parser plugins (TypeScript, JSX). */
  filename: string;
  /** `"module"` (ESM, top-level await allowed) or `"commonjs"` (top-level `return` allowed). */
  format: "module" | "commonjs";
}

/** A parsed file. */
export interface ParsedCode {
  program: AstNode;
  comments: CommentRange[];
}

/**
 * Parses `code` with the plugins its extension implies. Code that carries an inline map is
 * compiler output, plain JavaScript whatever its extension: it gets a second try without the
 * TypeScript/JSX plugins.
 *
 * @throws SyntaxError naming the file when `code` does not parse.
 */
export function parseCode(code: string, options: ParseOptions): ParsedCode {
  const ext = /\.[^./\\]+$/.exec(options.filename)?.[0].toLowerCase() ?? "";
  const common: ParserPlugin[] = ["explicitResourceManagement", "deprecatedImportAssert", "decoratorAutoAccessors"];
  const js: ParserPlugin[] = ["decorators", ...common];
  const ts: ParserPlugin[] = ["typescript", "decorators-legacy", ...common];
  const plugins: ParserPlugin[] =
    ext === ".ts" || ext === ".mts" || ext === ".cts" ? ts
    : ext === ".tsx" ? ["jsx", ...ts]
    : ext === ".jsx" ? ["jsx", ...js]
    : js;
  const attempts = plugins === js || !code.includes("sourceMappingURL=data:") ? [plugins] : [plugins, js];
  let failure: unknown;
  for (const attempt of attempts) {
    try {
      const file = parse(code, {
        sourceType: options.format === "module" ? "module" : "script",
        plugins: attempt,
        errorRecovery: false,
        allowReturnOutsideFunction: options.format === "commonjs",
        allowAwaitOutsideFunction: options.format === "module",
        attachComment: false,
        ranges: false,
      });
      const comments = (file.comments ?? []).map((c) => ({ value: c.value, start: c.start ?? 0, end: c.end ?? 0 }));
      return { program: file.program as unknown as AstNode, comments };
    } catch (error) {
      failure ??= error;
    }
  }
  const message = failure instanceof Error ? failure.message : String(failure);
  throw new SyntaxError(`${options.filename}: ${message}`);
}

/** Inserts a preamble without adding a line: after a hashbang line and after the directive prologue. */
export function insertPreamble(ms: MagicString, code: string, program: AstNode, preamble: string): void {
  const directives = Array.isArray(program["directives"]) ? (program["directives"] as AstNode[]) : [];
  const last = directives.at(-1);
  const interpreter = program["interpreter"];
  if (last !== undefined) {
    const end = last.end ?? 0;
    ms.prependLeft(end, code[end - 1] === ";" ? preamble : `;${preamble}`);
  } else if (isNode(interpreter)) {
    const newline = /\r\n|[\n\r\u2028\u2029]/g;
    newline.lastIndex = interpreter.end ?? 0;
    const match = newline.exec(code);
    if (match !== null) ms.prependLeft(match.index + match[0].length, preamble);
    else ms.append(`\n${preamble}`);
  } else {
    ms.prependLeft(0, preamble);
  }
}

/** Names a program declares at its top level (var hoisting included, functions not entered). */
function topLevelNames(program: AstNode): Set<string> {
  const names = new Set<string>();
  const addPattern = (node: unknown): void => {
    if (!isNode(node)) return;
    if (node.type === "Identifier") names.add(String(node["name"]));
    else if (node.type === "ObjectPattern") for (const p of (node["properties"] as unknown[]) ?? []) addPattern(isNode(p) ? (p.type === "RestElement" ? p["argument"] : p["value"]) : null);
    else if (node.type === "ArrayPattern") for (const e of (node["elements"] as unknown[]) ?? []) addPattern(e);
    else if (node.type === "AssignmentPattern") addPattern(node["left"]);
    else if (node.type === "RestElement") addPattern(node["argument"]);
  };
  const visit = (node: AstNode, top: boolean): void => {
    switch (node.type) {
      case "FunctionDeclaration":
      case "ClassDeclaration":
        if (top && isNode(node["id"])) names.add(String(node["id"]["name"]));
        return;
      case "FunctionExpression":
      case "ArrowFunctionExpression":
      case "ClassExpression":
      case "ObjectMethod":
      case "ClassMethod":
        return;
      case "VariableDeclaration":
        if (top || node["kind"] === "var") for (const d of (node["declarations"] as unknown[]) ?? []) if (isNode(d)) addPattern(d["id"]);
        break;
      case "ImportDeclaration":
        for (const spec of (node["specifiers"] as unknown[]) ?? []) if (isNode(spec) && isNode(spec["local"])) names.add(String(spec["local"]["name"]));
        return;
    }
    for (const key of Object.keys(node)) {
      if (key === "type" || key === "loc" || key === "start" || key === "end") continue;
      const value = node[key];
      const block = node.type !== "Program" && node.type !== "ExportNamedDeclaration" && node.type !== "ExportDefaultDeclaration";
      if (Array.isArray(value)) {
        for (const item of value) if (isNode(item)) visit(item, top && !block);
      } else if (isNode(value)) {
        visit(value, top && !block);
      }
    }
  };
  visit(program, true);
  return names;
}

/**
 * An expression for the global object that the program's own declarations do not shadow (lodash-es
 * declares `var Symbol`, core-js `var globalThis`), for the preambles, which run before them.
 */
export function globalObjectIn(program: AstNode): string {
  const declared = topLevelNames(program);
  for (const name of ["globalThis", "global", "self"]) if (!declared.has(name)) return name;
  return declared.has("Function") ? '(0,eval)("this")' : 'Function("return this")()';
}
