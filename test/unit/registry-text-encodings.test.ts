import { describe, expect, it } from 'vitest';
import { REDACTED, RegistryText, WITHHELD } from '../../src/registry/http/registry-text.js';

const USER = 'robot';
const PASSWORD = 'pa/ss wörd!~(x)é"<&';
const PAIR = `${USER}:${PASSWORD}`;
const base64 = (text: string) => Buffer.from(text).toString('base64');
const AUTHORIZATION = `Basic ${base64(PAIR)}`;

function textFor(password = PASSWORD): RegistryText {
  const text = new RegistryText();
  text.remember({ kind: 'basic', username: USER, password });
  return text;
}

const unicodeEscaped = (p: string) =>
  JSON.stringify(p)
    .slice(1, -1)
    .replace(/[\u0080-\uffff]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);

/** The ways registries and the frameworks behind them write text they were given. */
const ENCODINGS: [string, (password: string) => string][] = [
  ['percent-encoded in lower case', (p) => encodeURIComponent(p).replace(/%[0-9A-F]{2}/g, (m) => m.toLowerCase())],
  ['form-encoded (+ for a space)', (p) => new URLSearchParams({ p }).toString().slice(2)],
  ['partly percent-encoded', (p) => p.replace(/ /g, '%20')],
  ['JSON-escaped as Python writes it (\\u00f6)', unicodeEscaped],
  ['JSON-escaped as PHP writes it (\\/)', (p) => JSON.stringify(p).slice(1, -1).replace(/\//g, '\\/')],
  [
    'JSON-escaped as Go writes it (\\u0026)',
    (p) => JSON.stringify(p).slice(1, -1).replace(/</g, '\\u003c').replace(/>/g, '\\u003e').replace(/&/g, '\\u0026'),
  ],
  ['HTML-escaped', (p) => p.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/"/g, '&quot;')],
  ['as numeric HTML references', (p) => [...p].map((c) => `&#${c.codePointAt(0)};`).join('')],
  ['base64 after a prefix (shifted alignment)', (p) => base64(`user=${p}`)],
  ['base64 after a two-byte prefix', (p) => base64(`u=${p}`)],
  ['base64 wrapped every 16 characters', () => base64(PAIR).replace(/(.{16})/g, '$1\n')],
  ['base64 with spaces', () => base64(PAIR).replace(/(.{4})/g, '$1 ')],
  ['hex', (p) => Buffer.from(p).toString('hex')],
  ['hex in upper case', (p) => Buffer.from(p).toString('hex').toUpperCase()],
  ['the Basic header in upper case', () => AUTHORIZATION.toUpperCase()],
  ['in upper case', (p) => p.toUpperCase()],
  ['doubly percent-encoded', (p) => encodeURIComponent(encodeURIComponent(p))],
  ['base64url after a prefix', (p) => Buffer.from(`xy${p}`).toString('base64url')],
];

describe('RegistryText: a secret repeated in an encoding that cannot be cut out precisely', () => {
  it.each(ENCODINGS)('withholds the whole message when the password is %s', (_name, encode) => {
    const said = `denied: ${encode(PASSWORD)}`;
    expect(textFor().show(said)).toBe(WITHHELD);
    expect(textFor().quote(said)).toBe(JSON.stringify(WITHHELD));
  });

  it('withholds a message that repeats the username:password pair percent-encoded in lower case', () => {
    const said = encodeURIComponent(PAIR).replace(/%[0-9A-F]{2}/g, (m) => m.toLowerCase());
    expect(textFor().show(said)).toBe(WITHHELD);
  });

  it('withholds a bearer token in hex', () => {
    const text = new RegistryText();
    const token = 'eyJhbGciOiJSUzI1NiJ9.payload.signature';
    text.rememberToken(token, Date.now() + 60_000);
    expect(text.show(`token ${Buffer.from(token).toString('hex')}`)).toBe(WITHHELD);
  });
});

describe('RegistryText: the simple forms are still cut out precisely', () => {
  it.each([
    ['raw', PASSWORD],
    ['base64', base64(PASSWORD)],
    ['base64 with padding', base64(PASSWORD)],
    ['the Basic header', AUTHORIZATION],
    ['percent-encoded', encodeURIComponent(PASSWORD)],
    ['JSON-escaped', JSON.stringify(PASSWORD).slice(1, -1)],
    ['split by a zero-width space', `${PASSWORD.slice(0, 6)}\u200b${PASSWORD.slice(6)}`],
  ])('%s', (_name, form) => {
    const shown = textFor().show(`denied: ${form}`);
    expect(shown).toMatch(/^denied: (Basic )?\[redacted\]=*$/);
  });
});

describe('RegistryText: ordinary words are left alone', () => {
  it('does not withhold a message for a short password, which loose matching would find in any word', () => {
    const text = textFor('Pass1');
    expect(text.show('PASS1 is not PASS1')).toBe('PASS1 is not PASS1');
    expect(text.show('wrong Pass1')).toBe(`wrong ${REDACTED}`);
  });

  it('shows a message that holds no secret unchanged, escapes and all', () => {
    const said = 'blob unknown: sha256:0f%2Fa &amp; \\u0026 dGVzdA== 74657374';
    expect(textFor().show(said)).toBe(said);
  });

  it('keeps the username, which is not a secret, in any encoding', () => {
    expect(textFor().show(`user ${USER.toUpperCase()} (${base64(USER)}) may not pull`)).toBe(
      `user ROBOT (${base64(USER)}) may not pull`,
    );
  });
});
