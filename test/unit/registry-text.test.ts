import { describe, expect, it } from 'vitest';
import { clipped, quoted } from '../../src/core/echoed-text.js';
import { REDACTED, RegistryText } from '../../src/registry/http/registry-text.js';

const USER = 'robot';
const PASSWORD = 'hunter2-secret';
const TOKEN = 'eyJhbGciOiJSUzI1NiJ9.payload.signature';
const base64 = (text: string) => Buffer.from(text).toString('base64');

function textFor(): RegistryText {
  const text = new RegistryText();
  text.remember({ kind: 'basic', username: USER, password: PASSWORD });
  return text;
}

describe('RegistryText: what a registry says, made safe to show', () => {
  it.each([
    ['the Basic header it was sent', `denied: Basic ${base64(`${USER}:${PASSWORD}`)}`],
    ['the raw password', `bad password ${PASSWORD}!`],
    ['the base64 of the password alone', `got ${base64(PASSWORD)}`],
    ['the base64url of user:password', `got ${Buffer.from(`${USER}:${PASSWORD}`).toString('base64url')}`],
    ['the URL-encoded pair', `got ${encodeURIComponent(`${USER}:${PASSWORD}`)}`],
    ['the password split by a control character', `pass ${PASSWORD.slice(0, 6)}\u0000${PASSWORD.slice(6)}`],
  ])('scrubs %s', (_name, said) => {
    const shown = textFor().show(said);
    expect(shown).toContain(REDACTED);
    expect(shown).not.toContain(PASSWORD);
    expect(shown).not.toContain(base64(`${USER}:${PASSWORD}`).replace(/=+$/, ''));
    expect(shown).not.toContain(base64(PASSWORD).replace(/=+$/, ''));
  });

  it('keeps the username, which is not a secret', () => {
    expect(textFor().show(`user ${USER} may not pull`)).toBe(`user ${USER} may not pull`);
  });

  it('scrubs a bearer token it was told of, and identity and registry tokens', () => {
    const text = new RegistryText();
    text.rememberToken(TOKEN, Date.now() + 60_000);
    text.remember({ kind: 'identityToken', token: 'refresh-me-please' });
    text.remember({ kind: 'registryToken', token: 'static-token-123' });
    const shown = text.show(`Bearer ${TOKEN} refresh-me-please static-token-123`);
    expect(shown).toBe(`Bearer ${REDACTED} ${REDACTED} ${REDACTED}`);
  });

  it('forgets a bearer token a while after it expired', () => {
    let now = 1_000_000;
    const text = new RegistryText(() => now);
    text.rememberToken(TOKEN, now + 1_000);
    expect(text.show(TOKEN)).toBe(REDACTED);
    now += 10 * 60_000;
    expect(text.show(TOKEN)).toBe(TOKEN);
  });

  it('never shows part of a secret when a shorter one lies inside it', () => {
    const text = new RegistryText();
    text.remember({ kind: 'basic', username: 'u', password: 'abcdefgh' });
    text.remember({ kind: 'registryToken', token: 'xxabcdefghyy' });
    expect(text.show('xxabcdefghyy')).toBe(REDACTED);
  });

  it('shows the marker whole even when a secret is one of its letters', () => {
    const text = new RegistryText();
    text.remember({ kind: 'basic', username: 'u', password: 'e' });
    expect(text.show('the end')).toBe(`th${REDACTED} ${REDACTED}nd`);
  });

  it('puts control characters, line breaks and bidirectional overrides on one printable line', () => {
    expect(new RegistryText().show('a\nb\r\u001b[31mred\u202e!')).toBe('a b [31mred!');
  });

  it('clips long text after scrubbing, saying how long it was', () => {
    const said = `${'x'.repeat(190)}${PASSWORD}${'y'.repeat(8000)}`;
    const shown = textFor().show(said);
    expect(shown).toBe(`${'x'.repeat(190)}${REDACTED}… (8200 characters)`);
  });

  it('quotes, for text that may be empty or hold spaces', () => {
    expect(textFor().quote(`a "b" ${PASSWORD}`)).toBe(`"a \\"b\\" ${REDACTED}"`);
    expect(textFor().quote('')).toBe('""');
  });
});

