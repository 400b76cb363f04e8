/**
 * `fs` and `fs/promises` (`fs.promises`): every function of both, in its sync, callback and
 * promise forms, classified by `classifyFs` (a method it does not know is not modelled); the
 * descriptors `open` returns (and the FileHandles of `fs.promises.open`) are followed to their
 * paths for the calls made on them, for the run. `createReadStream`/`createWriteStream` are a
 * read/write of their path when created (what the stream does later is Node's stream code).
 */
import * as fs from "node:fs";
import { resolve } from "node:path";
import { classifyFs } from "../fs/index.js";
import { pathArg } from "../fs/index.js";
import { emitEffect, type DriverOp, type Emit, own } from "./common.js";

const ORIGIN = "node:fs";

/** What a FileHandle method is, as the `fs` method on its descriptor. */
const HANDLE_METHODS: Record<string, string> = {
  read: "read", readv: "readv", write: "write", writev: "writev", stat: "fstat", truncate: "ftruncate",
  chmod: "fchmod", chown: "fchown", utimes: "futimes", sync: "fsync", datasync: "fdatasync", close: "close",
  readFile: "readFile", writeFile: "writeFile", appendFile: "appendFile",
  readLines: "read", createReadStream: "read", createWriteStream: "write", readableWebStream: "read",
};

export class Files {
  /** Open descriptors of this run, by number: their paths. */
  #fds = new Map<number, string>();
  /** FileHandles of this run: their paths. */
  #handles = new WeakMap<object, string>();
  #handleProto: object | null = null;
  readonly #register: (fn: Function, op: DriverOp) => void;

  constructor(register: (fn: Function, op: DriverOp) => void) {
    this.#register = register;
    for (const [holder, prefix] of [[fs, ""], [fs.promises, "promises."]] as const) {
      for (const key of Object.keys(holder)) {
        const fn = own(holder, key);
        if (typeof fn !== "function" || !/^[a-z]/.test(key)) continue; // classes (`ReadStream`) stay untraced effects
        register(fn, this.#op(`${prefix}${key}`));
      }
    }
  }

  /** A new run: descriptors and handles are followed from the `open` calls it makes. */
  reset(): void {
    this.#fds = new Map();
    this.#handles = new WeakMap();
  }

  #classify(method: string, args: readonly unknown[], emit: Emit): void {
    emitEffect(classifyFs(method, args, { cwd: process.cwd(), fds: this.#fds }), ORIGIN, "file operation", emit);
  }

  #op(method: string): DriverOp {
    const name = method.replace(/^promises\./, "").replace(/Sync$/, "");
    const promise = method.startsWith("promises.");
    const sync = method.endsWith("Sync");
    return (_receiver, args, emit) => {
      this.#classify(method, args, emit);
      if (name === "close" && typeof args[0] === "number") {
        this.#fds.delete(args[0]);
        return;
      }
      if (name !== "open") return;
      const path = pathArg(args[0]);
      if (path === null) return;
      const abs = resolve(process.cwd(), path);
      if (promise) {
        return (result, error) => {
          if (error || !(result instanceof Promise)) return result;
          return result.then((handle: unknown) => {
            if (handle !== null && typeof handle === "object") this.#follow(handle, abs);
            return handle;
          });
        };
      }
      if (sync) return (result, error) => (!error && typeof result === "number" && this.#fds.set(result, abs), result);
      const files = this;
      const last = args.length - 1;
      const callback = args[last];
      if (typeof callback === "function") {
        args[last] = function (this: unknown, err: unknown, fd: unknown, ...rest: unknown[]) {
          if (err == null && typeof fd === "number") files.#fds.set(fd, abs);
          return Reflect.apply(callback as (...a: unknown[]) => unknown, this, [err, fd, ...rest]);
        };
      }
    };
  }

  /** A FileHandle opened from traced code: its methods are registered (once) and its path kept. */
  #follow(handle: object, path: string): void {
    this.#handles.set(handle, path);
    const proto = Object.getPrototypeOf(handle) as object | null;
    if (proto === null || this.#handleProto !== null) return;
    this.#handleProto = proto;
    for (const [key, as] of Object.entries(HANDLE_METHODS)) {
      const fn = own(proto, key);
      if (typeof fn !== "function") continue;
      this.#register(fn, (h, args, emit) => {
        const p = typeof h === "object" && h !== null ? this.#handles.get(h) : undefined;
        const fd = -1; // a descriptor number of our own for the handle: the path is what matters
        const fds = new Map<number, string>(p === undefined ? [] : [[fd, p]]);
        emitEffect(classifyFs(as, [fd, ...args], { cwd: process.cwd(), fds }), ORIGIN, "file operation", emit);
      });
    }
  }
}
