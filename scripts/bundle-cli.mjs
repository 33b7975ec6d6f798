// Bundles the compiled CLI (dist/cli/main.js, from tsc) into dist/bin/imagestreams.js, the package's bin: one file
// for what every command loads, plus a chunk beside it for each command and package it imports on demand. Node then
// reads a few files at start-up instead of compiling some 300 modules one by one. Run by `npm run build`.
// dist/bin sits as deep as dist/cli, so paths the code builds from import.meta.url (../../package.json, the schemas,
// the CI recipes, node_modules for require()) resolve the same from the bundle.
import { chmodSync, rmSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { build } from 'rolldown';

const root = new URL('../', import.meta.url);
const outDir = fileURLToPath(new URL('dist/bin/', root));
const ENTRY = 'imagestreams.js';

rmSync(outDir, { recursive: true, force: true });
await build({
  input: fileURLToPath(new URL('dist/cli/main.js', root)),
  platform: 'node',
  logLevel: 'warn',
  output: {
    dir: outDir,
    format: 'esm',
    entryFileNames: ENTRY,
    chunkFileNames: '[name]-[hash].js',
    // Error classes name themselves after their class (`this.name = new.target.name`); renaming a clashing one
    // (`Foo$1`) would change what an error says it is.
    keepNames: true,
    // Source that is ASCII only is read and compiled as one-byte strings: a single `—` in a chunk would make Node
    // decode and V8 scan all of it as two-byte text. JSDoc is dropped for the same reason, and for size.
    charset: 'ascii',
    comments: { legal: true, annotation: true, jsdoc: false },
  },
});
// npm makes a bin executable when it links it; a build run from a clone gets the same.
chmodSync(`${outDir}${ENTRY}`, 0o755);
