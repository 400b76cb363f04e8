/**
 * File-system calls as resource accesses: `classifyFs(method, args, { cwd, fds })` for the
 * method names of `fs` (callback and `…Sync` forms) and `fs/promises`.
 *
 * Two kinds of location:
 * - `file:<abs path>`: one path — its contents, metadata and whether it exists (so `existsSync`
 *   and `stat` conflict with the `writeFile`, `open(…, "wx")` or `unlink` of that path). A call
 *   made by path gives its access `within: "dir:<abs parent>"`: the path was looked up in the
 *   parent, so the access conflicts with a change of the parent's entries (and a write by path
 *   with a listing of it); a call on an open descriptor does not.
 * - `dir:<abs dir>`: a directory's entries, as `readdir` reads them. `mkdir`, `rmdir`, `rm` and a
 *   `rename` of the directory write it, so they conflict with every entry access inside it.
 *
 * So creating two different files in one directory commutes (as it does on disk), while a
 * listing, or a check of the same name, does not. Paths are resolved against `cwd` lexically:
 * two paths that reach one file through a symbolic or hard link are different locations (a caller
 * that wants them merged passes real paths). This module may import `node:path` and `node:url`.
 */
import { dirname, isAbsolute, relative, resolve, sep } from "node:path";
import { fileURLToPath } from "node:url";
import type { ResourceAccess, ResourceEffect } from "../resource.js";
import { displayText } from "../resource.js";

export interface FsOptions {
  /** The directory relative paths are resolved against (the calling thread's `process.cwd()`). */
  cwd: string;
  /** Paths of open file descriptors; a call on a descriptor not in it is unmodelled. */
  fds?: ReadonlyMap<number, string> | Readonly<Record<number, string>>;
}

type Op = "read" | "write";

/** A path argument as text: strings, Buffers (UTF-8) and `file:` URLs; null for anything else. */
export function pathArg(p: unknown): string | null {
  if (typeof p === "string") return p;
  if (p instanceof Uint8Array) return new TextDecoder().decode(p);
  if (p instanceof URL) {
    if (p.protocol !== "file:") return null;
    try {
      return fileURLToPath(p);
    } catch {
      return null;
    }
  }
  return null;
}

class Builder {
  readonly accesses: ResourceAccess[] = [];
  modelled = true;
  readonly shown: string[] = [];
  constructor(readonly options: FsOptions) {}

  /** The absolute path of a path argument, or null (and unmodelled). */
  path(p: unknown): string | null {
    const text = pathArg(p);
    if (text === null || text.includes("\0")) {
      this.modelled = false;
      return null;
    }
    const abs = resolve(this.options.cwd, text);
    this.shown.push(this.display(abs));
    return abs;
  }

  /** The path of a descriptor, or null (and unmodelled). */
  fd(fd: unknown): string | null {
    const fds = this.options.fds;
    const path = typeof fd !== "number" || fds === undefined ? undefined : fds instanceof Map ? fds.get(fd) : (fds as Record<number, string>)[fd];
    if (path === undefined) {
      this.modelled = false;
      this.shown.push(`fd ${String(fd)}`);
      return null;
    }
    return this.path(path);
  }

  /** A path or a descriptor (readFile, writeFile, appendFile accept both). */
  target(p: unknown): { path: string | null; byFd: boolean } {
    if (typeof p === "number") return { path: this.fd(p), byFd: true };
    return { path: this.path(p), byFd: false };
  }

  display(abs: string): string {
    const rel = relative(this.options.cwd, abs);
    return rel === "" ? "." : rel.startsWith("..") || isAbsolute(rel) ? abs : rel.split(sep).join("/");
  }

  /** Contents/metadata/existence of a path; `byPath`: looked up in its parent directory (not through a descriptor). */
  file(op: Op, abs: string | null, byPath: boolean): void {
    if (abs === null) return;
    const access: ResourceAccess = { op, location: `file:${abs}`, label: `file ${this.display(abs)}` };
    const parent = dirname(abs);
    if (byPath && parent !== abs) access.within = `dir:${parent}`;
    this.add(access);
  }

  /** The entries of a directory. */
  dir(op: Op, abs: string | null): void {
    if (abs === null) return;
    const shown = this.display(abs);
    this.add({ op, location: `dir:${abs}`, label: `directory ${shown === "." ? "." : `${shown.replace(/\/$/, "")}/`}` });
  }

  add(a: ResourceAccess): void {
    const same = this.accesses.find((x) => x.location === a.location);
    if (!same) this.accesses.push(a);
    else if (a.op === "write" && same.op === "read") {
      same.op = "write";
      if (a.within) same.within = a.within;
    } else if (a.within && !same.within) same.within = a.within;
  }
}

/** What `open` with these flags does: read, write, and whether it may create the file. */
function openMode(flags: unknown): { read: boolean; write: boolean; creates: boolean } | null {
  if (flags === undefined || flags === null) return { read: true, write: false, creates: false };
  if (typeof flags === "number") return { read: true, write: true, creates: true }; // O_* bits differ per platform: assume everything
  if (typeof flags !== "string") return null;
  const f = flags.replace(/s/g, "");
  switch (f) {
    case "r":
      return { read: true, write: false, creates: false };
    case "r+":
      return { read: true, write: true, creates: false };
    case "w":
    case "wx":
    case "xw":
    case "a":
    case "ax":
    case "xa":
      return { read: false, write: true, creates: true };
    case "w+":
    case "wx+":
    case "xw+":
    case "a+":
    case "ax+":
    case "xa+":
      return { read: true, write: true, creates: true };
    default:
      return null;
  }
}

