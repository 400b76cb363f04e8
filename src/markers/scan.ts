/**
 * Finds `// interlace: name` and `/* interlace: name *\/` marker comments in original source text
 * and computes the position of the code each marker gates.
 *
 * Comments come from oxc-parser, so comment-like text inside strings, template literals and regular
 * expressions is never mistaken for a marker.
 *
 * @module
 */
import { parseSync, type Comment, type OxcError, type ParseResult, type ParserOptions } from "oxc-parser";

/** One marker comment and the code it gates, in original-source coordinates. */
export interface MarkerSite {
  /** Marker name, e.g. `read_balance`. */
  name: string;
  /** 1-based line of the first token of the gated code. */
  line: number;
  /** 0-based UTF-16 column of that token. */
  column: number;
  /** 1-based line where the marker comment starts. */
  commentLine: number;
  /** `true` when code precedes the comment on its line (the marker gates its own line). */
  inline: boolean;
  /** Trimmed source text of the gated line, for reports. */
  text: string;
}

/** A problem found while scanning: a malformed marker, a marker gating nothing, a parse error. */
export interface MarkerDiagnostic {
  /** 1-based line. */
  line: number;
  /** 0-based UTF-16 column. */
  column: number;
  message: string;
}

/** Result of {@link scanMarkers}: markers in source order, plus diagnostics. */
export interface MarkerScan {
  markers: MarkerSite[];
  diagnostics: MarkerDiagnostic[];
}

/** `interlace:` followed by optional spaces/tabs and exactly one name. */
const MARKER = /^interlace:[ \t]*([A-Za-z_$][\w$.-]*)$/;
const MARKER_PREFIX = "interlace:";
const EXPECTED_FORM = 'expected "// interlace: <name>" where <name> matches [A-Za-z_$][\\w$.-]*';
/** ECMAScript WhiteSpace and LineTerminator, tested at one position. */
const WHITESPACE = /\s/y;

type Lang = NonNullable<ParserOptions["lang"]>;
type SourceType = NonNullable<ParserOptions["sourceType"]>;

/**
 * Scans `source` for marker comments.
 *
 * @param source - Original source text (JS, JSX, TS or TSX).
 * @param filename - File name or path; its extension selects the language and module kind.
 * @returns Markers in source order (two markers gating one position are both kept) and diagnostics.
 */
export function scanMarkers(source: string, filename: string): MarkerScan {
  const parsed = parse(source, filename);
  const comments = [...parsed.comments].sort((a, b) => a.start - b.start);
  const lines = new LineTable(source);
  const diagnostics: MarkerDiagnostic[] = [];
  const markers: MarkerSite[] = [];

  const firstError = parsed.errors[0];
  if (firstError !== undefined) {
    diagnostics.push(parseDiagnostic(firstError, parsed.errors.length, comments.length, lines));
  }

  const trivia = new TriviaSkipper(source, comments);
  for (const comment of comments) {
    const value = comment.value.trim();
    if (!value.startsWith(MARKER_PREFIX)) continue;
    const at = lines.position(comment.start);
    const match = MARKER.exec(value);
    const name = match?.[1];
    if (name === undefined) {
      diagnostics.push({ ...at, message: `malformed marker comment "${value}": ${EXPECTED_FORM}` });
      continue;
    }
    const lineStart = lines.lineStart(at.line);
    const beforeComment = trivia.skip(lineStart, comment.start);
    const inline = beforeComment < comment.start;
    const gated = inline ? beforeComment : trivia.skip(comment.end, source.length);
    if (gated >= source.length) {
      diagnostics.push({
        ...at,
        message: `marker "${name}" gates no code: nothing but comments and whitespace follow it to the end of the file`,
      });
      continue;
    }
    const pos = lines.position(gated);
    markers.push({
      name,
      line: pos.line,
      column: pos.column,
      commentLine: at.line,
      inline,
      text: lines.lineText(pos.line).trim(),
    });
  }
  return { markers, diagnostics };
}

/** Parses with the language and module kind implied by the extension; retries `.js`-like files as CommonJS. */
function parse(source: string, filename: string): ParseResult {
  const { lang, sourceType } = languageOf(filename);
  const first = parseSync(filename, source, { lang, sourceType });
  if (first.errors.length === 0 || sourceType !== "unambiguous") return first;
  // A CommonJS file using top-level `return` is an error in every other mode.
  const retry = parseSync(filename, source, { lang, sourceType: "commonjs" });
  return retry.errors.length < first.errors.length ? retry : first;
}

