/**
 * Marker scanning (comments, not strings) and source-map resolution.
 *
 * @module
 */
export { scanMarkers, type MarkerDiagnostic, type MarkerScan, type MarkerSite } from "./scan.js";
export {
  loadSourceMap,
  SourceMapIndex,
  type GeneratedPosition,
  type OriginalPosition,
  type SourceMapLoad,
} from "./source-map.js";
export { interlaceOwnRoots, TraceFilter, type TraceFilterOptions } from "./trace-filter.js";
export {
  MarkerResolver,
  type MarkerResolverOptions,
  type ParsedScript,
  type ResolvedMarker,
  type ScriptMarkers,
} from "./script-markers.js";
