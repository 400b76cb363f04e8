/**
 * Source maps as a DevTools client of `interlace debug --inspect` can read them. tsx (esbuild)
 * inlines each module's map as a `data:` URL with `sourcesContent: [null]`, and tsc writes `.map`
 * files beside the output: either way the frontend must fetch `file:///…/account.ts` itself. The
 * frontend Chromium serves cannot ("Could not load content for file:///… (Unknown error)" in place
 * of the user's source, test/integration/debug-devtools.test.ts), and desktop Chrome's gates loading
 * a remote target's file paths behind a setting that is off by default. So the relay hands the client each
 * script's map inlined, with the missing sources read from this machine's disk: the same files the
 * thread's own scripts were compiled from, as interlace's marker scan reads them.
 *
 * Nothing here reaches the thread: a map is rewritten from the `Debugger.scriptParsed` event the
 * controller recorded and from files, never by running code in the isolate.
 *
 * @module
 */
import { readFileSync, statSync } from "node:fs";
import { fileURLToPath, pathToFileURL } from "node:url";
import type { Protocol } from "../../protocol/cdp.js";

/** Larger maps or sources are left for the client to fetch (they would only slow the replay down). */
const MAX_BYTES = 8 * 1024 * 1024;

interface RawSourceMap {
  sources?: (string | null)[];
  sourcesContent?: (string | null)[];
  sourceRoot?: string;
}

/** interlace's own compiled files (dist/): their frames keep the names V8 gives them, as without a map. */
const OWN_DIST = new URL("../../", import.meta.url).href;

const rewritten = new WeakMap<Protocol.Debugger.ScriptParsedEvent, Protocol.Debugger.ScriptParsedEvent>();

/** A readable regular file's text, or null (missing, too large, not a file). */
function readSmall(path: string): string | null {
  try {
    const stat = statSync(path);
    if (!stat.isFile() || stat.size > MAX_BYTES) return null;
    return readFileSync(path, "utf8");
  } catch {
    return null;
  }
}

function decodeDataUrl(url: string): string | null {
  const comma = url.indexOf(",");
  if (!url.startsWith("data:") || comma < 0) return null;
  const meta = url.slice(5, comma);
  if (!/^application\/json\b/.test(meta)) return null;
  const body = url.slice(comma + 1);
  try {
    return /;base64$/.test(meta) ? Buffer.from(body, "base64").toString("utf8") : decodeURIComponent(body);
  } catch {
    return null;
  }
}

/** The map's text and the URL its relative sources resolve against, or null when it is not on this machine. */
function loadMap(script: Protocol.Debugger.ScriptParsedEvent): { text: string; base: string } | null {
  const url = script.sourceMapURL;
  if (url === undefined || url === "" || script.url.startsWith(OWN_DIST)) return null;
  if (url.startsWith("data:")) {
    const text = decodeDataUrl(url);
    return text === null ? null : { text, base: script.url };
  }
  if (!script.url.startsWith("file:")) return null;
  let mapUrl: URL;
  try {
    mapUrl = new URL(url, script.url);
  } catch {
    return null;
  }
  if (mapUrl.protocol !== "file:") return null;
  const text = readSmall(fileURLToPath(mapUrl));
  return text === null ? null : { text, base: mapUrl.href };
}

/** A source of a map as a local path, or null (a URL of another scheme, unresolvable). */
function sourcePath(source: string, map: RawSourceMap, base: string): string | null {
  try {
    if (source.startsWith("/")) return source;
    const root = map.sourceRoot ?? "";
    const resolved = new URL(root === "" ? source : `${root.replace(/\/?$/, "/")}${source}`, base.startsWith("file:") ? base : pathToFileURL("/").href);
    return resolved.protocol === "file:" ? fileURLToPath(resolved) : null;
  } catch {
    return null;
  }
}

/**
 * Fills the missing sources of a map from disk; null when nothing was missing or nothing could be
 * read. When every source is a local file, sources become absolute `file:` URLs (and `sourceRoot`
 * goes): an inlined map has no location of its own for relative sources to resolve against.
 */
function completed(map: RawSourceMap, base: string): RawSourceMap | null {
  const sources = map.sources ?? [];
  const content = sources.map((_, i) => map.sourcesContent?.[i] ?? null);
  const paths = sources.map((source) => (source === null ? null : sourcePath(source, map, base)));
  let filled = false;
  paths.forEach((path, i) => {
    if (content[i] !== null || path === null) return;
    const text = readSmall(path);
    if (text === null) return;
    content[i] = text;
    filled = true;
  });
  if (!filled) return null;
  const { sourceRoot: _root, ...rest } = map;
  const allLocal = sources.every((source, i) => source === null || paths[i] !== null);
  if (!allLocal) return { ...map, sourcesContent: content };
  return { ...rest, sources: paths.map((path) => (path === null ? null : pathToFileURL(path).href)), sourcesContent: content };
}

/**
 * The event a client receives for `script`: the same, with its source map inlined and completed
 * when some of its sources were missing and could be read here. Computed once per event.
 */
export function clientScript(script: Protocol.Debugger.ScriptParsedEvent): Protocol.Debugger.ScriptParsedEvent {
  const known = rewritten.get(script);
  if (known !== undefined) return known;
  let result = script;
  const loaded = loadMap(script);
  if (loaded !== null && loaded.text.length <= MAX_BYTES) {
    let map: RawSourceMap | null = null;
    try {
      map = JSON.parse(loaded.text) as RawSourceMap;
    } catch {
      map = null;
    }
    const full = map === null || typeof map !== "object" ? null : completed(map, loaded.base);
    if (full !== null) {
      const sourceMapURL = `data:application/json;charset=utf-8;base64,${Buffer.from(JSON.stringify(full), "utf8").toString("base64")}`;
      result = { ...script, sourceMapURL };
    }
  }
  rewritten.set(script, result);
  return result;
}
