/**
 * Network connections as resource accesses: a connection to `host:port` is a write of
 * `net:<host>:<port>` — conservative: what the peer does with it is not observed, so two
 * connections to one endpoint are always ordered, and connections to different endpoints are not.
 * The database and Redis classifiers model their own protocols more precisely; this is for the
 * rest (`net`, `http`, `fetch`).
 */
import type { ResourceEffect } from "./resource.js";

export interface ConnectTarget {
  host?: string | undefined;
  port?: number | string | undefined;
  /** A Unix socket or Windows pipe path, instead of host and port. */
  path?: string | undefined;
}

/** `localhost`, `::1` spellings kept apart from 127.0.0.1: they may be different servers. Host names fold to lower case; IPv6 gets brackets. */
function hostText(host: string): string {
  const h = host.trim().toLowerCase().replace(/^\[(.*)\]$/, "$1");
  return h.includes(":") ? `[${h}]` : h;
}

/** Classifies opening a connection. No host means `localhost` (as `net.connect` defaults). */
export function classifyConnect(target: ConnectTarget): ResourceEffect {
  if (target.path !== undefined) {
    return { accesses: [{ op: "write", location: `net:unix:${target.path}`, label: `socket ${target.path}` }], modelled: true, text: `connect ${target.path}` };
  }
  const port = target.port === undefined ? NaN : Number(target.port);
  const host = hostText(target.host ?? "localhost");
  if (!Number.isInteger(port) || port < 0 || port > 65535) return { accesses: [], modelled: false, text: `connect ${host}:${String(target.port)}` };
  const endpoint = `${host}:${port}`;
  return { accesses: [{ op: "write", location: `net:${endpoint}`, label: `endpoint ${endpoint}` }], modelled: true, text: `connect ${endpoint}` };
}

/**
 * Opening or closing a session of a modelled client (pg, ioredis, node-redis): a read of the
 * endpoint. The client's own commands record what they touch (rows, keys); the session itself
 * changes no data another session sees, so two clients connecting are not ordered against each
 * other, while an unmodelled write to the endpoint (raw bytes on a socket) still is.
 */
export function classifySession(target: ConnectTarget): ResourceEffect {
  const effect = classifyConnect(target);
  return { ...effect, accesses: effect.accesses.map((a) => ({ ...a, op: "read" })) };
}
