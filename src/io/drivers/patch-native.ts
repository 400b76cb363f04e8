/**
 * Native addons in a worker or process thread (the io hooks, `patch.ts`): every function of an
 * addon loaded after the hooks is a write of the outside world, except better-sqlite3's, which is
 * reached only through its modelled JavaScript layer — but for opening a database file, which only
 * the addon does.
 *
 * @module
 */
import { createRequire } from "node:module";
import { basename, resolve } from "node:path";
import { WORLD, type Access } from "../../strategies/access.js";
import { classifyFs } from "../fs/index.js";
import { emitEffect, own } from "./common.js";
import { calls, quietly } from "./patch-depth.js";
import { MODELLED_ADDONS } from "./patch-drivers.js";
import type { IoHooks } from "./patch.js";

const fs = createRequire(import.meta.url)("node:fs") as typeof import("node:fs");

/**
 * Every function of a native addon loaded from now on, and every method of the classes it exports:
 * not modelled (a write of the outside world). Functions are replaced by stand-ins that also
 * construct (`new`), with the same `prototype`, so classes and `instanceof` keep working.
 */
export function patchNativeAddons(hooks: IoHooks): void {
  const dlopen = process.dlopen;
  process.dlopen = function (this: unknown, module: { exports?: unknown }, filename: string, ...rest: unknown[]) {
    const result = Reflect.apply(dlopen, this, [module, filename, ...rest]) as unknown;
    // An addon reached only through a wrapped driver (better-sqlite3) records there, but for
    // opening a database, which only the addon does: it reads the file, or creates it.
    if (MODELLED_ADDONS.some((pattern) => pattern.test(String(filename)))) {
      patchSqliteOpen(module.exports, hooks);
      return result;
    }
    const addon = basename(String(filename));
    const seen = new Set<object>();
    const visit = (holder: unknown, path: string): void => {
      if (holder === null || (typeof holder !== "object" && typeof holder !== "function") || seen.has(holder)) return;
      seen.add(holder);
      for (const key of Object.getOwnPropertyNames(holder)) {
        const d = Object.getOwnPropertyDescriptor(holder, key);
        if (key === "constructor" || d === undefined || !("value" in d) || typeof d.value !== "function" || !d.writable) continue;
        const fn = d.value as Function;
        const proto = own(fn, "prototype");
        if (proto !== undefined) visit(proto, `${path}${key}#`);
        (holder as Record<string, unknown>)[key] = nativeStandIn(fn, `${path}${key}`, addon, hooks);
      }
    };
    visit(module.exports, "");
    return result;
  } as typeof process.dlopen;
}

/**
 * better-sqlite3's native `Database` constructor (filename, given name, anonymous, readonly, …):
 * opening a database file that exists reads it; opening one that does not creates it (a write of
 * the file, within its directory's entries: another thread's `existsSync` of it is ordered
 * against it). In-memory and anonymous databases touch nothing.
 */
function patchSqliteOpen(exports: unknown, hooks: IoHooks): void {
  const Native = own(exports, "Database");
  if (typeof Native !== "function") return;
  const Opening = function (this: unknown, ...args: unknown[]): unknown {
    const [file, , anonymous] = args;
    if (calls.depth === 0 && anonymous !== true && typeof file === "string" && file !== "" && file !== ":memory:" && !file.startsWith("file:")) {
      const path = resolve(file);
      const exists = quietly(() => fs.existsSync(path));
      hooks.gate();
      emitEffect(classifyFs("openSync", [path, exists ? "r" : "wx"], { cwd: process.cwd() }), "better-sqlite3", "database open", hooks.emit);
    }
    return Reflect.construct(Native, args, new.target ?? Native);
  };
  Opening.prototype = Native.prototype;
  Object.setPrototypeOf(Opening, Object.getPrototypeOf(Native) as object);
  (exports as Record<string, unknown>)["Database"] = Opening;
}

function nativeStandIn(fn: Function, name: string, addon: string, hooks: IoHooks): Function {
  const label = `untraced ${addon}: native call not modelled: ${name}`;
  const standIn = function (this: unknown, ...args: unknown[]): unknown {
    if (calls.depth > 0) return new.target === undefined ? Reflect.apply(fn, this, args) : Reflect.construct(fn, args, new.target);
    hooks.gate();
    hooks.emit({ op: "write", location: WORLD, origin: addon, label } satisfies Access);
    return new.target === undefined ? Reflect.apply(fn, this, args) : Reflect.construct(fn, args, new.target);
  };
  Object.defineProperty(standIn, "name", { value: fn.name });
  const proto = own(fn, "prototype");
  if (proto !== undefined) standIn.prototype = proto;
  Object.setPrototypeOf(standIn, Object.getPrototypeOf(fn) as object);
  return standIn;
}
