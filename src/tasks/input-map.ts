/**
 * Input source maps and position bookkeeping for the task transform (`transform.ts`).
 *
 * Code handed to the transform may already be compiled (tsx, esbuild, vite): it then carries an
 * inline `//# sourceMappingURL=data:…` map back to the original source. This module finds and
 * decodes that map, makes its sources absolute, finds the original text markers are read from,
 * converts positions between the original source and the code ({@link Positions}), and composes
 * the transform's own map through it ({@link composeMap}). Everything here is synchronous.
 *
 * @module
 */
import { readFileSync } from "node:fs";
import { dirname, isAbsolute, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import remapping from "@jridgewell/remapping";
import { encode, type SourceMapSegment } from "@jridgewell/sourcemap-codec";
import {
  FlattenMap,
  GREATEST_LOWER_BOUND,
  LEAST_UPPER_BOUND,
  TraceMap,
  encodedMap,
  generatedPositionFor,
  originalPositionFor,
} from "@jridgewell/trace-mapping";
import type MagicString from "magic-string";
import { decodeDataUrl } from "../markers/source-map.js";
import { LineIndex, type Position } from "../markers/line-index.js";

/** A source map v3 in its JSON shape. */
export interface EncodedMap {
  version: 3;
  sources: string[];
  sourcesContent?: (string | null)[];
  names: string[];
  mappings: string;
  file?: string;
}

export type { Position };

/** A comment as the parser reports it. */
export interface CommentRange {
  value: string;
  start: number;
  end: number;
}

/** The inline map an input carried, decoded. */
export interface InputMap {
  /** The map with every `sources` entry made absolute (paths for files) and no `sourceRoot`. */
  readonly map: EncodedMap;
  readonly trace: TraceMap;
  /** Offsets `[start, end)` of the `sourceMappingURL` comment in the code. */
  readonly comment: { start: number; end: number };
}

/** Where the original source of instrumented code comes from. */
export interface OriginalSource {
  /** Absolute path (or the map's name) of the original source. */
  path: string;
  /** Its text, or null when it could not be found. */
  text: string | null;
}

const SOURCE_MAPPING_URL = /^[#@][ \t]*sourceMappingURL=(\S+)\s*$/;

/**
 * Finds the last `sourceMappingURL` comment and decodes it when it is an inline `data:` URL.
 *
 * @param comments - Comments of the code, from its parse (so text in strings never matches).
 * @param filename - Absolute path of the code; relative map sources are resolved against it.
 * @returns The map; `null` when there is no reference or it is not a `data:` URL (a map file beside
 *   the code describes it, not an original: the code is then treated as the original); or a
 *   problem when an inline map is unusable.
 */
export function readInputMap(
  comments: readonly CommentRange[],
  filename: string,
): InputMap | { problem: string } | null {
  let found: { url: string; comment: CommentRange } | null = null;
  for (const comment of comments) {
    const match = SOURCE_MAPPING_URL.exec(comment.value.trim());
    if (match?.[1] !== undefined) found = { url: match[1], comment };
  }
  if (found === null || !found.url.startsWith("data:")) return null;
  try {
    const encoded = encodedMap(new FlattenMap(decodeDataUrl(found.url)));
    const root = encoded.sourceRoot ?? "";
    const map: EncodedMap = {
      version: 3,
      sources: encoded.sources.map((source) => absoluteSource(root, source ?? "", filename)),
      names: encoded.names,
      mappings: encoded.mappings,
    };
    if (encoded.sourcesContent !== undefined) map.sourcesContent = encoded.sourcesContent;
    return { map, trace: new TraceMap(map), comment: { start: found.comment.start, end: found.comment.end } };
  } catch (error) {
    return { problem: `unusable inline source map: ${error instanceof Error ? error.message : String(error)}` };
  }
}

/**
 * Picks the original source that markers are read from, and its text: `originalSource` when
 * given, else the map's `sourcesContent`, else the file on disk.
 *
 * @param input - The input map; without one the code is its own original.
 */
export function originalSourceOf(
  input: InputMap | null,
  code: string,
  filename: string,
  originalSource: string | undefined,
): OriginalSource {
  if (input === null) return { path: filename, text: originalSource ?? code };
  const { sources, sourcesContent = [] } = input.map;
  let index = sources.length === 1 ? 0 : -1;
  if (index < 0 && originalSource !== undefined) index = sourcesContent.indexOf(originalSource);
  if (index < 0) index = sources.indexOf(filename);
  if (index < 0) index = sources.findIndex((source) => stem(source) === stem(filename));
  if (index < 0) index = 0;
  const path = sources[index] ?? filename;
  const text = originalSource ?? sourcesContent[index] ?? readOriginal(path);
  if (text !== null && sourcesContent[index] == null) {
    // Fill the gap so the composed map carries the original text.
    input.map.sourcesContent = sources.map((_, i) => (i === index ? text : (sourcesContent[i] ?? null)));
  }
  return { path, text };
}

/**
 * First generated position of an original position, searched on its line leftwards first (the
 * mapping that covers it), then rightwards. `null` when the line has no mapping.
 */
function generatedFor(input: InputMap, source: string, at: Position): Position | null {
  for (const bias of [GREATEST_LOWER_BOUND, LEAST_UPPER_BOUND] as const) {
    const found = generatedPositionFor(input.trace, { source, line: at.line, column: at.column, bias });
    if (found.line !== null) return { line: found.line, column: found.column };
  }
  return null;
}

/** Original position of a generated position; `null` when it maps nowhere. */
function originalFor(input: InputMap, at: Position): (Position & { source: string }) | null {
  for (const bias of [GREATEST_LOWER_BOUND, LEAST_UPPER_BOUND] as const) {
    const found = originalPositionFor(input.trace, { line: at.line, column: at.column, bias });
    if (found.line !== null) return { line: found.line, column: found.column, source: found.source ?? "" };
  }
  return null;
}

/** Converts offsets in the code to original positions and back. */
export class Positions {
  readonly #input: InputMap | null;
  /** Lines of the code as source maps count them. */
  readonly #generated: LineIndex;
  /** Lines of the code as the marker scanner counts them (used when the code is the original). */
  readonly #own: LineIndex;

  constructor(code: string, input: InputMap | null) {
    this.#input = input;
    this.#generated = new LineIndex(code, false);
    this.#own = input === null ? new LineIndex(code, true) : this.#generated;
  }

  /** Original position of an offset in the code (its generated position when it maps nowhere). */
  original(offset: number): Position {
    if (this.#input === null) return this.#own.position(offset);
    const at = this.#generated.position(offset);
    const found = originalFor(this.#input, at);
    return found === null ? at : { line: found.line, column: found.column };
  }

  /** Position of an offset in the code itself (as source maps count lines). */
  generated(offset: number): Position {
    return this.#generated.position(offset);
  }

  /** Offset in the code of an original position; `null` when the input map does not map its line. */
  offset(source: string, at: Position): number | null {
    if (this.#input === null) return this.#own.offset(at);
    const generated = generatedFor(this.#input, source, at);
    return generated === null ? null : this.#generated.offset(generated);
  }

  /** Whether `offset` is code of the original line `line` (or, without an input map, on the line of `from`). */
  sameLine(offset: number, from: number, line: number): boolean {
    if (this.#input === null) return offset < this.#own.nextLineStart(from);
    return originalFor(this.#input, this.#generated.position(offset))?.line === line;
  }
}

/**
 * The map of the edits in `ms` (hires: every character), composed with the input map when there is
 * one. Without one, `originalSource` (when given) is the code's original with the same layout
 * (types replaced by blanks, say): it becomes the map's content.
 */
export function composeMap(
  ms: MagicString,
  filename: string,
  input: InputMap | null,
  originalSource: string | undefined,
  anchors: readonly Anchor[] = [],
): EncodedMap {
  const own = anchors.length === 0 ? ms.generateMap({ hires: true, source: filename, includeContent: true }) : anchored(ms, filename, anchors);
  const map: EncodedMap = { version: 3, sources: own.sources, names: own.names, mappings: own.mappings };
  if (own.sourcesContent !== undefined) map.sourcesContent = own.sourcesContent;
  if (input === null) {
    if (originalSource !== undefined) map.sourcesContent = [originalSource];
    return map;
  }
  const composed = remapping([map, input.map], () => null);
  const result: EncodedMap = {
    version: 3,
    sources: composed.sources.map((source) => source ?? ""),
    names: composed.names,
    mappings: String(composed.mappings),
  };
  if (composed.sourcesContent !== undefined) result.sourcesContent = composed.sourcesContent;
  return result;
}

/**
 * Inserted text that must map to a position of the code: a marker's gate, inserted before the
 * statement it gates, maps to that statement. (MagicString leaves inserted text unmapped, so a
 * lookup there finds the segment before it: on one-line code such as tsx's output, the end of the
 * previous statement, on another original line.)
 */
export interface Anchor {
  /** Where the inserted text starts in the output, as source maps count (1-based line, 0-based column). */
  generated: Position;
  /** The position of the code it stands for. */
  source: Position;
}

/** MagicString's map with a segment added at each anchor. */
function anchored(ms: MagicString, filename: string, anchors: readonly Anchor[]): { sources: string[]; names: string[]; mappings: string; sourcesContent?: (string | null)[] } {
  const decoded = ms.generateDecodedMap({ hires: true, source: filename, includeContent: true });
  const lines = decoded.mappings as unknown as SourceMapSegment[][];
  for (const { generated, source } of anchors) {
    const line = (lines[generated.line - 1] ??= []);
    const segment: SourceMapSegment = [generated.column, 0, source.line - 1, source.column];
    const at = line.findIndex((s) => (s[0] ?? 0) >= generated.column);
    if (at < 0) line.push(segment);
    else if (line[at]![0] === generated.column) line[at] = segment;
    else line.splice(at, 0, segment);
  }
  const encoded = ms.generateMap({ hires: true, source: filename, includeContent: true });
  return { sources: encoded.sources, names: encoded.names, mappings: encode(lines), ...(encoded.sourcesContent === undefined ? {} : { sourcesContent: encoded.sourcesContent }) };
}

/** A map source as an absolute path (file sources) or as written (other URLs). */
function absoluteSource(root: string, source: string, filename: string): string {
  const rooted = root !== "" && !isAbsolute(source) && !/^[a-z][\w+.-]*:/i.test(source);
  const joined = rooted ? `${root.replace(/\/?$/, "/")}${source}` : source;
  if (joined.startsWith("file:")) return fileURLToPath(joined);
  if (/^[a-z][\w+.-]*:/i.test(joined) && !/^[a-z]:[\\/]/i.test(joined)) return joined;
  return isAbsolute(joined) ? joined : resolve(dirname(filename), joined);
}

/** A path without its last extension. */
function stem(path: string): string {
  return path.replace(/\.[^./\\]*$/, "");
}

function readOriginal(path: string): string | null {
  if (!isAbsolute(path)) return null;
  try {
    return readFileSync(path, "utf8");
  } catch {
    return null;
  }
}
