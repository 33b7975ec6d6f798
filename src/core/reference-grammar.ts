/**
 * The pieces of the distribution/reference grammar (github.com/distribution/reference, v0.6), each checked on its
 * own anchored part so that no check backtracks over a whole hostile input.
 *
 *   reference        := name [ ":" tag ] [ "@" digest ]
 *   name             := [domain "/"] path-component ["/" path-component]*
 *   domain           := (domain-name | "[" IPv6 "]") [":" port]
 *   domain-name      := domain-component ["." domain-component]*
 *   domain-component := /[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9]/
 *   path-component   := /[a-z0-9]+/ [separator /[a-z0-9]+/]*, separator := /[_.]|__|[-]+/
 *   tag              := /[\w][\w.-]{0,127}/
 *   digest           := algorithm ":" /[0-9a-fA-F]{32,}/, algorithm := /[A-Za-z][A-Za-z0-9]*([-_+.][A-Za-z][A-Za-z0-9]*)*\/
 */

/** The most characters of a repository path (the name without its domain), as distribution/reference counts it. */
export const MAX_PATH_LENGTH = 255;
export const MAX_TAG_LENGTH = 128;

const DOMAIN_COMPONENT = /^(?:[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9])$/;
const IPV6 = /^[a-fA-F0-9:]+$/;
const PORT = /^[0-9]+$/;
const PATH_COMPONENT = /^[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*$/;
const TAG = /^\w[\w.-]{0,127}$/;
const DIGEST = /^[A-Za-z][A-Za-z0-9]*(?:[-_+.][A-Za-z][A-Za-z0-9]*)*:[0-9a-fA-F]{32,}$/;
/** A name that is only this is refused: it cannot be told from an image ID. */
const IDENTIFIER = /^[a-f0-9]{64}$/;

/** The digest algorithms references may use, with the number of hex digits of each (go-digest's registered ones). */
export const DIGEST_HEX_LENGTHS: ReadonlyMap<string, number> = new Map([
  ['sha256', 64],
  ['sha512', 128],
]);

export function isIdentifier(text: string): boolean {
  return IDENTIFIER.test(text);
}

/** `host[:port]` where host is a domain name, an IPv4 address or `[IPv6]` (no zone). */
export function isDomain(text: string): boolean {
  if (text.startsWith('[')) {
    const close = text.indexOf(']');
    if (close < 0 || !IPV6.test(text.slice(1, close))) return false;
    return isOptionalPort(text.slice(close + 1));
  }
  const colon = text.indexOf(':');
  const host = colon < 0 ? text : text.slice(0, colon);
  if (!host.split('.').every((component) => DOMAIN_COMPONENT.test(component))) return false;
  return colon < 0 || isOptionalPort(text.slice(colon));
}

function isOptionalPort(text: string): boolean {
  return text === '' || (text.startsWith(':') && PORT.test(text.slice(1)));
}

/** The first path component of `path` that breaks the grammar; undefined when every one is valid. */
export function badPathComponent(path: string): string | undefined {
  return path.split('/').find((component) => !PATH_COMPONENT.test(component));
}

export function isTag(text: string): boolean {
  return TAG.test(text);
}

/** Why `text` is not a digest a reference may hold; undefined when it is one. */
export function digestProblem(text: string): string | undefined {
  if (!DIGEST.test(text)) return 'expected ALGORITHM:HEX, such as sha256: and 64 hex digits';
  const colon = text.indexOf(':');
  const algorithm = text.slice(0, colon);
  const hex = text.slice(colon + 1);
  const length = DIGEST_HEX_LENGTHS.get(algorithm);
  if (length === undefined) return `unsupported digest algorithm ${JSON.stringify(algorithm)} (sha256 and sha512 are)`;
  if (hex.length !== length) return `a ${algorithm} digest has ${length} hex digits, not ${hex.length}`;
  if (hex !== hex.toLowerCase()) return 'the hex digits of a digest are lowercase';
  return undefined;
}
