/**
 * Compound `fs` calls run as their phases. `writeFile`, `appendFile` and `copyFile` (sync,
 * callback and promise forms) each do several system calls — open (which truncates), write(s),
 * close — and another process can read the file between them: it sees it empty or half written.
 * Wrapped whole (patch.ts), such a call is one gated step and that torn state can never be
 * produced. Here each is replaced by the same sequence of calls made through the already wrapped
 * primitives (`openSync`, `writeSync`, `fs.open`, …, taken from the `fs` module object after
 * patching), so every phase is its own gate (a decision at `io` granularity) and records its own
 * accesses: the open writes `file:<path>` within its directory (a creation or truncation), each
 * write writes `file:<path>` through the descriptor, close records nothing. The same locations
 * as the whole call recorded, nothing twice.
 *
 * What the phases do not handle falls back to the original whole call (still gated and recorded):
 * a descriptor or FileHandle instead of a path, data that is neither a string nor an
 * ArrayBufferView (iterables, streams), options Node would reject (its own error is then thrown),
 * an already aborted signal, `COPYFILE_FICLONE_FORCE`. The phases follow Node's own sequences
 * (lib/fs.js, lib/internal/fs/promises.js; libuv's `uv__fs_copyfile` for copies), with its
 * defaults (flag `w`/`a`, mode 0o666, utf8) and errors (a copy's failure is reported as
 * `copyfile 'src' -> 'dest'`, as libuv does).
 */
import { Buffer } from "node:buffer";
import { EventEmitter, once } from "node:events";
import { fileURLToPath } from "node:url";

type NodeFs = typeof import("node:fs");
type Callback = (error: NodeJS.ErrnoException | null) => void;
export type Fn = (...args: unknown[]) => unknown;

/** A write to make: the bytes and how the file is opened. */
interface WritePlan {
  bytes: Uint8Array;
  flag: unknown;
  mode: unknown;
  flush: boolean;
  signal: AbortSignal | undefined;
}

/** The promise form writes at most this much per call, as Node's `writeFileHandle` does. */
const PROMISE_CHUNK = 512 * 1024;

// Node's own AbortError class (internal/errors), found once: what an abort during the phases throws.
let AbortErrorClass: (new (message?: string, options?: { cause?: unknown }) => Error) | null = null;

/** Replaces the compound calls of `fs` and `fs.promises` (whose functions are already wrapped) by their phases. */
export function installFsPhases(fs: NodeFs): void {
  const fsp = fs.promises;
  const sync = new SyncPhases(fs);
  const cb = new CallbackPhases(fs);
  if (AbortErrorClass === null) {
    const ac = new AbortController();
    ac.abort();
    once(new EventEmitter(), "never", { signal: ac.signal }).catch((e: unknown) => {
      if (e instanceof Error) AbortErrorClass = e.constructor as typeof AbortErrorClass;
    });
  }
  const orig = {
    writeFileSync: fs.writeFileSync as unknown as Fn,
    appendFileSync: fs.appendFileSync as unknown as Fn,
    copyFileSync: fs.copyFileSync as unknown as Fn,
    writeFile: fs.writeFile as unknown as Fn,
    appendFile: fs.appendFile as unknown as Fn,
    copyFile: fs.copyFile as unknown as Fn,
    pWriteFile: fsp.writeFile as unknown as Fn,
    pAppendFile: fsp.appendFile as unknown as Fn,
    pCopyFile: fsp.copyFile as unknown as Fn,
  };
  const set = (holder: object, key: string, fn: Fn, like: Fn): void => {
    Object.defineProperty(fn, "name", { value: like.name });
    (holder as Record<string, unknown>)[key] = fn;
  };

  const writeSyncForm = (flag: string, original: Fn): Fn =>
    function (this: unknown, ...args: unknown[]): unknown {
      const plan = isPath(args[0]) ? planWrite(args[1], args[2], flag, false) : null;
      if (plan === null) return Reflect.apply(original, this, args);
      sync.write(args[0], plan);
      return undefined;
    };
  set(fs, "writeFileSync", writeSyncForm("w", orig.writeFileSync), orig.writeFileSync);
  set(fs, "appendFileSync", writeSyncForm("a", orig.appendFileSync), orig.appendFileSync);
  set(fs, "copyFileSync", function (this: unknown, ...args: unknown[]): unknown {
    const mode = copyMode(args[2]);
    if (!isPath(args[0]) || !isPath(args[1]) || mode === null) return Reflect.apply(orig.copyFileSync, this, args);
    sync.copy(args[0], args[1], mode);
    return undefined;
  }, orig.copyFileSync);

  const forms = asyncForms(() => cb, orig);
  set(fs, "writeFile", forms.writeFile, orig.writeFile);
  set(fs, "appendFile", forms.appendFile, orig.appendFile);
  set(fs, "copyFile", forms.copyFile, orig.copyFile);
  set(fsp, "writeFile", forms.pWriteFile, orig.pWriteFile);
  set(fsp, "appendFile", forms.pAppendFile, orig.pAppendFile);
  set(fsp, "copyFile", forms.pCopyFile, orig.pCopyFile);
}

