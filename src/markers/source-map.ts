/**
 * A position index over one source map, built once from the `source-map` package's mappings.
 *
 * `source-map` 0.8 decodes mappings in WebAssembly: its consumer constructor returns a Promise and
 * the consumer must be destroyed. {@link SourceMapIndex.fromJSON} copies every mapping into plain
 * arrays and destroys the consumer before returning, so an index holds no WebAssembly memory and
 * needs no disposal.
 *
 * @module
 */
import { fileURLToPath, pathToFileURL } from "node:url";
import { readFile as fsReadFile } from "node:fs/promises";
import { isAbsolute } from "node:path";
import { SourceMapConsumer, type MappingItem, type RawIndexMap, type RawSourceMap } from "source-map";

/** A position in generated code, 0-based as the Chrome DevTools Protocol uses. */
export interface GeneratedPosition {
  line0: number;
  column0: number;
}

/** A position in original source. */
export interface OriginalPosition {
  /** Absolute file path when the source is a file, else the source string as the map resolves it. */
  source: string;
  /** 1-based line. */
  line: number;
  /** 0-based column. */
  column: number;
}

/** How far {@link SourceMapIndex.generatedFor} looks past a line that has no usable mapping. */
const LOOKAHEAD_LINES = 20;

/** A mapping segment keyed by generated position; `source` is -1 for a segment with no original. */
interface GeneratedEntry {
  column0: number;
  source: number;
  line: number;
  column: number;
}

/** A mapping segment keyed by original position. */
interface OriginalEntry {
  column: number;
  line0: number;
  column0: number;
}

/** Mappings of one source map, indexed both ways. Build with {@link SourceMapIndex.fromJSON}. */
export class SourceMapIndex {
  readonly #sources: string[];
  readonly #sourceIds = new Map<string, number>();
  readonly #contents: (string | null)[];
  readonly #byGenerated = new Map<number, GeneratedEntry[]>();
  readonly #byOriginal: Map<number, OriginalEntry[]>[];

  private constructor(sources: string[], contents: (string | null)[]) {
    this.#sources = sources;
    this.#contents = contents;
    this.#byOriginal = sources.map(() => new Map<number, OriginalEntry[]>());
    sources.forEach((source, id) => this.#sourceIds.set(source, id));
  }

  /**
   * Parses a source map (a regular or an index map) and indexes all of its mappings.
   *
   * @param raw - The source map JSON text.
   * @param mapLocation - File URL or absolute path of the `.map` file, or of the script itself for an
   *   inline `data:` map. `sourceRoot` and `sources` are resolved against it.
   * @throws Error when `raw` is not a version 3 source map or its mappings cannot be decoded.
   */
  static async fromJSON(raw: string, mapLocation: string): Promise<SourceMapIndex> {
    const map = parseRawMap(raw);
    const mapUrl = isAbsolute(mapLocation) ? pathToFileURL(mapLocation).href : mapLocation;
    return SourceMapConsumer.with(map, mapUrl, (consumer) => {
      const sources: string[] = [];
      const contents: (string | null)[] = [];
      const idOfRaw = new Map<string, number>();
      const idOfSource = new Map<string, number>();
      for (const rawSource of consumer.sources) {
        const source = sourcePath(rawSource);
        let id = idOfSource.get(source);
        if (id === undefined) {
          id = sources.length;
          idOfSource.set(source, id);
          sources.push(source);
          contents.push(consumer.sourceContentFor(rawSource, true));
        }
        idOfRaw.set(rawSource, id);
      }
      const index = new SourceMapIndex(sources, contents);
      consumer.eachMapping((mapping) => index.#add(mapping, idOfRaw), null, SourceMapConsumer.GENERATED_ORDER);
      index.#sort();
      return index;
    });
  }

  /** Original sources, as absolute paths where they are files. */
  get sources(): readonly string[] {
    return this.#sources;
  }

  /** The map's `sourcesContent` entry for `source`, or null when the map does not embed it. */
  sourceContent(source: string): string | null {
    const id = this.#idOf(source);
    return id === undefined ? null : (this.#contents[id] ?? null);
  }

  /**
   * First generated position mapped from `source` at or after (`line`, `column`): on the same line the
   * mapping with the smallest original column >= `column`, else the first mapping of the next line
   * that has one, looking at most 20 lines ahead. Among mappings of one original position, the
   * earliest generated position wins.
   *
   * @param line - 1-based original line.
   * @param column - 0-based original column.
   * @returns The generated position, or null when nothing nearby is mapped.
   */
  generatedFor(source: string, line: number, column: number): GeneratedPosition | null {
    const id = this.#idOf(source);
    if (id === undefined) return null;
    const lines = this.#byOriginal[id];
    if (lines === undefined) return null;
    const sameLine = lines.get(line)?.find((entry) => entry.column >= column);
    if (sameLine !== undefined) return { line0: sameLine.line0, column0: sameLine.column0 };
    for (let next = line + 1; next <= line + LOOKAHEAD_LINES; next++) {
      const first = lines.get(next)?.[0];
      if (first !== undefined) return { line0: first.line0, column0: first.column0 };
    }
    return null;
  }

  /**
   * The original position of a generated 0-based position: the nearest mapping at or before it on
   * the same generated line. Null when there is none, or when that segment maps to no source.
   */
  originalFor(line0: number, column0: number): OriginalPosition | null {
    const entries = this.#byGenerated.get(line0);
    if (entries === undefined) return null;
    let lo = 0;
    let hi = entries.length - 1;
    let found: GeneratedEntry | undefined;
    while (lo <= hi) {
      const mid = (lo + hi) >>> 1;
      const entry = entries[mid];
      if (entry === undefined) break;
      if (entry.column0 <= column0) {
        found = entry;
        lo = mid + 1;
      } else {
        hi = mid - 1;
      }
    }
    if (found === undefined || found.source < 0) return null;
    const source = this.#sources[found.source];
    return source === undefined ? null : { source, line: found.line, column: found.column };
  }

  #idOf(source: string): number | undefined {
    return this.#sourceIds.get(source) ?? this.#sourceIds.get(sourcePath(source));
  }

  #add(mapping: MappingItem, idOfRaw: ReadonlyMap<string, number>): void {
    // The typings say non-null, but segments without an original position carry nulls.
    const rawSource: string | null = mapping.source;
    const originalLine: number | null = mapping.originalLine;
    const line0 = mapping.generatedLine - 1;
    const column0 = mapping.generatedColumn;
    const id = rawSource === null || originalLine === null ? undefined : idOfRaw.get(rawSource);
    let generated = this.#byGenerated.get(line0);
    if (generated === undefined) this.#byGenerated.set(line0, (generated = []));
    if (id === undefined || originalLine === null) {
      generated.push({ column0, source: -1, line: 0, column: 0 });
      return;
    }
    const column = mapping.originalColumn;
    generated.push({ column0, source: id, line: originalLine, column });
    const lines = this.#byOriginal[id];
    if (lines === undefined) return;
    let original = lines.get(originalLine);
    if (original === undefined) lines.set(originalLine, (original = []));
    original.push({ column, line0, column0 });
  }

  #sort(): void {
    for (const entries of this.#byGenerated.values()) entries.sort((a, b) => a.column0 - b.column0);
    for (const lines of this.#byOriginal) {
      for (const entries of lines.values()) {
        entries.sort((a, b) => a.column - b.column || a.line0 - b.line0 || a.column0 - b.column0);
      }
    }
  }
}

/** `file:` URLs become absolute paths; anything else is kept as resolved by the map. */
function sourcePath(source: string): string {
  if (!source.startsWith("file:")) return source;
  try {
    return fileURLToPath(source);
  } catch {
    return source;
  }
}

/** Parses and checks the shape of a source map; strips the `)]}'` anti-XSSI prefix. */
function parseRawMap(raw: string): RawSourceMap | RawIndexMap {
  const text = raw.startsWith(")]}'") ? raw.slice(raw.indexOf("\n") + 1) : raw;
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw new Error(`source map is not valid JSON: ${(error as Error).message}`);
  }
  if (typeof value !== "object" || value === null) throw new Error("source map is not a JSON object");
  const map = value as Record<string, unknown>;
  if (map["version"] !== 3) throw new Error(`unsupported source map version ${String(map["version"])} (expected 3)`);
  if (Array.isArray(map["sections"])) return value as RawIndexMap;
  if (typeof map["mappings"] !== "string" || !Array.isArray(map["sources"])) {
    throw new Error('source map has no "mappings" string or no "sources" array');
  }
  return value as RawSourceMap;
}

