/**
 * Resolves the markers of a script V8 parsed to breakpoint positions in the code V8 runs, reading
 * markers from the original sources through the script's source map when it has one.
 *
 * @module
 */
import { readFile as fsReadFile } from "node:fs/promises";
import { isAbsolute } from "node:path";
import { fileURLToPath } from "node:url";
import { scanMarkers, type MarkerScan } from "./scan.js";
import { loadSourceMap, type GeneratedPosition, type SourceMapIndex, type SourceMapLoad } from "./source-map.js";
import type { TraceFilter } from "./trace-filter.js";

/** The part of CDP `Debugger.scriptParsed` params the resolver needs. */
export interface ParsedScript {
  url: string;
  sourceMapURL?: string;
}

/** A marker with its original position and the generated position to break at. */
export interface ResolvedMarker {
  name: string;
  /** Absolute path of the original source file. */
  file: string;
  /** 1-based original line of the gated code. */
  line: number;
  /** 0-based original column of the gated code. */
  column: number;
  /** Trimmed original text of the gated line. */
  text: string;
  /** Where to set the breakpoint in the script V8 runs. */
  generated: GeneratedPosition;
}

/** Markers of one script. */
export interface ScriptMarkers {
  markers: ResolvedMarker[];
  /** The script's source map, kept so pause locations can be mapped back; null without one. */
  sourceMap: SourceMapIndex | null;
  /** Human-readable problems, each starting with `file:line: `. */
  diagnostics: string[];
}

/** Options of {@link MarkerResolver}. */
export interface MarkerResolverOptions {
  /** Reads a file as UTF-8; defaults to `fs.promises.readFile(path, "utf8")`. */
  readFile?: (path: string) => Promise<string>;
}

/** A scanned file, or why it could not be read. */
type FileScan = { scan: MarkerScan; problem: null } | { scan: null; problem: string };

/**
 * Finds and maps markers for scripts as V8 reports them. One resolver serves all threads of a run:
 * each file is scanned once and each source map loaded once, however many isolates load them.
 */
export class MarkerResolver {
  readonly #filter: TraceFilter;
  readonly #readFile: (path: string) => Promise<string>;
  readonly #scans = new Map<string, Promise<FileScan>>();
  readonly #maps = new Map<string, Promise<SourceMapLoad>>();

  /**
   * @param filter - Decides which scripts and original sources are traced.
   * @param options - `readFile` replaces the file system (tests, virtual files).
   */
  constructor(filter: TraceFilter, options: MarkerResolverOptions = {}) {
    this.#filter = filter;
    this.#readFile = options.readFile ?? ((path) => fsReadFile(path, "utf8"));
  }

  /**
   * Resolves the markers of one script.
   *
   * @returns null when the filter does not trace the script's URL.
   */
  async resolve(script: ParsedScript): Promise<ScriptMarkers | null> {
    const scriptPath = toPath(script.url);
    if (scriptPath === null || !this.#filter.shouldTraceFile(scriptPath)) return null;
    const diagnostics: string[] = [];
    if (script.sourceMapURL !== undefined && script.sourceMapURL !== "") {
      const load = await this.#loadMap(script.url, script.sourceMapURL);
      if (load.index !== null) {
        const markers = await this.#resolveMapped(load.index, script.url, diagnostics);
        return { markers, sourceMap: load.index, diagnostics };
      }
      diagnostics.push(
        `${scriptPath}:1: cannot use source map ${load.location}: ${load.problem}; reading markers from the script itself`,
      );
    }
    const markers = await this.#resolveUnmapped(scriptPath, diagnostics);
    return { markers, sourceMap: null, diagnostics };
  }

  /** Markers of every traced original source of the map, at their generated positions. */
  async #resolveMapped(index: SourceMapIndex, scriptUrl: string, diagnostics: string[]): Promise<ResolvedMarker[]> {
    const markers: ResolvedMarker[] = [];
    for (const source of index.sources) {
      if (!isAbsolute(source) || !this.#filter.shouldTraceFile(source)) continue;
      const scan = await this.#scan(source, index.sourceContent(source), diagnostics);
      for (const site of scan?.markers ?? []) {
        const generated = index.generatedFor(source, site.line, site.column);
        if (generated === null) {
          diagnostics.push(
            `${source}:${site.commentLine}: marker "${site.name}" gates code at line ${site.line} that has no ` +
              `mapping in ${scriptUrl} (the compiler may have removed it); the marker is ignored`,
          );
          continue;
        }
        markers.push({ name: site.name, file: source, line: site.line, column: site.column, text: site.text, generated });
      }
    }
    return markers;
  }

  /** Markers of a script that is its own source. */
  async #resolveUnmapped(scriptPath: string, diagnostics: string[]): Promise<ResolvedMarker[]> {
    const scan = await this.#scan(scriptPath, null, diagnostics);
    return (scan?.markers ?? []).map((site) => ({
      name: site.name,
      file: scriptPath,
      line: site.line,
      column: site.column,
      text: site.text,
      generated: { line0: site.line - 1, column0: site.column },
    }));
  }

  /** Scans `path` (read from disk, else `fallback`), appending its diagnostics. Null if unreadable. */
  async #scan(path: string, fallback: string | null, diagnostics: string[]): Promise<MarkerScan | null> {
    let pending = this.#scans.get(path);
    if (pending === undefined) {
      pending = this.#scanUncached(path, fallback);
      this.#scans.set(path, pending);
    }
    const result = await pending;
    if (result.scan === null) {
      diagnostics.push(`${path}:1: cannot read source to find markers: ${result.problem}`);
      return null;
    }
    for (const d of result.scan.diagnostics) diagnostics.push(`${path}:${d.line}: ${d.message}`);
    return result.scan;
  }

  async #scanUncached(path: string, fallback: string | null): Promise<FileScan> {
    let text: string;
    try {
      text = await this.#readFile(path);
    } catch (error) {
      if (fallback === null) return { scan: null, problem: error instanceof Error ? error.message : String(error) };
      text = fallback;
    }
    return { scan: scanMarkers(text, path), problem: null };
  }

  #loadMap(scriptUrl: string, sourceMapURL: string): Promise<SourceMapLoad> {
    const key = `${scriptUrl}\n${sourceMapURL}`;
    let pending = this.#maps.get(key);
    if (pending === undefined) {
      pending = loadSourceMap(scriptUrl, sourceMapURL, this.#readFile);
      this.#maps.set(key, pending);
    }
    return pending;
  }
}

/** Absolute path of a `file:` URL or an absolute path; null for anything else. */
function toPath(url: string): string | null {
  if (url.startsWith("file:")) {
    try {
      return fileURLToPath(url);
    } catch {
      return null;
    }
  }
  return isAbsolute(url) ? url : null;
}
