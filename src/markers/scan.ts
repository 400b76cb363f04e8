/**
 * Finds `// interlace: name` and `/* interlace: name *\/` marker comments in original source text
 * and computes the position of the code each marker gates.
 *
 * Comments come from @babel/parser (pure JavaScript, no platform binaries), so comment-like text
 * inside strings, template literals and regular
 * expressions is never mistaken for a marker.
 *
 * @module
 */
import { parse as babelParse, type ParserPlugin } from "@babel/parser";
import { LineIndex } from "./line-index.js";

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
  const lines = new LineIndex(source, true);
  const diagnostics: MarkerDiagnostic[] = [];
  const markers: MarkerSite[] = [];

  if (parsed.errors.length > 0) diagnostics.push(parseDiagnostic(parsed, lines));

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

/** A comment as the parser reports it: UTF-16 offsets into the source. */
interface Comment {
  value: string;
  start: number;
  end: number;
}

/** What {@link parse} keeps of a parse: the comments, and the errors it recovered from or died of. */
interface ParseResult {
  comments: Comment[];
  errors: { message: string; pos: number }[];
  /** True when parsing stopped at the first error (no comments were collected). */
  fatal: boolean;
}

/** Parses with the language and module kind implied by the extension; retries `.js`-like files as scripts. */
function parse(source: string, filename: string): ParseResult {
  const { plugins, sourceType } = languageOf(filename);
  const first = parseWith(source, plugins, sourceType);
  if (first.errors.length === 0 || sourceType !== "unambiguous") return first;
  // A CommonJS file using top-level `return` parses as a script only.
  const retry = parseWith(source, plugins, "script");
  return retry.errors.length < first.errors.length ? retry : first;
}

function parseWith(source: string, plugins: ParserPlugin[], sourceType: SourceType): ParseResult {
  try {
    const file = babelParse(source, {
      sourceType,
      plugins,
      errorRecovery: true,
      allowReturnOutsideFunction: sourceType === "script",
      allowAwaitOutsideFunction: true,
      allowUndeclaredExports: true,
    });
    const comments = (file.comments ?? []).map((c) => ({ value: c.value, start: c.start ?? 0, end: c.end ?? 0 }));
    const errors = (file.errors ?? []).map((e) => {
      const { message, pos } = e as unknown as { message?: string; pos?: number };
      return { message: message ?? e.reasonCode, pos: pos ?? 0 };
    });
    return { comments, errors, fatal: false };
  } catch (error) {
    const { message, pos } = error as { message?: string; pos?: number };
    return { comments: [], errors: [{ message: String(message), pos: pos ?? 0 }], fatal: true };
  }
}

type SourceType = "module" | "script" | "unambiguous";

function languageOf(filename: string): { plugins: ParserPlugin[]; sourceType: SourceType } {
  const ext = /\.[^./\\]+$/.exec(filename)?.[0].toLowerCase() ?? "";
  const ts: ParserPlugin[] = ["typescript", "decorators-legacy"];
  const js: ParserPlugin[] = ["jsx"];
  switch (ext) {
    case ".ts":
      return { plugins: ts, sourceType: "unambiguous" };
    case ".mts":
      return { plugins: ts, sourceType: "module" };
    case ".cts":
      // CommonJS output, but TypeScript source written with import/export syntax.
      return { plugins: ts, sourceType: "unambiguous" };
    case ".tsx":
      return { plugins: [...ts, "jsx"], sourceType: "unambiguous" };
    case ".mjs":
      return { plugins: js, sourceType: "module" };
    case ".cjs":
      return { plugins: js, sourceType: "script" };
    default:
      return { plugins: js, sourceType: "unambiguous" };
  }
}

function parseDiagnostic(parsed: ParseResult, lines: LineIndex): MarkerDiagnostic {
  const [first] = parsed.errors;
  const more = parsed.errors.length > 1 ? ` (and ${parsed.errors.length - 1} more parse errors)` : "";
  const recovered = parsed.fatal
    ? "the parser stopped there, so no markers were read from this file"
    : `markers were read from the ${parsed.comments.length} comments the parser recovered`;
  return { ...lines.position(first?.pos ?? 0), message: `parse error: ${first?.message}${more}; ${recovered}` };
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
