/**
 * Offset ↔ (line, column) conversion for one text, shared by the marker scanner and the task
 * transform.
 *
 * @module
 */

/** 1-based line, 0-based UTF-16 column. */
export interface Position {
  line: number;
  column: number;
}

/**
 * Offset ↔ position conversion for one text. Source maps (and magic-string) split lines at `\n`
 * only; the marker scanner and V8 count every ECMAScript line terminator. The two agree except in
 * files with lone `\r`, U+2028 or U+2029.
 */
export class LineIndex {
  readonly #starts: number[] = [0];
  readonly #text: string;
  readonly #length: number;

  /** @param allTerminators - Count `\r`, U+2028 and U+2029 as line ends too (else `\n` only). */
  constructor(text: string, allTerminators: boolean) {
    this.#text = text;
    this.#length = text.length;
    for (let i = 0; i < text.length; i++) {
      const ch = text.charCodeAt(i);
      if (ch === 0x0a) this.#starts.push(i + 1);
      else if (allTerminators && (ch === 0x2028 || ch === 0x2029)) this.#starts.push(i + 1);
      else if (allTerminators && ch === 0x0d && text.charCodeAt(i + 1) !== 0x0a) this.#starts.push(i + 1);
    }
  }

  /** Position of `offset`. */
  position(offset: number): Position {
    let lo = 0;
    let hi = this.#starts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >>> 1;
      if ((this.#starts[mid] ?? 0) <= offset) lo = mid;
      else hi = mid - 1;
    }
    return { line: lo + 1, column: offset - (this.#starts[lo] ?? 0) };
  }

  /** Offset of a position; `null` when the line does not exist. */
  offset(at: Position): number | null {
    const start = this.#starts[at.line - 1];
    if (start === undefined) return null;
    return Math.min(start + at.column, this.#length);
  }

  /** Offset where the line after the one holding `offset` starts (the text's length on the last line). */
  nextLineStart(offset: number): number {
    return this.#starts[this.position(offset).line] ?? this.#length;
  }

  /** Offset where 1-based `line` starts (the text's length past the last line). */
  lineStart(line: number): number {
    return this.#starts[line - 1] ?? this.#length;
  }

  /** Text of 1-based `line` without its terminator. */
  lineText(line: number): string {
    const start = this.lineStart(line);
    const next = this.#starts[line] ?? this.#length + 1;
    return this.#text.slice(start, next - 1).replace(/\r$/, "");
  }
}
