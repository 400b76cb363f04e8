// Module hooks: resolve the bare specifier "interlace" (the example scenarios import it) to the
// dist/ this benchmark measures. Registered by schedule-wall.mjs with `module.register`.
let target;

export function initialize(data) {
  target = data.target;
}

export async function resolve(specifier, context, next) {
  if (specifier === "interlace") return { url: target, shortCircuit: true };
  return next(specifier, context);
}
