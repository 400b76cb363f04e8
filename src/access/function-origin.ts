/**
 * Where a function was defined, asked of V8 through an inspector session on this isolate: the URL
 * of the script that holds its code (`[[FunctionLocation]]`). The access runtime asks only for
 * JavaScript functions whose source text does not tell (no instrumentation in it), once per
 * function object, so that a call into a package, into Node's own JavaScript (`node:events`) or into
 * an untraced file of the project can be told from a call of a traced function that simply does
 * nothing instrumentable.
 *
 * A session to one's own isolate answers synchronously. Its Debugger domain is enabled (that is what
 * maps script ids to URLs) with every pause skipped, so a `debugger` statement in code under test
 * never stops this thread; {@link releaseFunctionOrigins} turns it off again at the end of an
 * exploration. Without an inspector (Node built without it) every answer is `null`.
 *
 * @module
 */
import { createRequire } from "node:module";

type Session = import("node:inspector").Session;
interface Locator {
  session: Session;
  urls: Map<string, string>;
}

const PROBE = Symbol.for("interlace.function-origin.probe");
const GROUP = "interlace-function-origin";

let locator: Locator | null | undefined;

function open(): Locator | null {
  try {
    // Required lazily: `node:inspector` is absent from Node builds without an inspector.
    const { Session } = createRequire(import.meta.url)("node:inspector") as typeof import("node:inspector");
    const session = new Session();
    session.connect();
    const urls = new Map<string, string>();
    session.on("Debugger.scriptParsed", (message) => urls.set(message.params.scriptId, message.params.url));
    session.post("Debugger.enable");
    session.post("Debugger.setSkipAllPauses", { skip: true });
    return { session, urls };
  } catch {
    return null;
  }
}

/**
 * The URL of the script defining `fn` (`file:///…`, an absolute path for CommonJS, `node:events`),
 * or `null` when V8 does not tell (native and bound functions, no inspector).
 */
export function functionOrigin(fn: Function): string | null {
  if (locator === undefined) locator = open();
  if (locator === null) return null;
  const { session, urls } = locator;
  const registry = globalThis as unknown as Record<symbol, unknown>;
  let url: string | null = null;
  registry[PROBE] = fn;
  try {
    session.post("Runtime.evaluate", { expression: `globalThis[Symbol.for(${JSON.stringify(PROBE.description)})]`, objectGroup: GROUP }, (error, evaluated) => {
      const objectId = error ? undefined : evaluated.result.objectId;
      if (objectId === undefined) return;
      session.post("Runtime.getProperties", { objectId, ownProperties: true }, (failure, properties) => {
        if (failure) return;
        const location = properties.internalProperties?.find((p) => p.name === "[[FunctionLocation]]")?.value?.value as { scriptId?: string } | undefined;
        if (location?.scriptId !== undefined) url = urls.get(location.scriptId) ?? null;
      });
    });
    session.post("Runtime.releaseObjectGroup", { objectGroup: GROUP });
  } catch {
    url = null;
  } finally {
    delete registry[PROBE];
  }
  return url;
}

/** Closes the session, if one was opened: the Debugger domain is off again. */
export function releaseFunctionOrigins(): void {
  if (locator) {
    try {
      locator.session.post("Debugger.disable");
      locator.session.disconnect();
    } catch {
      // Already gone.
    }
  }
  locator = undefined;
}
