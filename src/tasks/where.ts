/**
 * Positions of task gates as reports show them: a `file:line:column` (path or URL) or a gate
 * site's position, with the source line's text when it can be read.
 *
 * @module
 */
import type { Where } from "../engine/schedule-run.js";
import { displayPath, sourceLine } from "../markers/display.js";

export function toWhere(url: string, line: number, column: number): Where {
  const text = sourceLine(url, line);
  const where: Where = { file: displayPath(url), line, column };
  return text === undefined ? where : { ...where, text };
}

/** `file:line:column` (path or URL) → Where. */
export function parsePosition(position: string | undefined): Where | undefined {
  const match = position === undefined ? null : /^(.*):(\d+):(\d+)$/.exec(position);
  if (!match) return undefined;
  return toWhere(match[1]!, Number(match[2]), Number(match[3]) - 1);
}

