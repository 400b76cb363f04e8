/**
 * Loads CommonJS dependencies of the classifiers on first use. The SQL parser costs ~140 ms to
 * load; a program whose statements all take the fast path (`sql/fast.ts`), or that never talks
 * SQL, never pays it. This is the one `node:*` import of `io/` outside `fs/`.
 */
import { createRequire } from "node:module";

const load = createRequire(import.meta.url);

/** `require(id)` relative to this module, for the classifiers' own dependencies. */
export function lazyRequire<T>(id: string): T {
  return load(id) as T;
}
