/** External resources as accesses: the pure classifiers (see README.md beside this file). */
export type { ResourceAccess, ResourceEffect } from "./resource.js";
export { resourceConflict, overlaps, effectsConflict, unmodelled } from "./resource.js";
export { classifySql, clearSqlCache, sqlPlanSource } from "./sql/index.js";
export type { SqlEffect, SqlOptions, SqlParams, Dialect, TransactionControl, BoundStatement } from "./sql/index.js";
export { classifyRedis } from "./redis/index.js";
export type { RedisOptions, RedisArg } from "./redis/index.js";
export { classifyFs } from "./fs/index.js";
export type { FsOptions } from "./fs/index.js";
export { classifyConnect } from "./net.js";
export type { ConnectTarget } from "./net.js";