function languageOf(filename: string): { lang: Lang; sourceType: SourceType } {
  const ext = /\.[^./\\]+$/.exec(filename)?.[0].toLowerCase() ?? "";
  switch (ext) {
    case ".ts":
      return { lang: "ts", sourceType: "unambiguous" };
    case ".mts":
      return { lang: "ts", sourceType: "module" };
    case ".cts":
      return { lang: "ts", sourceType: "commonjs" };
    case ".tsx":
      return { lang: "tsx", sourceType: "unambiguous" };
    case ".jsx":
      return { lang: "jsx", sourceType: "unambiguous" };
    case ".mjs":
      return { lang: "js", sourceType: "module" };
    case ".cjs":
      return { lang: "js", sourceType: "commonjs" };
    default:
      return { lang: "js", sourceType: "unambiguous" };
  }
}

function parseDiagnostic(error: OxcError, errorCount: number, commentCount: number, lines: LineTable): MarkerDiagnostic {
  const start = error.labels[0]?.start ?? 0;
  const more = errorCount > 1 ? ` (and ${errorCount - 1} more parse errors)` : "";
  const recovered =
    commentCount > 0
      ? `markers were read from the ${commentCount} comments the parser recovered`
      : "the parser recovered no comments, so no markers were read from this file";
  return { ...lines.position(start), message: `parse error: ${error.message}${more}; ${recovered}` };
}

/** Skips whitespace, line terminators and comments. */
class TriviaSkipper {
  readonly #source: string;
  readonly #comments: readonly Comment[];

  constructor(source: string, comments: readonly Comment[]) {
    this.#source = source;
    this.#comments = comments;
  }

  /** First offset in `[from, limit)` that is neither whitespace nor inside a comment; `limit` if none. */
  skip(from: number, limit: number): number {
    let pos = from;
    while (pos < limit) {
      WHITESPACE.lastIndex = pos;
      if (WHITESPACE.test(this.#source)) {
        pos += 1;
        continue;
      }
      const comment = this.#commentCovering(pos);
      if (comment === undefined) break;
      pos = comment.end;
    }
    return Math.min(pos, limit);
  }

  /** The comment with `start <= pos < end`, if any. */
  #commentCovering(pos: number): Comment | undefined {
    let lo = 0;
    let hi = this.#comments.length - 1;
    let found: Comment | undefined;
    while (lo <= hi) {
      const mid = (lo + hi) >>> 1;
      const c = this.#comments[mid];
      if (c === undefined) break;
      if (c.start <= pos) {
        found = c;
        lo = mid + 1;
      } else {
        hi = mid - 1;
      }
    }
    return found !== undefined && pos < found.end ? found : undefined;
  }
}

/**
 * Offset → (line, column) conversion. Lines end at `\n`, `\r\n`, `\r`, U+2028 and U+2029, the
 * ECMAScript line terminators that V8, esbuild and tsc all count.
 */
class LineTable {
  readonly #source: string;
  readonly #starts: number[] = [0];

  constructor(source: string) {
    this.#source = source;
    for (let i = 0; i < source.length; i++) {
      const ch = source.charCodeAt(i);
      if (ch === 0x0d && source.charCodeAt(i + 1) === 0x0a) continue; // the \n of \r\n ends the line
      if (ch === 0x0a || ch === 0x0d || ch === 0x2028 || ch === 0x2029) this.#starts.push(i + 1);
    }
  }

  /** 1-based line and 0-based UTF-16 column of `offset`. */
  position(offset: number): { line: number; column: number } {
    let lo = 0;
    let hi = this.#starts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >>> 1;
      if ((this.#starts[mid] ?? 0) <= offset) lo = mid;
      else hi = mid - 1;
    }
    return { line: lo + 1, column: offset - (this.#starts[lo] ?? 0) };
  }

  /** Offset where 1-based `line` starts. */
  lineStart(line: number): number {
    return this.#starts[line - 1] ?? this.#source.length;
  }

  /** Text of 1-based `line` without its terminator. */
  lineText(line: number): string {
    const start = this.lineStart(line);
    const next = this.#starts[line] ?? this.#source.length + 1;
    return this.#source.slice(start, next - 1).replace(/\r$/, "");
  }
}
