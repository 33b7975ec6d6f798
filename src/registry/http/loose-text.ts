/**
 * Text as a secret could hide in it, undone: what a registry repeats may be percent-encoded (in any case, or only in
 * part), form-encoded, JSON- or JavaScript-escaped, HTML-escaped, split by invisible characters or line breaks, or
 * case-changed. `looseView` decodes a copy of the text every such way and flattens it, for `looseForms` (see
 * secret-forms.ts) to be searched in; it is never shown.
 */
export function looseView(text: string): string {
  let out = text.replace(IGNORED, '');
  for (let round = 0; round < MAX_ROUNDS; round++) {
    const next = decodeEntities(decodeEscapes(decodePercent(out)));
    if (next === out) break;
    out = next.replace(IGNORED, '');
  }
  return out.normalize('NFC').toLowerCase();
}

/** A form of a secret as `looseView` leaves it: without what the view drops, in lower case. */
export function flattened(text: string): string {
  return text.replace(IGNORED, '').normalize('NFC').toLowerCase();
}

/** Encodings inside encodings (`%255C`, `&amp;#x41;`) are undone this many levels deep. */
const MAX_ROUNDS = 3;

/**
 * Dropped: control and format characters (zero-width spaces and joiners, bidirectional marks, soft hyphens), white
 * space, and `+`, which form encoding writes for a space — all may be put anywhere in a secret or its base64 or hex.
 */
const IGNORED = /[\p{Cc}\p{Cf}\s+]/gu;

const PERCENT_RUN = /(?:%[0-9A-Fa-f]{2})+/g;

/** Runs of `%XX`, as UTF-8 when they are, else one character per byte. */
function decodePercent(text: string): string {
  if (!text.includes('%')) return text;
  return text.replace(PERCENT_RUN, (run) => {
    const bytes = Buffer.from(run.replace(/%/g, ''), 'hex');
    const utf8 = bytes.toString('utf8');
    return utf8.includes('\uFFFD') ? bytes.toString('latin1') : utf8;
  });
}

const ESCAPE = /\\(?:u\{([0-9A-Fa-f]{1,6})\}|u([0-9A-Fa-f]{4})|x([0-9A-Fa-f]{2})|([^ux]))/g;

const SINGLE_ESCAPES: Record<string, string> = { n: '\n', r: '\r', t: '\t', b: '\b', f: '\f', v: '\v', 0: '\0' };

/** JSON, JavaScript and Python escapes: `\u00e9`, `\u{1F600}`, `\xe9`, `\/`, `\"`, `\n`. */
function decodeEscapes(text: string): string {
  if (!text.includes('\\')) return text;
  return text.replace(ESCAPE, (_all, braced?: string, unit?: string, byte?: string, single?: string) => {
    if (braced) return codePoint(Number.parseInt(braced, 16));
    if (unit) return String.fromCharCode(Number.parseInt(unit, 16));
    if (byte) return String.fromCharCode(Number.parseInt(byte, 16));
    return SINGLE_ESCAPES[single ?? ''] ?? single ?? '';
  });
}

const ENTITY = /&(?:#(\d{1,7})|#[xX]([0-9A-Fa-f]{1,6})|([A-Za-z]{2,8}))(;?)/g;

/** References HTML reads without their `;`, even followed by letters: `&ampx` is `&x`. */
const LEGACY_ENTITIES = ['amp', 'lt', 'gt', 'quot'];

const NAMED_ENTITIES: Record<string, string> = {
  amp: '&',
  lt: '<',
  gt: '>',
  quot: '"',
  apos: "'",
  nbsp: ' ',
  sol: '/',
  colon: ':',
  equals: '=',
  plus: '+',
  num: '#',
  percnt: '%',
  excl: '!',
  lpar: '(',
  rpar: ')',
  tilde: '~',
};

/** HTML character references: numeric ones, the common named ones, and Latin-1 letters such as `&eacute;`. */
function decodeEntities(text: string): string {
  if (!text.includes('&')) return text;
  return text.replace(ENTITY, (all, decimal?: string, hex?: string, name = '', end = '') => {
    if (decimal) return codePoint(Number.parseInt(decimal, 10));
    if (hex) return codePoint(Number.parseInt(hex, 16));
    const named = NAMED_ENTITIES[name] ?? latinLetter(name);
    if (named) return named;
    const legacy = LEGACY_ENTITIES.find((prefix) => name.startsWith(prefix));
    return legacy ? `${NAMED_ENTITIES[legacy]}${name.slice(legacy.length)}${end}` : all;
  });
}

const ACCENTS: Record<string, string> = {
  acute: '\u0301',
  grave: '\u0300',
  circ: '\u0302',
  uml: '\u0308',
  tilde: '\u0303',
  ring: '\u030A',
  cedil: '\u0327',
};

/** `&eacute;` → `é`: a letter and an accent's name. */
function latinLetter(name: string): string | undefined {
  const match = /^([A-Za-z])(acute|grave|circ|uml|tilde|ring|cedil)$/.exec(name);
  if (!match) return undefined;
  return `${match[1]}${ACCENTS[match[2] ?? '']}`.normalize('NFC');
}

function codePoint(value: number): string {
  return value <= 0x10ffff ? String.fromCodePoint(value) : '';
}
