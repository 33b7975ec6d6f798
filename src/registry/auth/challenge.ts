import type { RegistryText } from '../http/registry-text.js';
import { type HttpResponse, headerValues } from '../http/transport.js';
import { ambiguousChallenge } from '../wording/auth.js';

/** One authentication challenge of a `WWW-Authenticate` header. */
export interface Challenge {
  /** Lower-cased scheme: `bearer`, `basic`, … */
  scheme: string;
  /** Parameters with lower-cased names. */
  params: Record<string, string>;
  /** Names of the parameters given more than once (RFC 7235 allows each once): such a challenge is refused. */
  duplicates?: string[];
}

const TOKEN = /[!#$%&'*+.^_`|~0-9A-Za-z-]+/y;

/**
 * Parses every challenge of one or more `WWW-Authenticate` header values (RFC 7235: several challenges per
 * header, comma separated, quoted strings with backslash escapes).
 */
export function parseChallenges(values: string[]): Challenge[] {
  const out: Challenge[] = [];
  for (const value of values) out.push(...parseHeader(value));
  return out;
}

function parseHeader(text: string): Challenge[] {
  const challenges: Challenge[] = [];
  let pos = 0;
  let current: Challenge | undefined;
  while (pos < text.length) {
    pos = skip(text, pos, ' \t,');
    const name = readToken(text, pos);
    if (!name) break;
    pos = skip(text, name.end, ' \t');
    if (text[pos] === '=' && current) {
      const value = readValue(text, skip(text, pos + 1, ' \t'));
      setParam(current, name.value.toLowerCase(), value.value);
      pos = value.end;
      continue;
    }
    current = { scheme: name.value.toLowerCase(), params: {} };
    challenges.push(current);
    // token68 form (`Basic dXNlcg==`) carries no parameters we use; step over it.
    const token68 = /[A-Za-z0-9._~+/-]+=*/y;
    token68.lastIndex = pos;
    const match = token68.exec(text);
    if (match && text[pos + match[0].length] !== '=' && !/^\s*=/.test(text.slice(pos + match[0].length))) {
      const after = skip(text, pos + match[0].length, ' \t');
      if (after >= text.length || text[after] === ',') pos = after;
    }
  }
  return challenges;
}

function setParam(challenge: Challenge, name: string, value: string): void {
  if (Object.hasOwn(challenge.params, name)) {
    challenge.duplicates ??= [];
    if (!challenge.duplicates.includes(name)) challenge.duplicates.push(name);
  }
  challenge.params[name] = value;
}

function skip(text: string, pos: number, chars: string): number {
  while (pos < text.length && chars.includes(text[pos]!)) pos++;
  return pos;
}

function readToken(text: string, pos: number): { value: string; end: number } | undefined {
  TOKEN.lastIndex = pos;
  const match = TOKEN.exec(text);
  return match ? { value: match[0], end: pos + match[0].length } : undefined;
}

function readValue(text: string, pos: number): { value: string; end: number } {
  if (text[pos] !== '"') {
    const token = readToken(text, pos);
    return token ?? { value: '', end: pos };
  }
  let value = '';
  let i = pos + 1;
  while (i < text.length && text[i] !== '"') {
    if (text[i] === '\\' && i + 1 < text.length) i++;
    value += text[i];
    i++;
  }
  return { value, end: i + 1 };
}

/** Bearer is preferred over Basic, as docker and containers/image do. */
export function preferredChallenge(challenges: Challenge[]): Challenge | undefined {
  return challenges.find((c) => c.scheme === 'bearer') ?? challenges.find((c) => c.scheme === 'basic');
}

/**
 * The challenge an answer of `registry` offers (Bearer over Basic), refused when it gives a parameter twice: which
 * one counts would be a guess.
 */
export function offeredChallenge(res: HttpResponse, registry: string, text: RegistryText): Challenge | undefined {
  const challenge = preferredChallenge(parseChallenges(headerValues(res.headers, 'www-authenticate')));
  const twice = challenge?.duplicates?.[0];
  if (twice !== undefined) throw ambiguousChallenge(registry, twice, text);
  return challenge;
}
