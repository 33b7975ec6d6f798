import { appendFileSync, lstatSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { inject } from 'vitest';

/**
 * The credentials every attack of the suite uses. Their values are distinctive, so that finding one in any output
 * or file means it leaked; after the run every CLI transcript and every file the tests left is searched for them.
 */
export const CANARY = {
  username: 'canary-user-4f1d',
  password: 'canary-pass-Zq81xv',
  identityToken: 'canary-identity-token-7c2e9b',
  registryToken: 'canary-registry-token-d61a0f',
  bearerToken: 'canary-bearer-token-93be5a',
} as const;

const base64 = (text: string) => Buffer.from(text).toString('base64');

/** Every form a canary could leak in: raw, and the base64 forms Basic auth and docker config files use. */
export function canaryForms(): string[] {
  const raw = Object.values(CANARY);
  const basic = `${CANARY.username}:${CANARY.password}`;
  return [...raw.filter((value) => value !== CANARY.username), basic, base64(basic), ...raw.map(base64)];
}

/** A docker config (`auth.json`) that gives `hosts` the canary username and password. */
export function canaryAuthFile(hosts: readonly string[]): string {
  const auth = base64(`${CANARY.username}:${CANARY.password}`);
  return JSON.stringify({ auths: Object.fromEntries(hosts.map((host) => [host, { auth }])) });
}

/** A docker config that gives `hosts` the canary identity token (sent as an OAuth2 refresh token). */
export function canaryIdentityTokenAuthFile(hosts: readonly string[]): string {
  const auth = base64(`${CANARY.username}:`);
  return JSON.stringify({
    auths: Object.fromEntries(hosts.map((host) => [host, { auth, identitytoken: CANARY.identityToken }])),
  });
}

/** The canary forms found in `text`. */
export function canariesIn(text: string): string[] {
  return canaryForms().filter((form) => text.includes(form));
}

const LEAKS_FILE = 'leaks.jsonl';

/** Records every canary found in `text` (output of a command, a metrics page, …) as a leak of the run. */
export function sweepText(text: string, where: string): void {
  const found = canariesIn(text);
  if (found.length > 0)
    appendFileSync(join(inject('resilienceTallyDir'), LEAKS_FILE), `${JSON.stringify({ where, found })}\n`);
}

const SWEEP_FILE_LIMIT = 16 << 20;

/** Where a test keeps the credentials it hands to the command: a `secrets/` folder, or an `*auth.json` file. */
const CREDENTIAL_INPUT = /^(secrets|.*auth\.json|.*\.dockerconfigjson)$/;

/**
 * Searches every regular file below `dir` (state, backup, journal, plan files, layouts, …) for canaries, passing
 * over the credential files the test wrote as input (see CREDENTIAL_INPUT).
 */
export function sweepDirectory(dir: string): void {
  let entries: string[];
  try {
    entries = readdirSync(dir);
  } catch {
    return;
  }
  for (const name of entries) {
    if (CREDENTIAL_INPUT.test(name)) continue;
    const path = join(dir, name);
    let stat: ReturnType<typeof lstatSync>;
    try {
      stat = lstatSync(path);
    } catch {
      continue;
    }
    if (stat.isDirectory()) sweepDirectory(path);
    else if (stat.isFile() && stat.size <= SWEEP_FILE_LIMIT) sweepText(readFileSync(path, 'latin1'), path);
  }
}

/** The leaks recorded in the run, one line each. */
export function readLeaks(tallyDir: string): string[] {
  try {
    return readFileSync(join(tallyDir, LEAKS_FILE), 'utf8').split('\n').filter(Boolean);
  } catch {
    return [];
  }
}