describe('EchoCheck: a secret in what a registry serves', () => {
  it('finds the credential as it travels, and the bearer token the request carried, in bytes and header values', () => {
    const check = textFor().echoCheck(`Bearer ${TOKEN}`);
    expect(check.foundInBytes(Buffer.from(`{"a":"${base64(`${USER}:${PASSWORD}`)}"}`))).toBe(true);
    expect(check.foundInBytes(Buffer.from(`{"a":"${USER}:${PASSWORD}"}`))).toBe(true);
    expect(check.foundInBytes(Buffer.from(`{"a":"${TOKEN}"}`))).toBe(true);
    expect(check.foundInBytes(Buffer.from('{"schemaVersion":2}'))).toBe(false);
  });

  it('does not refuse data for holding a bare password, which an ordinary word could be', () => {
    const text = new RegistryText();
    text.remember({ kind: 'basic', username: 'admin', password: 'password' });
    expect(text.echoCheck().foundInBytes(Buffer.from('{"Cmd":["--password","file"]}'))).toBe(false);
    expect(text.show('wrong password')).toBe('wrong [redacted]');
  });

  it('blanks the header values that hold one, leaving the others', () => {
    const pair = base64(`${USER}:${PASSWORD}`);
    const headers = textFor()
      .echoCheck()
      .scrubHeaders({ 'content-type': `x/${pair}`, link: ['</a>', `</${pair}>`], 'content-length': '2' });
    expect(headers).toEqual({ 'content-type': REDACTED, link: ['</a>', REDACTED], 'content-length': '2' });
  });

  it('blanks them in a copy, leaving the answer as received', () => {
    const check = textFor().echoCheck(`Bearer ${TOKEN}`);
    const received = { etag: `"${TOKEN}"`, link: ['</a>', `</${TOKEN}>`], date: 'today' };
    const asReceived = structuredClone(received);
    expect(check.scrubHeaders(received)).toEqual({ etag: REDACTED, link: ['</a>', REDACTED], date: 'today' });
    expect(received).toEqual(asReceived);
  });

  it('blanks a value every time it comes back, not only the first', () => {
    const check = textFor().echoCheck(`Bearer ${TOKEN}`);
    for (let answer = 0; answer < 3; answer++) {
      expect(check.scrubHeaders({ 'x-echo': TOKEN, date: 'today' })).toEqual({ 'x-echo': REDACTED, date: 'today' });
    }
  });

  it('hands back headers that hold no secret as they are, without a copy', () => {
    const check = textFor().echoCheck(`Bearer ${TOKEN}`);
    const headers = { 'content-type': 'application/json', link: ['</a>', '</b>'], 'content-length': '2' };
    const scrubbed = check.scrubHeaders(headers);
    expect(scrubbed).toBe(headers);
    expect(scrubbed.link).toBe(headers.link);
  });

  it('does not look for forms shorter than 8 characters in data, which would match ordinary bytes', () => {
    const text = new RegistryText();
    text.remember({ kind: 'basic', username: 'u', password: 'sha' });
    expect(text.echoCheck().foundInBytes(Buffer.from('"digest":"sha256:abc"'))).toBe(false);
    expect(text.echoCheck().foundInBytes(Buffer.from(base64('u:sha')))).toBe(false);
  });
});

describe('echoed input', () => {
  it('is repeated whole when short', () => {
    expect(clipped('quay.io/a/b:1')).toBe('quay.io/a/b:1');
    expect(quoted('a"b')).toBe('"a\\"b"');
  });

  it('is cut to its first 200 characters, saying how long it was', () => {
    expect(clipped('r'.repeat(8192))).toBe(`${'r'.repeat(200)}… (8192 characters)`);
    expect(quoted('f'.repeat(600_000))).toBe(`"${'f'.repeat(200)}"… (600000 characters)`);
  });

  it('is quoted with every control character, line separator and bidirectional override escaped', () => {
    expect(quoted('a\u0000b\nc\u007fd\u009be\u2028f\u202eg\u2066h')).toBe(
      '"a\\u0000b\\nc\\u007fd\\u009be\\u2028f\\u202eg\\u2066h"',
    );
    expect(JSON.parse(quoted('\u009b\u202e'))).toBe('\u009b\u202e');
  });

  it('never splits a character in two', () => {
    const text = `${'a'.repeat(199)}😀${'b'.repeat(10)}`;
    expect(clipped(text)).toBe(`${'a'.repeat(199)}… (211 characters)`);
  });
});