/** The original callback and promise forms the phased ones fall back to. */
export interface AsyncOriginals {
  writeFile: Fn;
  appendFile: Fn;
  copyFile: Fn;
  pWriteFile: Fn;
  pAppendFile: Fn;
  pCopyFile: Fn;
}

/**
 * The callback and promise forms of `writeFile`, `appendFile` and `copyFile` run as phases on the
 * primitives of `phases(form)` (asked once per call, with the form function the caller called:
 * task threads give each call primitives of its own, `src/tasks/fs-phases.ts`).
 */
export function asyncForms(phases: (form: Fn) => CallbackPhases, orig: AsyncOriginals): AsyncOriginals {
  const writeCallbackForm = (flag: string, original: Fn): Fn =>
    function form(this: unknown, ...args: unknown[]): unknown {
      const callback = args[args.length - 1];
      const options = args.length >= 4 ? args[2] : undefined;
      const plan = args.length >= 3 && typeof callback === "function" && isPath(args[0]) ? planWrite(args[1], options, flag, true) : null;
      if (plan === null) return Reflect.apply(original, this, args);
      phases(form).write(args[0], plan, callback as Callback);
      return undefined;
    };
  const writePromiseForm = (flag: string, original: Fn): Fn =>
    function form(this: unknown, ...args: unknown[]): unknown {
      const plan = isPath(args[0]) ? planWrite(args[1], args[2], flag, true) : null;
      if (plan === null) return Reflect.apply(original, this, args);
      const cb = phases(form);
      return new Promise<void>((resolve, reject) => cb.write(args[0], plan, (e) => (e ? reject(e) : resolve()), PROMISE_CHUNK));
    };
  return {
    writeFile: writeCallbackForm("w", orig.writeFile),
    appendFile: writeCallbackForm("a", orig.appendFile),
    copyFile: function form(this: unknown, ...args: unknown[]): unknown {
      const callback = args[args.length - 1];
      const mode = copyMode(args.length >= 4 ? args[2] : undefined);
      if (args.length < 3 || typeof callback !== "function" || !isPath(args[0]) || !isPath(args[1]) || mode === null) return Reflect.apply(orig.copyFile, this, args);
      phases(form).copy(args[0], args[1], mode, callback as Callback);
      return undefined;
    },
    pWriteFile: writePromiseForm("w", orig.pWriteFile),
    pAppendFile: writePromiseForm("a", orig.pAppendFile),
    pCopyFile: function form(this: unknown, ...args: unknown[]): unknown {
      const mode = copyMode(args[2]);
      if (!isPath(args[0]) || !isPath(args[1]) || mode === null) return Reflect.apply(orig.pCopyFile, this, args);
      const cb = phases(form);
      return new Promise<void>((resolve, reject) => cb.copy(args[0], args[1], mode, (e) => (e ? reject(e) : resolve())));
    },
  };
}

/** A path the phases can open: a string, Buffer or `file:` URL (a descriptor or FileHandle is not). */
function isPath(p: unknown): boolean {
  return typeof p === "string" || Buffer.isBuffer(p) || (p instanceof URL && p.protocol === "file:");
}

