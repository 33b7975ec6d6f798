import { readFileSync } from 'node:fs';

/** The version in the package's package.json (two levels above this module, in src/ and in dist/ alike). */
export function packageVersion(): string {
  const manifest = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as {
    version: string;
  };
  return manifest.version;
}
