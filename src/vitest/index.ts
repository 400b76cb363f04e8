/**
 * `interlace/vitest`: the vite plugin that instruments task threads in vitest runs.
 *
 * @packageDocumentation
 */
export { interlace } from "./plugin.js";
export type { InterlacePlugin, InterlacePluginOptions } from "./plugin.js";
