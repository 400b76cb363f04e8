/**
 * The task transform: rewrites JavaScript or TypeScript source so that every `await`, every
 * `for await` loop and every marker comment inside an async function becomes a scheduling gate
 * (the forms are described in `gates.ts`) and, with `accesses`, every property access a call of
 * the access runtime (`../access/transform.ts`): one parse, both sets of edits applied together.
 * It never adds a line, and returns an exact source map back to the original source, composed
 * through any inline input map.
 *
 * Synchronous on purpose: it runs inside a patched `Module.prototype._compile` for CommonJS.
 *
 * @module
 */
import { statSync } from "node:fs";
import { pathToFileURL } from "node:url";
import MagicString from "magic-string";
import { Edits } from "../access/edits.js";
import { accessEdits, accessPreamble } from "../access/transform.js";
import { scanMarkers, type MarkerSite } from "../markers/scan.js";
import { GateKind, gatesPreamble, type GateSite } from "./gates.js";
import { Walker, type Rewrite } from "./gate-walker.js";
import { Positions, composeMap, originalSourceOf, readInputMap, type Anchor, type EncodedMap } from "./input-map.js";
import { LineIndex } from "../markers/line-index.js";
import { globalObjectIn, parseCode, insertPreamble, type ParsedCode } from "./parse-code.js";

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
  /**
   * Also instrument property accesses for the access recorder (`src/access/`), in the same pass.
   * The file is then instrumented even when it has no gate. Default false.
   */
  accesses?: boolean;
  /**
   * `interlace debug`: every await and marker gate also passes a closure made in the awaiting
   * frame ({@link PEEK_CLOSURE}), so that a debugger can stop inside it and read that frame's
   * variables while the task is parked. Default false.
   */
  peek?: boolean;
}

/**
 * The closure a gate passes under `peek`: calling it stops at its `debugger` statement (when a
 * debugger is attached) with the awaiting function's scope as its closure scope. The direct `eval`
 * it never runs (it is called with no argument) makes V8 keep every variable of the enclosing
 * functions in their contexts, where a suspended frame's locals can be read; without it only
 * variables some closure uses are kept. It must be a call a compiler cannot prove dead: esbuild
 * (tsx) drops `0&&eval("")`. It names `this`, or V8 would not keep the method's `this` for it.
 */
export const PEEK_CLOSURE = "(s)=>{debugger;return s===void 0?this:eval(s)}";

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
 *   or `point()` call, no property access when `accesses` is asked for, and nothing to warn
 *   about): load it unmodified then.
 * @throws SyntaxError when `code` does not parse (the loaders warn and load it unmodified).
 */
export function instrument(code: string, options: InstrumentOptions): InstrumentResult | null {
  const { filename } = options;
  const accesses = options.accesses === true;
  const mayGate = /\bawait\b|\bpoint\b|interlace:|sourceMappingURL=data:/.test(code);
  if (!accesses && !mayGate && options.originalSource?.includes("interlace:") !== true) return null;
  const file = tryParse(code, options);

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

  const edits = new Edits();
  const sites: GateSite[] = [];
  // Gate sites are reported at original positions, in the original file, when that file is there
  // to read (tsx's output maps to the file itself); compiled code whose original is not on disk (a
  // package shipping only its dist/ with sourcesContent maps) is reported at its own lines.
  const inOriginal = input === null || original.path === filename || readable(original.path);
  const siteFile = inOriginal && input !== null ? pathToFileURL(original.path).href : pathToFileURL(filename).href;
  const place: SitePlace = inOriginal ? (offset) => positions.original(offset) : (offset) => positions.generated(offset);
  const peek = options.peek === true ? `,${PEEK_CLOSURE}` : "";
  const gated: MarkerGate[] = [];
  for (const rewrite of walk.rewrites) addRewrite(edits, rewrite, sites, place, inOriginal, peek, gated);
  let tracked = false;
  let variables: string[] = [];
  if (accesses) {
    try {
      const found = accessEdits(code, file.program, options.format);
      tracked = !found.edits.empty;
      variables = found.variables;
      edits.absorb(found.edits); // Registered after the gates: an access wrapping a gate's operand nests inside the gate.
    } catch (error) {
      const reason = error instanceof Error ? error.message : String(error);
      warnings.push(`${filename}:1: property accesses are not instrumented: ${reason}`);
    }
  }
  if (sites.length === 0 && !tracked && warnings.length === 0) return null;

  const ms = new MagicString(code);
  if (input !== null) ms.remove(input.comment.start, input.comment.end);
  const url = pathToFileURL(filename).href;
  const global = globalObjectIn(file.program);
  const preamble = (sites.length > 0 ? gatesPreamble(siteFile, sites, global) : "") + (tracked ? accessPreamble(url, variables, global) : "");
  if (preamble !== "") insertPreamble(ms, code, file.program, preamble);
  edits.apply(ms, code);

  let out = ms.toString();
  // Only under `peek`: an anchor also maps the statement's position back to the gate (generatedPositionFor), which `run` keeps exact.
  const map = composeMap(ms, filename, input, options.originalSource, options.peek === true ? anchorsOf(out, gated, positions) : []);
  if (options.inlineMap === true) {
    const data = Buffer.from(JSON.stringify(map), "utf8").toString("base64");
    out += `${out.endsWith("\n") ? "" : "\n"}//# sourceMappingURL=data:application/json;charset=utf-8;base64,${data}\n`;
  }
  const markers = [...new Set(sites.flatMap((site) => (site[3] === undefined ? [] : [site[3]])))];
  return { code: out, map, markers, sites, warnings };
}

