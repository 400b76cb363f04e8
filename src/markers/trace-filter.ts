/**
 * Decides which scripts interlace traces: user code yes; Node internals, `node_modules` (unless
 * widened with `tracePackages`) and interlace itself no.
 *
 * @module
 */
import { dirname, isAbsolute, join, resolve, sep } from "node:path";
import { fileURLToPath } from "node:url";
import picomatch from "picomatch";

/** Options of {@link TraceFilter}. */
export interface TraceFilterOptions {
  /** picomatch globs on package names whose files are traced although they live in `node_modules`, e.g. `["mylib", "@scope/*"]`. */
  tracePackages?: readonly string[];
  /** Absolute directories never traced, in addition to interlace's own (see {@link interlaceOwnRoots}). */
  excludeRoots?: readonly string[];
}

/** The `src` and `dist` directories of the interlace package itself. */
export function interlaceOwnRoots(): string[] {
  // This file is <root>/src/markers/trace-filter.ts or <root>/dist/markers/trace-filter.js.
  const root = dirname(dirname(dirname(fileURLToPath(import.meta.url))));
  return [join(root, "src"), join(root, "dist")];
}

/** Which files interlace traces. */
export class TraceFilter {
  readonly #matchPackage: (name: string) => boolean;
  readonly #excludeRoots: readonly string[];

  /**
   * @param options - Packages to trace inside `node_modules`, and extra directories to exclude.
   *   interlace's own `src` and `dist` directories are always excluded.
   */
  constructor(options: TraceFilterOptions = {}) {
    const globs = options.tracePackages ?? [];
    const matchers = globs.map((glob) => picomatch(glob));
    this.#matchPackage = (name) => matchers.some((matches) => matches(name));
    const roots = [...interlaceOwnRoots(), ...(options.excludeRoots ?? [])];
    this.#excludeRoots = roots.map((root) => stripTrailingSep(resolve(root)));
  }

  /**
   * Whether the file is traced.
   *
   * @param pathOrUrl - An absolute path or a `file:` URL. `node:` URLs, `internal/` paths,
   *   relative paths and other URL schemes (`wasm:`, `data:`, `evalmachine.<anonymous>`) are never traced.
   */
  /** Whether the file is a file of the program or its packages (traced or not), not interlace's own or Node's. */
  isOutsideInterlace(pathOrUrl: string): boolean {
    const path = toAbsolutePath(pathOrUrl);
    return path !== null && !this.#excludeRoots.some((root) => path === root || path.startsWith(root + sep));
  }

  shouldTraceFile(pathOrUrl: string): boolean {
    const path = toAbsolutePath(pathOrUrl);
    if (path === null) return false;
    if (this.#excludeRoots.some((root) => path === root || path.startsWith(root + sep))) return false;
    const segments = path.split(/[\\/]/);
    const last = segments.lastIndexOf("node_modules");
    if (last < 0) return true;
    const name = packageName(segments.slice(last + 1));
    return name !== null && this.#matchPackage(name);
  }
}

/** The package name at the start of the segments after `node_modules`: `name` or `@scope/name`. */
function packageName(segments: readonly string[]): string | null {
  const [first, second] = segments;
  if (first === undefined || first === "") return null;
  if (!first.startsWith("@")) return segments.length > 1 ? first : null;
  return second === undefined || second === "" || segments.length < 3 ? null : `${first}/${second}`;
}

function toAbsolutePath(pathOrUrl: string): string | null {
  if (pathOrUrl.startsWith("file:")) {
    try {
      return fileURLToPath(pathOrUrl);
    } catch {
      return null;
    }
  }
  return isAbsolute(pathOrUrl) ? resolve(pathOrUrl) : null;
}

function stripTrailingSep(path: string): string {
  return path.length > 1 && path.endsWith(sep) ? path.slice(0, -1) : path;
}