/**
 * Outcome of {@link loadSourceMap}: the index, or `null` and why the map could not be used.
 * `location` is where the map was looked for (a path, or `"inline data: URL"`).
 */
export type SourceMapLoad =
  | { index: SourceMapIndex; problem: null; location: string }
  | { index: null; problem: string; location: string };

/**
 * Loads the source map a script points to with its `sourceMappingURL`. Never throws.
 *
 * @param scriptUrl - The script's `file:` URL or absolute path, as reported by `Debugger.scriptParsed`.
 * @param sourceMapURL - A `data:` URL (base64 or percent-encoded), a URL relative to the script, a
 *   `file:` URL or an absolute path.
 * @param readFile - Reads a file as UTF-8; defaults to `fs.promises.readFile`.
 */
export async function loadSourceMap(
  scriptUrl: string,
  sourceMapURL: string,
  readFile: (path: string) => Promise<string> = (path) => fsReadFile(path, "utf8"),
): Promise<SourceMapLoad> {
  let location = sourceMapURL;
  try {
    let raw: string;
    let mapLocation: string;
    if (sourceMapURL.startsWith("data:")) {
      location = "inline data: URL";
      raw = decodeDataUrl(sourceMapURL);
      mapLocation = scriptUrl;
    } else {
      location = mapFilePath(scriptUrl, sourceMapURL);
      raw = await readFile(location);
      mapLocation = location;
    }
    return { index: await SourceMapIndex.fromJSON(raw, mapLocation), problem: null, location };
  } catch (error) {
    return { index: null, problem: error instanceof Error ? error.message : String(error), location };
  }
}

/** Decodes `data:[<media type>][;charset=...][;base64],<data>`. */
export function decodeDataUrl(url: string): string {
  const comma = url.indexOf(",");
  if (comma < 0) throw new Error("malformed data: URL (no comma)");
  const params = url.slice("data:".length, comma).split(";");
  const data = url.slice(comma + 1);
  if (params.at(-1)?.toLowerCase() === "base64") return Buffer.from(decodeURIComponent(data), "base64").toString("utf8");
  return decodeURIComponent(data);
}

/** Absolute path of a non-`data:` source map reference. */
function mapFilePath(scriptUrl: string, sourceMapURL: string): string {
  if (isAbsolute(sourceMapURL)) return sourceMapURL;
  const base = isAbsolute(scriptUrl) ? pathToFileURL(scriptUrl).href : scriptUrl;
  let resolved: URL;
  try {
    resolved = new URL(sourceMapURL, base);
  } catch {
    throw new Error(`cannot resolve source map URL "${sourceMapURL}" against script URL "${scriptUrl}"`);
  }
  if (resolved.protocol !== "file:") throw new Error(`unsupported source map URL scheme "${resolved.protocol}"`);
  return fileURLToPath(resolved);
}
