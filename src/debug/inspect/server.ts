/**
 * The DevTools endpoint of `interlace debug --inspect`: an HTTP server on 127.0.0.1 (random port)
 * answering `/json/list` (alias `/json`) and `/json/version` as Node's inspector does, one target
 * per worker/process thread, and a WebSocket per target (`ws://127.0.0.1:PORT/<id>`) whose
 * messages a {@link ThreadRelay} carries to that thread's CDP session.
 *
 * Requests whose Host header is not a loopback name are refused (403), HTTP and WebSocket alike: a
 * web page cannot reach the endpoint through DNS rebinding.
 *
 * @module
 */
import { randomUUID } from "node:crypto";
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { Socket } from "node:net";
import { pathToFileURL } from "node:url";
import { resolve } from "node:path";
import WebSocket from "ws";
import type { SessionView, ThreadRow } from "../session.js";
import { type InspectHost, ThreadRelay } from "./relay.js";

/** What the endpoint needs of the debug session. */
export interface EndpointHost extends InspectHost {
  readonly names: readonly string[];
  onMove(listener: () => void): () => void;
}

/** Options of the endpoint. */
export interface EndpointOptions {
  /** The scenario path (the targets' url). */
  scenario: string;
  /** Let client evaluations write (no forced `throwOnSideEffect`). */
  allowSideEffects?: boolean;
  log(line: string): void;
}

/** A running endpoint. */
export interface InspectEndpoint {
  readonly port: number;
  /** The targets as `/json/list` lists them. */
  targets(): TargetInfo[];
  /** Closes every client connection and the server. Idempotent. */
  close(): Promise<void>;
}

/** One entry of `/json/list`. */
export interface TargetInfo {
  description: string;
  devtoolsFrontendUrl: string;
  devtoolsFrontendUrlCompat: string;
  id: string;
  title: string;
  type: "node";
  url: string;
  webSocketDebuggerUrl: string;
}

const LOOPBACK_HOSTS = new Set(["127.0.0.1", "localhost", "[::1]"]);

/** Whether a Host header names this machine's loopback (with any port, or none). */
export function isLoopbackHost(host: string | undefined): boolean {
  if (host === undefined || host === "") return false;
  const name = host.startsWith("[") ? host.slice(0, host.indexOf("]") + 1) : host.replace(/:\d+$/, "");
  return LOOPBACK_HOSTS.has(name.toLowerCase());
}

/** How a thread reads in a target title: its name and where it is paused. */
export function targetTitle(row: ThreadRow | undefined, name: string, view: SessionView): string {
  if (row === undefined) return `interlace ${name}`;
  const state = row.state === "stopped" ? `stopped at ${row.detail}` : row.detail ? `${row.state} (${row.detail})` : row.state;
  const where = row.where === undefined ? "" : ` ${row.where.file}:${row.where.line}:${row.where.column + 1}`;
  return `interlace ${name}: ${state}${where} (step ${view.step})`;
}

let protocolText: unknown = null;
/** The JavaScript protocol (`/json/protocol`, which chrome-remote-interface reads), from devtools-protocol. */
function protocol(): unknown {
  protocolText ??= JSON.parse(readFileSync(createRequire(import.meta.url).resolve("devtools-protocol/json/js_protocol.json"), "utf8"));
  return protocolText;
}

