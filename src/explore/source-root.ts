/**
 * Where a counterexample's source paths are relative to: the package root of the scenario's threads
 * (the nearest folder with a package.json above the first thread's module, or above the file that
 * defines the first task thread's function), so that a counterexample recorded in one folder replays
 * from any other (a monorepo's root, a CI checkout, a `cd` elsewhere). Counterexamples recorded
 * before this kept paths relative to the working directory (no `sourceRoot` field) and still resolve
 * that way.
 *
 * @module
 */
import { existsSync } from "node:fs";
import { dirname, isAbsolute, join, relative, resolve, sep } from "node:path";
import { fileURLToPath } from "node:url";
import { functionOrigin } from "../access/function-origin.js";

/** The package root above `file` (a path or `file:` URL), else its folder; the working directory when unknown. */
export function packageRootOf(file: string | null): string {
  const path = file === null ? null : file.startsWith("file:") ? fileURLToPath(file) : isAbsolute(file) ? file : null;
  if (path === null) return process.cwd();
  for (let dir = dirname(path); ; dir = dirname(dir)) {
    if (existsSync(join(dir, "package.json"))) return dir;
    if (dirname(dir) === dir) return dirname(path);
  }
}

/** The file that defines a task thread's function (a `file:` URL or path), or null when V8 does not tell. */
export function functionFile(fn: Function): string | null {
  const url = functionOrigin(fn);
  if (url === null || url.startsWith("node:")) return null;
  // Loaders may add a query (`?v=…`) to module URLs.
  return url.replace(/[?#].*$/, "");
}

/** A recorded path (display form: relative to the working directory, or absolute) made relative to `root`, with `/`. */
export function relativeToRoot(file: string, root: string): string {
  return relative(root, resolve(file)).split(sep).join("/");
}

/** The path on this machine of a source path recorded relative to `root` (or to the working directory, without one). */
export function resolveRecorded(file: string, root: string | null): string {
  return root === null ? resolve(file) : resolve(root, file);
}
