/**
 * The driver packages a program has loaded, found in Node's CommonJS module cache (ESM imports of
 * CommonJS packages land there too), by the path of their files: every copy a program loaded is
 * found, and nothing is loaded here. Rescanned only when the cache grew.
 */
import { createRequire } from "node:module";

const cache = createRequire(import.meta.url).cache;

let seen = -1;
let found: Map<string, unknown[]> = new Map();

/** Path endings of the files whose exports the drivers need. */
const WANTED = [
  "/better-sqlite3/lib/database.js",
  "/pg/lib/client.js",
  "/pg/lib/connection-parameters.js",
  "/pg-pool/index.js",
  "/ioredis/built/Redis.js",
  "/ioredis/built/Pipeline.js",
  "/ioredis/built/Command.js",
  "/@redis/client/dist/lib/client/index.js",
  "/@redis/client/dist/lib/client/multi-command.js",
  "/@redis/client/dist/lib/client/parser.js",
  "/@redis/client/dist/lib/client/pool.js",
  "/@redis/client/dist/lib/commands/index.js",
  "/@redis/client/dist/lib/cluster/index.js",
  "/@redis/client/dist/lib/sentinel/index.js",
  "/node_modules/redis/dist/index.js",
] as const;

export type Wanted = (typeof WANTED)[number];

/** The exports of every loaded copy of a driver file (`/pg/lib/client.js`). */
export function loadedExports(file: Wanted): unknown[] {
  const keys = Object.keys(cache);
  if (keys.length !== seen) {
    seen = keys.length;
    found = new Map();
    for (const key of keys) {
      const normal = key.replace(/\\/g, "/");
      for (const w of WANTED) {
        if (!normal.endsWith(w)) continue;
        const exports = cache[key]?.exports as unknown;
        if (exports === undefined) continue;
        let list = found.get(w);
        if (list === undefined) found.set(w, (list = []));
        list.push(exports);
      }
    }
  }
  return found.get(file) ?? [];
}

/** The path of the loaded copy of a driver file whose exports are `exports` (to load a sibling from it). */
export function pathOfExports(exports: unknown): string | undefined {
  for (const [key, m] of Object.entries(cache)) if (m?.exports === exports) return key;
  return undefined;
}
