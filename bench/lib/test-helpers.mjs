import { mkdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const HELPERS = join(ROOT, 'test', 'helpers');
/** The test harness's registry, TLS, token-server and paging-front helpers, and what they import (node builtins, `yaml`). */
const FILES = ['registry', 'tls', 'token-server', 'http-server', 'cleanup', 'paging-front'];

/**
 * Transpiles the test harness's TypeScript helpers (test/helpers) to JavaScript in `dir`, with the project's
 * node_modules beside them, and imports `registry.js`: the bench runs the registry the tests run, from the same code.
 */
export async function loadRegistryHelpers(dir) {
  const { default: ts } = await import('typescript');
  mkdirSync(dir, { recursive: true });
  for (const name of FILES) {
    const source = readFileSync(join(HELPERS, `${name}.ts`), 'utf8');
    const { outputText } = ts.transpileModule(source, {
      compilerOptions: { module: ts.ModuleKind.ESNext, target: ts.ScriptTarget.ES2022 },
      fileName: `${name}.ts`,
    });
    writeFileSync(join(dir, `${name}.js`), outputText);
  }
  writeFileSync(join(dir, 'package.json'), '{"type": "module"}\n');
  symlinkSync(join(ROOT, 'node_modules'), join(dir, 'node_modules'));
  const registry = await import(pathToFileURL(join(dir, 'registry.js')).href);
  const tls = await import(pathToFileURL(join(dir, 'tls.js')).href);
  const paging = await import(pathToFileURL(join(dir, 'paging-front.js')).href);
  return {
    startRegistry: registry.startRegistry,
    generatePki: tls.generatePki,
    writeCertsDir: tls.writeCertsDir,
    startPagingFront: paging.startPagingFront,
  };
}