function flagOf(options: unknown, fallback: string): unknown {
  if (options && typeof options === "object" && "flag" in options) return (options as { flag?: unknown }).flag ?? fallback;
  if (options && typeof options === "object" && "flags" in options) return (options as { flags?: unknown }).flags ?? fallback;
  return fallback;
}

function recursive(options: unknown): boolean {
  return Boolean(options && typeof options === "object" && (options as { recursive?: unknown }).recursive);
}

/** Methods that only take a descriptor first, and what they do to its file. */
const FD_METHODS: Record<string, Op | null> = {
  read: "read",
  readv: "read",
  fstat: "read",
  write: "write",
  writev: "write",
  ftruncate: "write",
  fchmod: "write",
  fchown: "write",
  futimes: "write",
  // Closing or syncing changes nothing another thread can observe.
  close: null,
  fsync: null,
  fdatasync: null,
};

/** Classifies one call. `method` as named on `fs` or `fs/promises` (`readFileSync`, `promises.readFile` and `readFile` are one method). */
export function classifyFs(method: string, args: readonly unknown[], options: FsOptions): ResourceEffect {
  const name = String(method)
    .replace(/^(fs\.)?(promises\.)?/, "")
    .replace(/Sync$/, "");
  const b = new Builder(options);
  const known = apply(name, args, b);
  const text = displayText(`${name}(${b.shown.join(", ")})`);
  if (!known) return { accesses: [], modelled: false, text };
  return { accesses: b.modelled ? b.accesses : [], modelled: b.modelled, text };
}

function apply(name: string, args: readonly unknown[], b: Builder): boolean {
  const [a0, a1, a2] = args;
  if (Object.hasOwn(FD_METHODS, name)) {
    const op = FD_METHODS[name]!;
    const path = b.fd(a0);
    if (op) b.file(op, path, false);
    return true;
  }
  switch (name) {
    case "readFile": {
      const t = b.target(a0);
      const mode = openMode(flagOf(a1, "r"));
      if (!mode) return false;
      b.file(mode.write ? "write" : "read", t.path, !t.byFd);
      return true;
    }
    case "writeFile":
    case "appendFile": {
      const t = b.target(a0);
      const mode = openMode(flagOf(a2, name === "writeFile" ? "w" : "a"));
      if (!mode) return false;
      b.file("write", t.path, !t.byFd);
      return true;
    }
    case "open":
    case "openAsBlob":
    case "createReadStream":
    case "createWriteStream": {
      const fallback = name === "createWriteStream" ? "w" : "r";
      const flags = name === "open" ? (typeof a1 === "object" && a1 !== null ? flagOf(a1, "r") : (a1 ?? "r")) : flagOf(a1, fallback);
      const mode = openMode(typeof flags === "function" ? "r" : flags);
      if (!mode) return false;
      // A stream on a descriptor: `createReadStream(null, { fd })`.
      const fdOption = a1 && typeof a1 === "object" && "fd" in a1 ? (a1 as { fd?: unknown }).fd : undefined;
      const path = (a0 === null || a0 === undefined) && typeof fdOption === "number" ? b.fd(fdOption) : b.path(a0);
      b.file(mode.write ? "write" : "read", path, true);
      return true;
    }
    case "exists":
    case "access":
    case "stat":
    case "lstat":
    case "statfs":
    case "realpath":
    case "readlink":
    case "watch":
    case "watchFile":
    case "unwatchFile":
      b.file("read", b.path(a0), true);
      return true;
    case "truncate":
    case "chmod":
    case "lchmod":
    case "chown":
    case "lchown":
    case "utimes":
    case "lutimes":
      b.file("write", b.path(a0), true);
      return true;
    case "unlink":
      b.file("write", b.path(a0), true);
      return true;
    case "mkdir":
    case "rmdir":
    case "rm": {
      if (recursive(a1) && name !== "mkdir") return false; // a whole subtree: not one level of entries
      const path = b.path(a0);
      b.file("write", path, true);
      b.dir("write", path);
      if (name === "mkdir" && recursive(a1) && path !== null) {
        // mkdir -p may create every missing ancestor.
        for (let p = dirname(path); dirname(p) !== p; p = dirname(p)) b.file("write", p, true);
      }
      return true;
    }
    case "mkdtemp": {
      const prefix = b.path(a0);
      if (prefix !== null) b.dir("write", dirname(prefix));
      return true;
    }
    case "readdir":
    case "opendir":
      if (recursive(a1)) return false;
      b.dir("read", b.path(a0));
      return true;
    case "rename": {
      const from = b.path(a0);
      const to = b.path(a1);
      b.file("write", from, true);
      b.file("write", to, true);
      // If they are directories, their entries move too.
      b.dir("write", from);
      b.dir("write", to);
      return true;
    }
    case "copyFile":
    case "cp": {
      if (name === "cp" && recursive(a2)) return false;
      b.file("read", b.path(a0), true);
      b.file("write", b.path(a1), true);
      return true;
    }
    case "symlink":
      // The target is not touched; the link's name is created.
      b.file("write", b.path(a1), true);
      return true;
    case "link":
      b.file("read", b.path(a0), true);
      b.file("write", b.path(a1), true);
      return true;
    default:
      return false;
  }
}
