// @ts-check
/**
 * Splits a stream of text chunks into lines. Shared by the controller and the process agent.
 * JSON.stringify never emits a raw newline, so one JSON message per line is safe framing.
 */
export class LineReader {
  /** @type {string} */
  #buffer = "";
  /** @type {(line: string) => void} */
  #onLine;

  /** @param {(line: string) => void} onLine */
  constructor(onLine) {
    this.#onLine = onLine;
  }

  /** @param {string} chunk */
  push(chunk) {
    let start = 0;
    let text = this.#buffer + chunk;
    let end = text.indexOf("\n", start);
    while (end !== -1) {
      this.#onLine(text.slice(start, end));
      start = end + 1;
      end = text.indexOf("\n", start);
    }
    this.#buffer = text.slice(start);
  }
}
