/**
 * Options every thread isolate starts with, whatever the controller itself was started with.
 */

/**
 * tsx compiles CommonJS modules with esbuild's `transformSync`, which by default runs an esbuild
 * process from a helper worker thread. Started inside a thread's worker, that process outlives the
 * worker: its handle belonged to an event loop that is gone once interlace terminates the worker,
 * so nobody reaps it and it stays a zombie child of the controller. With this setting esbuild
 * spawns one short process per compile (tsx cache misses only) and waits for it. (ES modules are
 * compiled in the loader hooks thread instead: see runtime/tsx-compiler.mjs.)
 */
export const TSX_ENV = { ESBUILD_WORKER_THREADS: "0" } as const;

/** Flags whose value is a module to preload: interlace's runtime registers what threads need. */
const PRELOAD_FLAGS = new Set(["--import", "--require", "-r", "--loader", "--experimental-loader"]);

/**
 * The controller's `execArgv` minus preloads and inspector flags. Workers inherit the parent's
 * flags by default: a controller run under `node --import tsx` (or a test runner's loader) would
 * load it again in every thread, and `--inspect*` flags do not belong to threads.
 */
export function isolateExecArgv(execArgv: readonly string[]): string[] {
  const kept: string[] = [];
  for (let i = 0; i < execArgv.length; i++) {
    const arg = execArgv[i]!;
    const name = arg.split("=", 1)[0]!;
    if (PRELOAD_FLAGS.has(name)) {
      if (!arg.includes("=")) i += 1;
      continue;
    }
    if (name.startsWith("--inspect") || name === "--debug-port") continue;
    kept.push(arg);
  }
  return kept;
}