/** {@link parseCode}, or `null` when the code does not parse (it is then loaded unmodified). */
function tryParse(code: string, options: InstrumentOptions): ParsedCode {
  try {
    return parseCode(code, options);
  } catch (error) {
    // Never silently: a file that is not instrumented has no gates and records nothing.
    const reason = error instanceof Error ? error.message : String(error);
    throw new SyntaxError(`interlace could not parse ${options.filename}, so it is not instrumented: ${reason}`, { cause: error });
  }
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
 * Adds one rewrite's edits, registering its sites. Rewrites come outer first: openings go to the
 * right of their offset in that order, and closings nest by where their region starts (`Edits`).
 */
/** Where a gate site is reported: the position of an offset of the code. */
type SitePlace = (offset: number) => { line: number; column: number };

function readable(path: string): boolean {
  try {
    return statSync(path).isFile();
  } catch {
    return false;
  }
}

/** A marker gate inserted before a statement: its text (unique by its site number) and the statement's offset. */
interface MarkerGate {
  text: string;
  statement: number;
}

/** Where each marker gate landed in the output, anchored to its statement in the map (see `Anchor`). */
function anchorsOf(out: string, gated: readonly MarkerGate[], positions: Positions): Anchor[] {
  if (gated.length === 0) return [];
  const lines = new LineIndex(out, false);
  const anchors: Anchor[] = [];
  for (const gate of gated) {
    const offset = out.indexOf(gate.text);
    if (offset >= 0) anchors.push({ generated: lines.position(offset), source: positions.generated(gate.statement) });
  }
  return anchors;
}

function addRewrite(edits: Edits, rewrite: Rewrite, sites: GateSite[], place: SitePlace, inOriginal: boolean, peek: string, gated: MarkerGate[]): void {
  if (rewrite.kind === "statement") {
    const { target } = rewrite;
    if (target.markers.length === 0) return;
    let gates = "";
    for (const marker of target.markers) {
      // In a generator that compiled code drives as an async function, `yield` is its await.
      const gate = target.context === "coroutine" ? `__il.run!==null&&(yield __il.m(__ilF,${sites.length}${peek}));` : `__il.run!==null&&await __il.m(__ilF,${sites.length}${peek});`;
      gated.push({ text: gate, statement: target.start });
      gates += gate;
      const at = inOriginal ? marker : place(target.start);
      sites.push([at.line, at.column, GateKind.Marker, marker.name]);
    }
    if (target.inList) {
      edits.insert(target.start, gates);
    } else {
      edits.insert(target.start, `{${gates}`);
      edits.close(target.end, "}", target.start);
    }
    return;
  }
  const { line, column } = place(rewrite.at);
  if (rewrite.kind === "point") {
    sites.push([line, column, GateKind.Point, rewrite.name]);
    return;
  }
  const index = sites.length;
  const call = rewrite.kind === "await" ? "__il.a(" : "__il.i(";
  sites.push([line, column, rewrite.kind === "await" ? GateKind.Await : GateKind.ForAwait]);
  edits.insert(rewrite.start, rewrite.sequence ? `${call}(` : call);
  edits.close(rewrite.end, `${rewrite.sequence ? ")" : ""}, __ilF, ${index}${rewrite.kind === "await" ? peek : ""})`, rewrite.start);
}
