// @ts-check
/** Error stacks as thread reports show them: without this runtime's frames or Node's internals. */
import { fileURLToPath } from "node:url";
import { dirname, sep } from "node:path";

const RUNTIME_DIR = dirname(fileURLToPath(import.meta.url)) + sep;

/** @param {unknown} error */
export function formatError(error) {
  if (!(error instanceof Error) || typeof error.stack !== "string") return String(error);
  return error.stack
    .split("\n")
    .filter((line) => !line.includes(RUNTIME_DIR) && !line.includes("node:internal/"))
    .join("\n");
}

/** The caller's stack, without this runtime's frames. */
export function callerStack() {
  return formatError(new Error("blocked")).split("\n").slice(1).join("\n");
}
