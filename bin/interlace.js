#!/usr/bin/env node
// Entry of the `interlace` command. The compiled CLI lives in dist/ (built by `npm ci` / `npm run build`).
let cli;
try {
  cli = await import("../dist/cli/main.js");
} catch (error) {
  if (error?.code === "ERR_MODULE_NOT_FOUND" && String(error.message).includes("dist/cli/main.js")) {
    process.stderr.write("interlace: the package is not built (dist/ is missing). Run `npm run build` in the interlace folder.\n");
    process.exit(2);
  }
  throw error;
}
const code = await cli.main(process.argv.slice(2));
process.exitCode = code;
// Never linger: everything interlace started is already gone; user handles must not keep us alive.
setTimeout(() => process.exit(code), 1000).unref();
