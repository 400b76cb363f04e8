/**
 * Locations named by the attempt's state: a path the setup made (`mkdtempSync` per attempt) is
 * another string in every run, and DPOR compares a replayed step's accesses with an earlier run's,
 * so a file under it looked like a different file each time and the search reported a divergence.
 * Every absolute path among the state's string values (plain objects and arrays, a few levels
 * down) is replaced, in the locations of recorded accesses, by where it sits in the state
 * (`file:$state.dir/lock`); labels keep the real path for people.
 */
import type { ThreadAccess, AccessSource } from "../engine/step-accesses.js";

const MAX_DEPTH = 4;
const MAX_PATHS = 64;

/** The state's absolute paths with their names, longest first. */
export function statePaths(state: unknown): Array<[path: string, name: string]> {
  const found = new Map<string, string>();
  const seen = new Set<object>();
  const visit = (value: unknown, name: string, depth: number): void => {
    if (found.size >= MAX_PATHS) return;
    if (typeof value === "string") {
      if (isAbsolutePath(value) && !found.has(value)) found.set(value, name);
      return;
    }
    if (value === null || typeof value !== "object" || depth >= MAX_DEPTH || seen.has(value)) return;
    seen.add(value);
    if (Array.isArray(value)) value.forEach((v, i) => visit(v, `${name}[${i}]`, depth + 1));
    else if (Object.getPrototypeOf(value) === Object.prototype || Object.getPrototypeOf(value) === null) {
      for (const [key, v] of Object.entries(value)) visit(v, /^[A-Za-z_$][\w$]*$/.test(key) ? `${name}.${key}` : `${name}[${JSON.stringify(key)}]`, depth + 1);
    }
  };
  visit(state, "$state", 0);
  // A file's directory is named by the file (`$state.file/..`): the per-attempt directory the
  // setup made holds it, and packages look at it (better-sqlite3 checks that it exists).
  for (const [path, name] of [...found]) {
    const parent = parentOf(path);
    if (parent !== null && !found.has(parent)) found.set(parent, `${name}/..`);
  }
  return [...found].sort((a, b) => b[0].length - a[0].length);
}

/**
 * The parent directory of an absolute path, or null when it is a root or a top-level directory
 * (`/tmp`, `C:\\tmp`): a per-attempt directory is never one, and renaming all of `/tmp` would
 * rename paths the state does not hold.
 */
function parentOf(path: string): string | null {
  const parent = path.replace(/[\\/]+$/, "").replace(/[\\/][^\\/]*$/, "");
  const components = parent.split(/[\\/]/).filter((c) => c !== "" && !/^[A-Za-z]:$/.test(c));
  return components.length >= 2 ? parent : null;
}

function isAbsolutePath(s: string): boolean {
  return (s.length > 1 && s.startsWith("/") && !s.startsWith("//")) || /^[A-Za-z]:[\\/]/.test(s);
}

/** `location` with each state path (as a whole path component run) replaced by its name. */
export function renameLocation(location: string, paths: ReadonlyArray<[string, string]>): string {
  let out = location;
  for (const [path, name] of paths) {
    let from = 0;
    for (;;) {
      const i = out.indexOf(path, from);
      if (i < 0) break;
      const before = i === 0 ? "" : out[i - 1]!;
      const after = out[i + path.length] ?? "";
      if ((before === "" || before === ":") && (after === "" || after === "/" || after === "\\")) {
        out = out.slice(0, i) + name + out.slice(i + path.length);
        from = i + name.length;
      } else from = i + 1;
    }
  }
  return out;
}

/** `source` with its accesses' locations named by `state`'s paths (the same source when it has none). */
export function namedByState(source: AccessSource, state: unknown): AccessSource {
  const paths = statePaths(state);
  if (paths.length === 0) return source;
  const rename = (a: ThreadAccess): ThreadAccess => {
    const location = renameLocation(a.location, paths);
    const within = a.within === undefined ? undefined : renameLocation(a.within, paths);
    if (location === a.location && within === a.within) return a;
    return { ...a, location, ...(within === undefined ? {} : { within }) };
  };
  return { drain: () => source.drain().map(rename), rename: (location) => renameLocation(location, paths) };
}