/** Starts the endpoint on 127.0.0.1 at a port the system picks. */
export async function startInspectEndpoint(host: EndpointHost, options: EndpointOptions): Promise<InspectEndpoint> {
  const prefix = randomUUID().slice(0, 8);
  const ids = new Map<string, string>(host.names.map((name, i) => [`${prefix}-${i}-${name.replace(/[^A-Za-z0-9_.-]/g, "_")}`, name]));
  const relays = new Set<ThreadRelay>();
  const sockets = new Set<WebSocket>();
  const url = pathToFileURL(resolve(options.scenario)).href;
  let port = 0;

  const targets = (): TargetInfo[] => {
    const view = host.view();
    return [...ids].map(([id, name]) => {
      const ws = `127.0.0.1:${port}/${id}`;
      return {
        description: `interlace debug: thread ${name}`,
        devtoolsFrontendUrl: `devtools://devtools/bundled/js_app.html?experiments=true&v8only=true&ws=${ws}`,
        devtoolsFrontendUrlCompat: `devtools://devtools/bundled/inspector.html?experiments=true&v8only=true&ws=${ws}`,
        id,
        title: targetTitle(view.threads.find((t) => t.name === name), name, view),
        type: "node",
        url,
        webSocketDebuggerUrl: `ws://${ws}`,
      };
    });
  };

  const answer = (response: ServerResponse, status: number, body: unknown) => {
    const text = typeof body === "string" ? body : JSON.stringify(body, null, 2);
    response.writeHead(status, { "Content-Type": typeof body === "string" ? "text/plain; charset=UTF-8" : "application/json; charset=UTF-8", "Content-Length": Buffer.byteLength(text) });
    response.end(text);
  };

  const server = createServer((request: IncomingMessage, response: ServerResponse) => {
    if (!isLoopbackHost(request.headers.host)) return answer(response, 403, "interlace: refused: the Host header must be 127.0.0.1, localhost or [::1]\n");
    const path = (request.url ?? "/").split("?")[0]!.replace(/\/+$/, "");
    if (path === "/json" || path === "/json/list") return answer(response, 200, targets());
    if (path === "/json/version") return answer(response, 200, { Browser: `interlace debug (node.js/${process.version})`, "Protocol-Version": "1.1" });
    if (path === "/json/protocol") return answer(response, 200, protocol());
    return answer(response, 404, `interlace: unknown path ${path}\n`);
  });

  const wss = new WebSocket.Server({ noServer: true, maxPayload: 64 * 1024 * 1024 });
  const refuseUpgrade = (socket: Socket, status: string) => {
    socket.end(`HTTP/1.1 ${status}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`);
  };
  server.on("upgrade", (request: IncomingMessage, socket: Socket, head: Buffer) => {
    if (!isLoopbackHost(request.headers.host)) return refuseUpgrade(socket, "403 Forbidden");
    const id = (request.url ?? "/").split("?")[0]!.slice(1);
    const thread = ids.get(id);
    if (thread === undefined) return refuseUpgrade(socket, "404 Not Found");
    wss.handleUpgrade(request, socket, head, (ws) => {
      sockets.add(ws);
      const trace = process.env["INTERLACE_INSPECT_LOG"] === "1" ? options.log : undefined;
      const relay = new ThreadRelay(host, thread, { send: (text) => ws.readyState === WebSocket.OPEN && ws.send(text) }, { log: options.log, allowSideEffects: options.allowSideEffects ?? false, ...(trace ? { trace } : {}) });
      relays.add(relay);
      options.log(`interlace: DevTools client attached to ${thread}`);
      ws.on("message", (data) => relay.receive(data.toString()));
      ws.on("close", () => {
        relays.delete(relay);
        sockets.delete(ws);
        relay.close();
        options.log(`interlace: DevTools client of ${thread} detached`);
      });
      ws.on("error", () => ws.terminate());
    });
  });

  const offMove = host.onMove(() => {
    for (const relay of relays) relay.moved();
  });

  await new Promise<void>((resolveListen, reject) => {
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      server.off("error", reject);
      resolveListen();
    });
  });
  const address = server.address();
  port = typeof address === "object" && address !== null ? address.port : 0;

  let closing: Promise<void> | null = null;
  return {
    port,
    targets,
    close() {
      closing ??= (async () => {
        offMove();
        for (const relay of relays) relay.close();
        relays.clear();
        for (const ws of sockets) ws.terminate();
        sockets.clear();
        wss.close();
        server.closeAllConnections();
        await new Promise<void>((done) => server.close(() => done()));
      })();
      return closing;
    },
  };
}
