/**
 * Text edits of a transform, collected first and applied to the MagicString at the end, so that
 * edits at one offset compose whatever their order of registration — those of the access walk and
 * those of the task transform's gates alike (`tasks/transform.ts` applies both in one pass).
 *
 * @module
 */
import type MagicString from "magic-string";

interface Close {
  readonly text: string;
  /** Start of the region the text closes. */
  readonly from: number;
  /** Registration order. */
  readonly seq: number;
}

/**
 * Text edits at offsets of the original code, never across a line:
 * - {@link insert}: text to the right of an offset, outside every opening there (gates);
 * - {@link open}: text merged into the replacement of the character at the offset, so that what
 *   it opens maps to the start of the original expression; concatenated in registration order
 *   (the walks register outer expressions first);
 * - {@link close}: text to the left of an offset, closing a region that started at `from`; at one
 *   offset, inner regions close first: a later `from` first, and for one `from` the later
 *   registered first;
 * - {@link replace}: a token replaced (a `.`, a bracket, an operator).
 */
export class Edits {
  readonly #inserts: [at: number, text: string][] = [];
  readonly #opens = new Map<number, string>();
  readonly #closes = new Map<number, Close[]>();
  readonly #replacements = new Map<number, { end: number; text: string }>();
  #seq = 0;

  get empty(): boolean {
    return this.#inserts.length === 0 && this.#opens.size === 0 && this.#closes.size === 0 && this.#replacements.size === 0;
  }

  insert(at: number, text: string): void {
    this.#inserts.push([at, text]);
  }

  open(at: number, text: string): void {
    if (text !== "") this.#opens.set(at, (this.#opens.get(at) ?? "") + text);
  }

  close(at: number, text: string, from: number): void {
    if (text === "") return;
    const list = this.#closes.get(at);
    const close = { text, from, seq: this.#seq++ };
    if (list === undefined) this.#closes.set(at, [close]);
    else list.push(close);
  }

  /** Replaces the token `[start, end)` (never a line break). */
  replace(start: number, end: number, text: string): void {
    if (this.#replacements.has(start)) throw new Error(`access transform: two edits of offset ${start}`);
    this.#replacements.set(start, { end, text });
  }

  /** Adds the edits of `other`, as registered after this one's. */
  absorb(other: Edits): void {
    this.#inserts.push(...other.#inserts);
    for (const [at, text] of other.#opens) this.open(at, text);
    for (const [at, list] of other.#closes) for (const close of list) this.close(at, close.text, close.from);
    for (const [start, { end, text }] of other.#replacements) this.replace(start, end, text);
  }

  /**
   * Applies the edits. Minified code writes `return[1].map(f)`, `typeof[].x`, `case"x":`,
   * `a?.[0]instanceof o`: text inserted between an identifier character and another one gets a
   * space, or `return` would become `return__ila…` (a different identifier, or a syntax error).
   */
  apply(ms: MagicString, code: string): void {
    const before = (at: number, text: string): string => (at > 0 && isIdentifierChar(code.charAt(at - 1)) && isIdentifierChar(text.charAt(0)) ? ` ${text}` : text);
    const after = (at: number, text: string): string => (isIdentifierChar(code.charAt(at)) && isIdentifierChar(text.charAt(text.length - 1)) ? `${text} ` : text);
    for (const [at, text] of this.#inserts) ms.appendRight(at, before(at, text));
    for (const [start, { end, text }] of this.#replacements) ms.update(start, end, after(end, before(start, (this.#opens.get(start) ?? "") + text)));
    for (const [at, text] of this.#opens) {
      if (!this.#replacements.has(at)) ms.update(at, at + 1, before(at, text + code.charAt(at)));
    }
    for (const [at, list] of this.#closes) {
      const inner = list.sort((a, b) => b.from - a.from || b.seq - a.seq);
      ms.prependLeft(at, after(at, inner.map((close) => close.text).join("")));
    }
  }
}

/** Whether `c` can be part of an identifier (or a keyword, or a number). */
function isIdentifierChar(c: string): boolean {
  return c !== "" && /[\p{ID_Continue}$\u200c\u200d]/u.test(c);
}
