/**
 * Compound `fs` calls of task threads run as their phases. `await fsp.writeFile(path, data)` is an
 * open (which truncates), write(s) and a close, each a libuv request whose completion waits its
 * turn in the event loop: under plain concurrency another task reads the file between them and
 * sees it empty or half written (measured: a 60 KB JSON store read torn on 71 of 200 runs). Run
 * whole, the call completed inside one step of its task and that state could not be reached: DPOR
 * said "holds, complete" after 2 executions.
 *
 * So when traced code of a task calls the callback or promise form of `writeFile`, `appendFile`
 * or `copyFile` (on `fs` or `fs/promises`, as a method or a plain function), it runs the phases of
 * the io hooks of process threads (`io/drivers/patch-fs-phases.ts`, Node's own sequences) on
 * primitives of its own: the first system call runs in the step that made the call; every later
 * one that touches the file first parks the task at a `callback` gate (`TaskRun.callbackGate`,
 * via `fs.writeFile: write`), so another task can run there, and records its own accesses when it
 * runs: open writes `file:<path>` within its directory (or reads it), writes and truncations write
 * it, reads and stats read it; closing and syncing record nothing and do not park. The call's
 * driver record (`io/drivers/fs.ts`, at the call) stays: it is the first phase's.
 *
 * Outside a task, in a free task or a marker schedule (no gate), the phases run straight through.
 * Sync forms need nothing: no other task can run inside a synchronous call.
 *
 * @module
 */
import * as fs from "node:fs";
import { resolve } from "node:path";
import { fileURLToPath } from "node:url";
import type { Access } from "../strategies/access.js";
import { classifyFs } from "../io/fs/index.js";
import { emitEffect } from "../io/drivers/common.js";
import { asyncForms, CallbackPhases, type AsyncOriginals, type Fn } from "../io/drivers/patch-fs-phases.js";
import { outsidePosition } from "./dispatcher.js";
import { parsePosition, type Task } from "./task-run.js";

/** Primitives that record nothing and never park: nothing another task observes changes. */
const QUIET = new Set(["close", "fsync", "fdatasync"]);
/** The primitives the phases call, with the fs method each is classified as. */
const PRIMITIVES = ["open", "write", "read", "fstat", "ftruncate", "fchmod", "close", "fsync", "fdatasync"] as const;

const ORIGINALS: AsyncOriginals = {
  writeFile: fs.writeFile as unknown as Fn,
  appendFile: fs.appendFile as unknown as Fn,
  copyFile: fs.copyFile as unknown as Fn,
  pWriteFile: fs.promises.writeFile as unknown as Fn,
  pAppendFile: fs.promises.appendFile as unknown as Fn,
  pCopyFile: fs.promises.copyFile as unknown as Fn,
};

/** The substitutes of one task run, by the function traced code calls. */
export class FsPhases {
  readonly #ownTask: () => Task | undefined;
  readonly #forms = new Map<Function, Function>();

  constructor(ownTask: () => Task | undefined) {
    this.#ownTask = ownTask;
    const forms = asyncForms((form) => this.#phases(form), ORIGINALS);
    for (const key of Object.keys(ORIGINALS) as (keyof AsyncOriginals)[]) {
      Object.defineProperty(forms[key], "name", { value: ORIGINALS[key].name });
      this.#forms.set(ORIGINALS[key], forms[key]);
    }
  }

  /** The phased form to call instead of `fn` (only from a task of this run), or undefined. */
  substitute(fn: Function): Function | undefined {
    const form = this.#forms.get(fn);
    return form !== undefined && this.#ownTask() !== undefined ? form : undefined;
  }

  /** Primitives for one call of `form` by the current task (all of `fs` for code outside every task). */
  #phases(form: Fn): CallbackPhases {
    const task = this.#ownTask();
    if (task === undefined) return new CallbackPhases(fs);
    // Through the access runtime's stand-ins (a recorded call) the caller's frame is not the next one up.
    const where = parsePosition(outsidePosition(form as (...args: never[]) => unknown));
    const via = `fs.${form.name}`;
    const paths = new Map<number, string>();
    let first = true;
    const record = (access: Access): void => task.run.recordAccess(task, access);
    const primitive = (name: (typeof PRIMITIVES)[number]): Fn => {
      const original = fs[name] as unknown as Fn;
      return (...args: unknown[]): unknown => {
        const go = (recorded: boolean): unknown => {
          if (name === "open") {
            const path = pathText(args[0]);
            const done = args[args.length - 1] as (e: unknown, fd?: number) => void;
            args[args.length - 1] = (e: unknown, fd?: number) => {
              if (!e && typeof fd === "number") paths.set(fd, path);
              done(e, fd);
            };
            if (recorded) emitEffect(classifyFs("open", [path, args[1]], { cwd: process.cwd() }), "node:fs", "file", record);
          } else if (recorded && !QUIET.has(name)) {
            const path = paths.get(args[0] as number);
            const op = name === "read" || name === "fstat" ? "read" : "write";
            if (path !== undefined) record({ op, location: `file:${path}`, label: `file ${path}`, value: `${name} (${via})` });
          }
          return Reflect.apply(original, fs, args);
        };
        // The first phase is the call's own step: the driver recorded the call there already.
        if (first || QUIET.has(name)) {
          const recorded = !first;
          first = false;
          return go(recorded);
        }
        const gate = task.run.callbackGate(task, `${via}: ${name}`, where);
        if (gate === undefined) return go(true);
        gate.then(() => go(true), (error: unknown) => (args[args.length - 1] as (e: unknown) => void)(error));
        return undefined;
      };
    };
    const primitives = { ...fs } as Record<string, unknown>;
    for (const name of PRIMITIVES) primitives[name] = primitive(name);
    return new CallbackPhases(primitives as unknown as typeof fs);
  }
}

/** A path argument as the file name the drivers record: absolute (`file:` URLs and Buffers as text). */
function pathText(p: unknown): string {
  return resolve(p instanceof URL ? fileURLToPath(p) : String(p));
}
