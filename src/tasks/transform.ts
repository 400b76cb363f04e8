/**
 * The task transform: rewrites JavaScript or TypeScript source so that every `await`, every
 * `for await` loop and every marker comment inside an async function becomes a scheduling gate
 * (the forms are described in `gates.ts`). It only inserts text, never adds a line, and returns
 * an exact source map back to the original source, composed through any inline input map.
 *
 * Synchronous on purpose: it runs inside a patched `Module.prototype._compile` for CommonJS.
 *
 * @module
 */
import { pathToFileURL } from "node:url";
import { parse, type ParserPlugin } from "@babel/parser";
import MagicString from "magic-string";
import { scanMarkers, type MarkerSite } from "../markers/scan.js";
import { GateKind, gatesPreamble, type GateSite } from "./gates.js";
import { Walker, isNode, type AstNode, type Rewrite } from "./gate-walker.js";
import {
  Positions,
  composeMap,
  originalSourceOf,
  readInputMap,
  type CommentRange,
  type EncodedMap,
} from "./input-map.js";

export type { EncodedMap } from "./input-map.js";

/** Options of {@link instrument}. */
export interface InstrumentOptions {
  /** Absolute path of the file. Its extension picks the parser plugins (TypeScript, JSX). */
  filename: string;
  /** `"module"` (ESM, top-level await allowed) or `"commonjs"` (top-level `return` allowed). */
  format: "module" | "commonjs";
  /**
   * Original source text, when `code` was compiled and lost its comments. Markers are read from
   * it. When absent, the original comes from `code`'s inline source map (`sourcesContent`, else the
   * file it names), or is `code` itself when `code` has no inline map.
   */
  originalSource?: string;
  /** Append the map to the code as an inline `//# sourceMappingURL=data:…` comment. */
  inlineMap?: boolean;
}

/** Output of {@link instrument}. */
export interface InstrumentResult {
  code: string;
  /** Source map from `code` to the original source (composed through the input map, if any). */
  map: EncodedMap;
  /** Marker names gated in this file, `point("name")` names included: distinct, in source order. */
  markers: string[];
  /** The gate table the preamble registers; gate `i` in the code is `sites[i]`. */
  sites: GateSite[];
  /** Problems that did not stop instrumentation, as `file:line: message`. */
  warnings: string[];
}

const NO_SWITCH =
  "task threads can only switch at awaits, so it gates nothing for tasks (worker and process threads still stop there)";
/** How far past an unmatched marker position a statement on the marker's line is looked for. */
const MAX_CANDIDATES = 50;

/**
 * Instruments one file for task threads.
 *
 * @param code - The code as it will run (possibly compiled, with an inline source map).
 * @returns The rewritten code, or `null` when there is nothing to instrument (no `await`, marker
 *   or `point()` call, and nothing to warn about) or `code` does not parse: load it unmodified then.
 */
export function instrument(code: string, options: InstrumentOptions): InstrumentResult | null {
  const { filename } = options;
  const mayGate = /\bawait\b|\bpoint\b|interlace:|sourceMappingURL=data:/.test(code);
  if (!mayGate && options.originalSource?.includes("interlace:") !== true) return null;
  const file = parseCode(code, options);
  if (file === null) return null;

  const warnings: string[] = [];
  const readMap = readInputMap(file.comments, filename);
  const input = readMap !== null && "problem" in readMap ? null : readMap;
  if (readMap !== null && "problem" in readMap) warnings.push(`${filename}:1: ${readMap.problem}`);
  const original = originalSourceOf(input, code, filename, options.originalSource);
  const positions = new Positions(code, input);

  const walk = new Walker();
  walk.visit(file.program, "top", null);
  if (original.text === null) {
    // Compiled code whose original is nowhere to be read: only worth a word if it kept marker comments.
    const why = "original source not found (no sourcesContent, file unreadable); markers are not gated";
    if (code.includes("interlace:")) warnings.push(`${original.path}:1: ${why}`);
  } else if (original.text.includes("interlace:")) {
    const scan = scanMarkers(original.text, original.path);
    for (const d of scan.diagnostics) warnings.push(`${original.path}:${d.line}: ${d.message}`);
    for (const marker of scan.markers) {
      const problem = attachMarker(marker, walk, positions, original.path);
      if (problem !== null) warnings.push(`${original.path}:${marker.commentLine}: ${problem}`);
    }
  }

  const ms = new MagicString(code);
  if (input !== null) ms.remove(input.comment.start, input.comment.end);
  const sites: GateSite[] = [];
  for (const rewrite of walk.rewrites) applyRewrite(ms, rewrite, sites, positions);
  if (sites.length === 0 && warnings.length === 0) return null;
  if (sites.length > 0) insertPreamble(ms, code, file.program, gatesPreamble(pathToFileURL(filename).href, sites));

  let out = ms.toString();
  const map = composeMap(ms, filename, input, options.originalSource);
  if (options.inlineMap === true) {
    const data = Buffer.from(JSON.stringify(map), "utf8").toString("base64");
    out += `${out.endsWith("\n") ? "" : "\n"}//# sourceMappingURL=data:application/json;charset=utf-8;base64,${data}\n`;
  }
  const markers = [...new Set(sites.flatMap((site) => (site[3] === undefined ? [] : [site[3]])))];
  return { code: out, map, markers, sites, warnings };
}

