/**
 * Where a syntax error is. Node's SyntaxError for an ES module names neither file nor position, and
 * a compiler's error arrives wrapped in its stack: the CLI re-parses the module that failed to load
 * (and the relative imports it reaches) with @babel/parser, which reports file:line:column.
 *
 * @module
 */
import { existsSync, readFileSync, statSync } from "node:fs";
import { dirname, isAbsolute, relative, resolve } from "node:path";
import { parse, type ParserPlugin } from "@babel/parser";

/** A syntax error found by re-parsing a file. */
export interface SyntaxLocation {
  /** Absolute path of the file. */
  file: string;
  /** 1-based line. */
  line: number;
  /** 1-based column. */
  column: number;
  /** The parser's message, without its position. */
  reason: string;
  /** The source line. */
  text: string;
}

const TS: ParserPlugin[] = ["typescript", "decorators-legacy", "explicitResourceManagement", "deprecatedImportAssert"];
const JS: ParserPlugin[] = ["decorators", "decoratorAutoAccessors", "explicitResourceManagement", "deprecatedImportAssert"];

function pluginsFor(file: string): ParserPlugin[] {
  if (/\.[mc]?ts$/i.test(file)) return TS;
  if (/\.tsx$/i.test(file)) return ["jsx", ...TS];
  if (/\.jsx$/i.test(file)) return ["jsx", ...JS];
  return JS;
}

/** The first syntax error of `code` (from `file`, whose extension picks the syntax), or null when it parses. */
export function syntaxErrorOf(file: string, code: string): SyntaxLocation | null {
  const formats: ("module" | "script")[] = /\.c[jt]s$/i.test(file) ? ["script"] : /\.m[jt]s$/i.test(file) ? ["module"] : ["module", "script"];
  let first: SyntaxLocation | null = null;
  for (const sourceType of formats) {
    try {
      parse(code, {
        sourceType,
        plugins: pluginsFor(file),
        errorRecovery: false,
        allowReturnOutsideFunction: sourceType === "script",
        allowAwaitOutsideFunction: sourceType === "module",
        attachComment: false,
      });
      return null;
    } catch (error) {
      const loc = (error as { loc?: { line: number; column: number } }).loc;
      if (loc === undefined) return null;
      first ??= {
        file,
        line: loc.line,
        column: loc.column + 1,
        reason: (error as Error).message.replace(/\s*\(\d+:\d+\)\s*$/, ""),
        text: code.split(/\r?\n/)[loc.line - 1] ?? "",
      };
    }
  }
  return first;
}

const RELATIVE = /(?:\bfrom\s*|\bimport\s*\(\s*|\bimport\s+|\brequire\s*\(\s*|\bnew\s+URL\s*\(\s*)(["'])(\.{1,2}\/[^"'\n]+)\1/g;
const CANDIDATES = ["", ".ts", ".mts", ".cts", ".tsx", ".js", ".mjs", ".cjs", ".jsx", "/index.ts", "/index.js"];

function resolveRelative(from: string, specifier: string): string | null {
  const base = resolve(dirname(from), specifier.replace(/[?#].*$/, ""));
  // TypeScript sources import "./x.js" for x.ts.
  const swapped = base.replace(/\.([mc]?)js$/, ".$1ts");
  for (const candidate of [...CANDIDATES.map((ext) => base + ext), swapped]) {
    if (existsSync(candidate) && statSync(candidate).isFile()) return candidate;
  }
  return null;
}

/**
 * The first syntax error in `entry` or the files it imports by relative specifier (breadth first,
 * at most `limit` files, never under node_modules), or null.
 */
export function findSyntaxError(entry: string, limit = 200): SyntaxLocation | null {
  const queue = [resolve(entry)];
  const seen = new Set(queue);
  for (let i = 0; i < queue.length && i < limit; i++) {
    const file = queue[i]!;
    let code: string;
    try {
      code = readFileSync(file, "utf8");
    } catch {
      continue;
    }
    const found = syntaxErrorOf(file, code);
    if (found !== null) return found;
    for (const match of code.matchAll(RELATIVE)) {
      const next = resolveRelative(file, match[2]!);
      if (next === null || seen.has(next) || /[\\/]node_modules[\\/]/.test(next)) continue;
      seen.add(next);
      queue.push(next);
    }
  }
  return null;
}

/** `path:line:column: SyntaxError: reason`, then the line and a caret under the column. */
export function formatSyntaxError(found: SyntaxLocation): string {
  const shown = relative(process.cwd(), found.file);
  const path = shown.startsWith("..") || isAbsolute(shown) ? found.file : shown;
  const gutter = " ".repeat(String(found.line).length);
  const pad = found.text.slice(0, found.column - 1).replace(/[^\t]/g, " ");
  return `${path}:${found.line}:${found.column}: SyntaxError: ${found.reason}\n  ${found.line} | ${found.text}\n  ${gutter} | ${pad}^`;
}
