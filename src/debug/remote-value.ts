/**
 * The answer of a side-effect-free evaluation (`Debugger.evaluateOnCallFrame` in a worker or
 * process, `Runtime.evaluate` in this isolate for task threads) as text for `print`, or the typed
 * error it amounts to: refused as a possible side effect, or thrown.
 *
 * @module
 */
import { DebugCommandError } from "../errors.js";
import type { Protocol } from "../protocol/cdp.js";
import type { CdpSession } from "../cdp/session.js";

type RemoteObject = Protocol.Runtime.RemoteObject;

/**
 * `Debugger.evaluateOnCallFrame` as `print` asks it: side-effect-free, with a preview, in an object
 * group released once answered.
 */
export async function evaluateInFrame(session: CdpSession, callFrameId: string, expression: string): Promise<Protocol.Debugger.EvaluateOnCallFrameResponse> {
  try {
    return await session.send("Debugger.evaluateOnCallFrame", { callFrameId, expression, throwOnSideEffect: true, generatePreview: true, silent: true, objectGroup: "interlace-debug" });
  } finally {
    session.post("Runtime.releaseObjectGroup", { objectGroup: "interlace-debug" });
  }
}

/** What the inspector answered to an evaluation, as text; throws a `DebugCommandError` for an exception. */
export function evaluationText(expression: string, result: RemoteObject, exception: Protocol.Runtime.ExceptionDetails | undefined): string {
  const thrown = exception === undefined ? null : (exception.exception ?? result);
  if (thrown !== null) {
    const description = thrown?.description ?? exception?.text ?? "an exception";
    if (/Possible side-effect in debug-evaluate/.test(description)) {
      throw new DebugCommandError(
        "E_DEBUG_SIDE_EFFECT",
        `Refused: evaluating \`${expression}\` could have a side effect (V8's throwOnSideEffect check stopped it). ` +
          "print only reads, so that the interleaving stays the one you are walking: drop the call or assignment.",
      );
    }
    throw new DebugCommandError("E_DEBUG_EVAL", `\`${expression}\` threw ${firstLine(description)}`);
  }
  return valueText(result);
}

/** A remote value as one line: primitives as JSON does, objects from their preview. */
export function valueText(value: RemoteObject): string {
  switch (value.type) {
    case "undefined":
      return "undefined";
    case "string":
      return JSON.stringify(value.value);
    case "number":
    case "boolean":
      return value.description ?? String(value.value);
    case "bigint":
      return value.description ?? `${String(value.unserializableValue ?? "")}`;
    case "symbol":
    case "function":
      return firstLine(value.description ?? value.type);
    default:
      if (value.subtype === "null") return "null";
      return value.preview ? previewText(value.preview) : firstLine(value.description ?? "object");
  }
}

function previewText(preview: Protocol.Runtime.ObjectPreview): string {
  const entries = preview.subtype === "array" || preview.subtype === "typedarray"
    ? preview.properties.map((p) => propertyValue(p))
    : preview.properties.map((p) => `${p.name}: ${propertyValue(p)}`);
  const more = preview.overflow ? ", …" : "";
  const inner = `${entries.join(", ")}${more}`;
  if (preview.subtype === "array" || preview.subtype === "typedarray") return `${preview.description ?? ""} [${inner}]`.trim();
  if (preview.subtype === "error") return firstLine(preview.description ?? "Error");
  const name = preview.description && preview.description !== "Object" ? `${preview.description} ` : "";
  return `${name}{ ${inner} }`.replace("{  }", "{}");
}

function propertyValue(p: Protocol.Runtime.PropertyPreview): string {
  if (p.type === "string") return JSON.stringify(p.value ?? "");
  if (p.valuePreview) return previewText(p.valuePreview);
  return p.value ?? p.type;
}

function firstLine(text: string): string {
  return text.split("\n")[0] ?? text;
}
