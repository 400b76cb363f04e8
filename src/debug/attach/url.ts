/**
 * The WebSocket URL `interlace attach` is given: a `ws:` URL on a loopback host, or a typed error.
 * Pure.
 *
 * @module
 */
import { AttachNotLoopbackError, UsageError } from "../../errors.js";

const LOOPBACK_HOSTS = new Set(["127.0.0.1", "localhost", "[::1]"]);

/** Checks `text`; returns it normalised (as `URL` prints it). */
export function checkAttachUrl(text: string): string {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw new UsageError(`interlace attach takes the ws:// URL the process printed ("Debugger listening on ws://127.0.0.1:PORT/ID"), got "${text}"`);
  }
  if (url.protocol !== "ws:") {
    throw new UsageError(`interlace attach takes a ws:// URL (the one "Debugger listening on" prints), got "${text}"`);
  }
  if (!LOOPBACK_HOSTS.has(url.hostname.toLowerCase())) throw new AttachNotLoopbackError(text, url.hostname);
  return url.href;
}
