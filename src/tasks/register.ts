/**
 * `interlace/register`: instruments traced files for task threads from process start.
 *
 * ```sh
 * node --import interlace/register app.js
 * node --import tsx --import interlace/register app.ts
 * INTERLACE_TRACE_PACKAGES="mylib,@scope/*" node --import interlace/register app.js
 * ```
 *
 * With tsx, prefer putting `interlace/register` after it. Registered the other way round
 * (`--import interlace/register --import tsx`), tsx's hook runs first in the chain and compiles
 * `.cts` files reached through `import` from the file on disk, discarding what this hook returned:
 * they are then not instrumented (through `require()` they are, in either order).
 *
 * `INTERLACE_TRACE_PACKAGES` is a comma-separated list of picomatch globs on package names whose
 * files in `node_modules` are instrumented too. Property accesses are instrumented as well (for
 * DPOR and explanations), and the access recorder loaded; `INTERLACE_ACCESSES=0` turns that off.
 *
 * @module
 */
import { accessesByDefault, installInstrumentation } from "./install.js";

const tracePackages = (process.env["INTERLACE_TRACE_PACKAGES"] ?? "")
  .split(",")
  .map((glob) => glob.trim())
  .filter((glob) => glob !== "");

installInstrumentation({ tracePackages, accesses: accessesByDefault() });