/** What `writeFile(path, data, options)` will do, or null when only Node's own call should handle it. */
function planWrite(data: unknown, options: unknown, defaultFlag: string, async: boolean): WritePlan | null {
  let o: Record<string, unknown>;
  if (options === undefined || options === null) o = {};
  else if (typeof options === "string") o = { encoding: options };
  else if (typeof options === "object") o = options as Record<string, unknown>;
  else return null;
  const encoding = o.encoding;
  if (encoding !== undefined && encoding !== null && encoding !== "" && (typeof encoding !== "string" || !Buffer.isEncoding(encoding))) return null;
  const flush = o.flush ?? false;
  if (typeof flush !== "boolean") return null;
  let signal: AbortSignal | undefined;
  if (async && o.signal !== undefined && o.signal !== null) {
    if (!(o.signal instanceof AbortSignal) || o.signal.aborted) return null; // Node's own call raises its error
    signal = o.signal;
  }
  let bytes: Uint8Array;
  if (typeof data === "string") bytes = Buffer.from(data, typeof encoding === "string" && encoding !== "" ? (encoding as BufferEncoding) : "utf8");
  else if (ArrayBuffer.isView(data)) bytes = new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
  else return null;
  return { bytes, flag: o.flag || defaultFlag, mode: o.mode ?? 0o666, flush, signal };
}

/** `copyFile`'s mode when the phases can do it (no forced clone), else null. */
function copyMode(mode: unknown): number | null {
  if (mode === undefined || mode === null) return 0;
  if (typeof mode !== "number" || !Number.isInteger(mode) || mode < 0 || mode > 7) return null;
  return mode & 4 ? null : mode; // COPYFILE_FICLONE_FORCE: may fail where a plain copy would not
}

function abortError(signal: AbortSignal): Error {
  if (AbortErrorClass !== null) return new AbortErrorClass(undefined, { cause: signal.reason });
  return Object.assign(new Error("The operation was aborted", { cause: signal.reason }), { name: "AbortError", code: "ABORT_ERR" });
}

/** A phase's failure as libuv reports a copy's: `ENOENT: no such file or directory, copyfile 'a' -> 'b'`. */
function copyError(e: unknown, src: unknown, dest: unknown): unknown {
  const err = e as NodeJS.ErrnoException;
  if (!(e instanceof Error) || typeof err.code !== "string" || typeof err.errno !== "number") return e;
  const text = (p: unknown): string => (p instanceof URL ? fileURLToPath(p) : String(p));
  const description = /^[A-Z0-9_]+: (.*?), [a-z]+(?: '|$)/.exec(err.message)?.[1] ?? err.message;
  const out = new Error(`${err.code}: ${description}, copyfile '${text(src)}' -> '${text(dest)}'`) as NodeJS.ErrnoException & { dest?: string };
  Object.assign(out, { errno: err.errno, code: err.code, syscall: "copyfile", path: text(src), dest: text(dest) });
  return out;
}

function isDirError(): NodeJS.ErrnoException {
  return Object.assign(new Error("EISDIR: illegal operation on a directory, read"), { errno: -21, code: "EISDIR", syscall: "read" });
}

/** The phases of the sync forms, on the wrapped sync primitives. */
class SyncPhases {
  readonly #fs: NodeFs;
  constructor(fs: NodeFs) {
    this.#fs = { ...fs } as NodeFs; // the wrapped primitives as they are now (later monkey-patches do not loop back here)
  }

  write(path: unknown, plan: WritePlan): void {
    const fs = this.#fs;
    const fd = fs.openSync(path as string, plan.flag as string, plan.mode as number);
    try {
      this.#writeAll(fd, plan.bytes);
      if (plan.flush) fs.fsyncSync(fd);
    } finally {
      fs.closeSync(fd);
    }
  }

  #writeAll(fd: number, bytes: Uint8Array): void {
    for (let offset = 0; offset < bytes.byteLength; ) offset += this.#fs.writeSync(fd, bytes, offset, bytes.byteLength - offset);
  }

  /** libuv's copy: open the source, stat it, open the destination (no truncation yet), same file? truncate, chmod, copy the bytes. */
  copy(src: unknown, dest: unknown, mode: number): void {
    const fs = this.#fs;
    const C = fs.constants;
    let from: number | null = null;
    let to: number | null = null;
    try {
      from = fs.openSync(src as string, "r");
      const st = fs.fstatSync(from);
      if (st.isDirectory()) throw isDirError();
      to = fs.openSync(dest as string, C.O_WRONLY | C.O_CREAT | (mode & C.COPYFILE_EXCL ? C.O_EXCL : 0), st.mode);
      if (!(mode & C.COPYFILE_EXCL)) {
        const dt = fs.fstatSync(to);
        if (dt.dev === st.dev && dt.ino === st.ino) return;
        fs.ftruncateSync(to, 0);
      }
      chmodUnlessPermission(() => fs.fchmodSync(to!, st.mode));
      const buffer = Buffer.allocUnsafe(Math.min(Math.max(st.size, 1), 1 << 20));
      for (;;) {
        const n = fs.readSync(from, buffer, 0, buffer.byteLength, null);
        if (n === 0) break;
        this.#writeAll(to, buffer.subarray(0, n));
      }
    } catch (e) {
      throw copyError(e, src, dest);
    } finally {
      if (to !== null) fs.closeSync(to);
      if (from !== null) fs.closeSync(from);
    }
  }
}