/**
 * Parses `code` with the plugins its extension implies; `null` when it does not parse. Code that
 * carries an inline map is compiler output, plain JavaScript whatever its extension: it gets a
 * second try without the TypeScript/JSX plugins.
 */
function parseCode(code: string, options: InstrumentOptions): { program: AstNode; comments: CommentRange[] } | null {
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
    } catch {
      // Try the next plugin set, if any.
    }
  }
  return null;
}

/** Attaches a marker to the statement it gates; returns a problem instead when it cannot gate. */
function attachMarker(marker: MarkerSite, walk: Walker, positions: Positions, source: string): string | null {
  const offset = positions.offset(source, marker);
  if (offset === null) {
    return `marker "${marker.name}" gates no statement: the input source map does not map line ${marker.line}`;
  }
  let target = walk.statements.get(offset);
  if (target === undefined) {
    const starts = walk.sortedStarts;
    let lo = 0;
    let hi = starts.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if ((starts[mid] ?? 0) <= offset) lo = mid + 1;
      else hi = mid;
    }
    for (let i = lo; i < Math.min(starts.length, lo + MAX_CANDIDATES); i++) {
      const start = starts[i] ?? 0;
      if (positions.sameLine(start, offset, marker.line)) {
        target = walk.statements.get(start);
        break;
      }
      if (positions.original(start).line > marker.line) break;
    }
  }
  if (target === undefined) {
    return `marker "${marker.name}" gates no statement: no statement starts at line ${marker.line}, column ${marker.column}`;
  }
  if (target.context === "sync") return `marker "${marker.name}" is in a synchronous function; ${NO_SWITCH}`;
  if (target.context === "top") {
    return `marker "${marker.name}" is at the top level of the file, outside any async function; ${NO_SWITCH}`;
  }
  target.markers.push(marker);
  return null;
}

/**
 * Applies one rewrite, registering its sites. Rewrites come outer first: openings are appended to
 * the right of their offset, closings prepended to its left, so inner ones nest inside.
 */
function applyRewrite(ms: MagicString, rewrite: Rewrite, sites: GateSite[], positions: Positions): void {
  if (rewrite.kind === "statement") {
    const { target } = rewrite;
    if (target.markers.length === 0) return;
    let gates = "";
    for (const marker of target.markers) {
      gates += `__il.run!==null&&await __il.m(__ilF,${sites.length});`;
      sites.push([marker.line, marker.column, GateKind.Marker, marker.name]);
    }
    if (target.inList) {
      ms.appendRight(target.start, gates);
    } else {
      ms.appendRight(target.start, `{${gates}`);
      ms.prependLeft(target.end, "}");
    }
    return;
  }
  const { line, column } = positions.original(rewrite.at);
  if (rewrite.kind === "point") {
    sites.push([line, column, GateKind.Point, rewrite.name]);
    return;
  }
  const index = sites.length;
  const call = rewrite.kind === "await" ? "__il.a(" : "__il.i(";
  sites.push([line, column, rewrite.kind === "await" ? GateKind.Await : GateKind.ForAwait]);
  ms.appendRight(rewrite.start, rewrite.sequence ? `${call}(` : call);
  ms.prependLeft(rewrite.end, `${rewrite.sequence ? ")" : ""}, __ilF, ${index})`);
}

/** Inserts the preamble without adding a line: after a hashbang line and after the directive prologue. */
function insertPreamble(ms: MagicString, code: string, program: AstNode, preamble: string): void {
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
