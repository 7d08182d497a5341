#!/usr/bin/env node
// The committed `wslbench` executable. npm links it at install time, before anything is built (a bin pointing into
// dist/ is not linked on a fresh clone), and it runs the built CLI, or says how to build it.
import { existsSync } from 'node:fs';
import { fileURLToPath, pathToFileURL } from 'node:url';

const main = fileURLToPath(new URL('../dist/main.js', import.meta.url));
if (!existsSync(main)) {
  process.stderr.write(
    `wslbench: the CLI is not built yet (${main} is missing); run \`npm run build\` in the repository root first\n`,
  );
  process.exit(1);
}
await import(pathToFileURL(main).href);