/** libuv ignores EPERM from the destination's chmod (some file systems refuse it). */
function chmodUnlessPermission(chmod: () => void): void {
  try {
    chmod();
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== "EPERM") throw e;
  }
}

/** The phases of the callback and promise forms, on the wrapped callback primitives. */
export class CallbackPhases {
  readonly #fs: NodeFs;
  constructor(fs: NodeFs) {
    this.#fs = { ...fs } as NodeFs;
  }

  /** Node's callback `writeFile`: open, write until all is written (checking the signal first), fsync if `flush`, close. */
  write(path: unknown, plan: WritePlan, done: Callback, chunk = Infinity): void {
    const fs = this.#fs;
    fs.open(path as string, plan.flag as string, plan.mode as number, (openErr, fd) => {
      if (openErr) return done(openErr);
      const finish = (err: NodeJS.ErrnoException | null): void => fs.close(fd, (closeErr) => done(err ?? closeErr));
      const bytes = plan.bytes;
      const step = (offset: number): void => {
        if (plan.signal?.aborted) return finish(abortError(plan.signal) as NodeJS.ErrnoException);
        if (offset >= bytes.byteLength) {
          if (!plan.flush) return finish(null);
          return fs.fsync(fd, (syncErr) => finish(syncErr));
        }
        fs.write(fd, bytes, offset, Math.min(bytes.byteLength - offset, chunk), null, (writeErr, written) => (writeErr ? finish(writeErr) : step(offset + written)));
      };
      step(0);
    });
  }

  /** The same copy as {@link SyncPhases.copy}, one callback per phase. */
  copy(src: unknown, dest: unknown, mode: number, done: Callback): void {
    const fs = this.#fs;
    const C = fs.constants;
    let from: number | null = null;
    let to: number | null = null;
    const end = (err: unknown): void => {
      const failure = err == null ? null : (copyError(err, src, dest) as NodeJS.ErrnoException);
      const closeFrom = (): void => (from === null ? done(failure) : fs.close(from, () => done(failure)));
      if (to === null) closeFrom();
      else fs.close(to, closeFrom);
    };
    const copyBytes = (buffer: Buffer): void =>
      fs.read(from!, buffer, 0, buffer.byteLength, null, (readErr, n) => {
        if (readErr) return end(readErr);
        if (n === 0) return end(null);
        const writeAll = (offset: number): void => {
          if (offset >= n) return copyBytes(buffer);
          fs.write(to!, buffer, offset, n - offset, null, (writeErr, written) => (writeErr ? end(writeErr) : writeAll(offset + written)));
        };
        writeAll(0);
      });
    fs.open(src as string, "r", (e1, fd1) => {
      if (e1) return end(e1);
      from = fd1;
      fs.fstat(fd1, (e2, st) => {
        if (e2) return end(e2);
        if (st.isDirectory()) return end(isDirError());
        fs.open(dest as string, C.O_WRONLY | C.O_CREAT | (mode & C.COPYFILE_EXCL ? C.O_EXCL : 0), st.mode, (e3, fd2) => {
          if (e3) return end(e3);
          to = fd2;
          const chmodThenCopy = (): void =>
            fs.fchmod(fd2, st.mode, (e5) => {
              if (e5 && e5.code !== "EPERM") return end(e5);
              copyBytes(Buffer.allocUnsafe(Math.min(Math.max(st.size, 1), 1 << 20)));
            });
          if (mode & C.COPYFILE_EXCL) return chmodThenCopy();
          fs.fstat(fd2, (e4, dt) => {
            if (e4) return end(e4);
            if (dt.dev === st.dev && dt.ino === st.ino) return end(null);
            fs.ftruncate(fd2, 0, (e6) => (e6 ? end(e6) : chmodThenCopy()));
          });
        });
      });
    });
  }
}
