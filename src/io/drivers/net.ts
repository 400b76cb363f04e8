/**
 * Client connections: `net.connect`/`createConnection`, `Socket#connect`, `tls.connect`,
 * `http(s).request`/`get` and `fetch`, each a write of its endpoint (`classifyConnect`):
 * conservative — what the server does with the connection is not observed. What follows on the
 * socket, request or response objects is Node's own code, an untraced effect as before.
 */
import * as http from "node:http";
import * as https from "node:https";
import * as net from "node:net";
import * as tls from "node:tls";
import { classifyConnect, type ConnectTarget } from "../net.js";
import { emitEffect, emitAccesses, type DriverOp } from "./common.js";

const ORIGIN = "node:net";

function netTarget(args: readonly unknown[]): ConnectTarget | null {
  const [a0, a1] = args;
  if (typeof a0 === "number" || (typeof a0 === "string" && /^\d+$/.test(a0))) return { port: a0, host: typeof a1 === "string" ? a1 : undefined };
  if (typeof a0 === "string") return { path: a0 };
  if (a0 !== null && typeof a0 === "object" && !Array.isArray(a0)) {
    const o = a0 as { port?: number | string; host?: string; path?: string };
    return o.path !== undefined ? { path: o.path } : { port: o.port, host: o.host };
  }
  return null;
}

function urlTarget(url: URL): ConnectTarget | null {
  if (url.protocol !== "http:" && url.protocol !== "https:") return null;
  return { host: url.hostname, port: url.port !== "" ? url.port : url.protocol === "https:" ? 443 : 80 };
}

function httpTarget(args: readonly unknown[], defaultPort: number): ConnectTarget | null {
  let target: ConnectTarget = { host: "localhost", port: defaultPort };
  let i = 0;
  if (typeof args[0] === "string" || args[0] instanceof URL) {
    let url: URL;
    try {
      url = new URL(String(args[0]));
    } catch {
      return null;
    }
    const t = urlTarget(url);
    if (t === null) return null;
    target = t;
    i = 1;
  }
  const o = args[i];
  if (o !== null && typeof o === "object" && typeof o !== "function") {
    const opts = o as { host?: string; hostname?: string; port?: number | string; socketPath?: string; defaultPort?: number };
    if (opts.socketPath !== undefined) return { path: opts.socketPath };
    const host = opts.hostname ?? opts.host;
    if (host !== undefined) target = { ...target, host };
    if (opts.port !== undefined && opts.port !== null) target = { ...target, port: opts.port };
  }
  return target;
}

/** Registers the connecting functions. */
export function registerNet(register: (fn: Function, op: DriverOp) => void): void {
  const connect = (of: (args: readonly unknown[]) => ConnectTarget | null, what: string): DriverOp => (_r, args, emit) => {
    const target = of(args);
    if (target === null) emitEffect({ accesses: [], modelled: false, text: `${what}(…)` }, ORIGIN, "connection", emit);
    else emitEffect(classifyConnect(target), ORIGIN, "connection", emit);
  };
  register(net.connect, connect(netTarget, "net.connect"));
  if (net.createConnection !== net.connect) register(net.createConnection, connect(netTarget, "net.createConnection"));
  register(net.Socket.prototype.connect, connect(netTarget, "socket.connect"));
  register(tls.connect, connect((args) => {
    const t = netTarget(args);
    return t !== null && t.path === undefined && t.host === undefined ? { ...t, host: "localhost" } : t;
  }, "tls.connect"));
  register(http.request, connect((a) => httpTarget(a, 80), "http.request"));
  register(http.get, connect((a) => httpTarget(a, 80), "http.get"));
  register(https.request, connect((a) => httpTarget(a, 443), "https.request"));
  register(https.get, connect((a) => httpTarget(a, 443), "https.get"));
  if (typeof globalThis.fetch === "function") {
    register(globalThis.fetch, (_r, args, emit) => {
      const input = args[0];
      let url: URL | null = null;
      try {
        url = new URL(typeof input === "string" || input instanceof URL ? String(input) : String((input as { url?: unknown } | null)?.url));
      } catch {
        url = null;
      }
      if (url !== null && (url.protocol === "data:" || url.protocol === "blob:")) return emitAccesses([], "", emit);
      const target = url === null ? null : urlTarget(url);
      if (target === null) emitEffect({ accesses: [], modelled: false, text: `fetch(${String(url ?? "…")})` }, "fetch", "connection", emit);
      else emitEffect(classifyConnect(target), "fetch", "connection", emit);
    });
  }
}
