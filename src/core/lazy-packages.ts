import { createRequire } from 'node:module';
import type * as Re2js from 're2js';
import type * as Semver from 'semver';

// Only catalogs that discover or update tags need these; loaded on first use, they cost other commands' start-up
// nothing (together some 160 modules).
const require = createRequire(import.meta.url);
let semver: typeof Semver | undefined;
let re2js: typeof Re2js | undefined;

export function semverPackage(): typeof Semver {
  semver ??= require('semver') as typeof Semver;
  return semver;
}

export function re2jsPackage(): typeof Re2js {
  re2js ??= require('re2js') as typeof Re2js;
  return re2js;
}
