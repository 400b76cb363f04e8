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
  const common: ParserPlugin[] = ["explicitResourceManagement", "deprecatedImportAssert"];
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
