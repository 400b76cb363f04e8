/**
 * How source positions are shown to users: paths relative to the working directory, line text.
 *
 * @module
 */
import { readFileSync } from "node:fs";
import { isAbsolute, relative } from "node:path";
import { fileURLToPath } from "node:url";

/** Trimmed text of a 1-based line of a file, or undefined if it cannot be read (error paths only). */
export function sourceLine(pathOrUrl: string, line: number): string | undefined {
  try {
    const path = pathOrUrl.startsWith("file:") ? fileURLToPath(pathOrUrl) : pathOrUrl;
    return readFileSync(path, "utf8").split(/\r?\n/)[line - 1]?.trim();
  } catch {
    return undefined;
  }
}

/** A file path or URL as shown to users: relative to the working directory when inside it. */
export function displayPath(pathOrUrl: string): string {
  const path = pathOrUrl.startsWith("file:") ? fileURLToPath(pathOrUrl) : pathOrUrl;
  if (!isAbsolute(path)) return path;
  const rel = relative(process.cwd(), path);
  return rel.startsWith("..") || isAbsolute(rel) ? path : rel;
}
