import { describe, expect, it } from 'vitest';
import { RegistryText } from '../../src/registry/http/registry-text.js';

const USER = 'robot';
const PASSWORD = 'Xk9&q<Lm2>Zt';
const PAIR = `${USER}:${PASSWORD}`;
const TOKEN = 'eyJhbGciOiJSUzI1NiJ9.payload.signature';

function check() {
  const text = new RegistryText();
  text.remember({ kind: 'basic', username: USER, password: PASSWORD });
  return text.echoCheck(`Bearer ${TOKEN}`);
}

/** `value` written as JSON by Go's encoding/json, which escapes <, > and & (HTML-safe output). */
const goJson = (value: unknown) =>
  JSON.stringify(value).replace(/</g, '\\u003c').replace(/>/g, '\\u003e').replace(/&/g, '\\u0026');
/** Python's json.dumps: every character beyond ASCII as \uXXXX. */
const pythonJson = (value: unknown) =>
  JSON.stringify(value).replace(/[\u0080-\uffff]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
/** PHP's json_encode: `/` as `\/`. */
const phpJson = (value: unknown) => JSON.stringify(value).replace(/\//g, '\\/');
/** Any JSON writer may escape any character. */
const allEscaped = (value: unknown) =>
  JSON.stringify(value).replace(/"([^"]*)"/g, (_all, inner: string) =>
    JSON.stringify([...inner].map((c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`).join('')).replace(
      /\\\\/g,
      '\\',
    ),
  );

const config = (pair: string) => ({
  architecture: 'amd64',
  os: 'linux',
  config: { Labels: { 'org.example.echo': pair }, Env: [`AUTH=${pair}`] },
});

describe('EchoCheck: a credential in a manifest or config, whatever JSON writer escaped it', () => {
  it.each([
    ['Go (\\u0026, \\u003c, \\u003e)', goJson(config(PAIR))],
    ['Python (\\u00f6)', pythonJson(config(`${USER}:pässwörd/${PASSWORD}`))],
    ['PHP (\\/)', phpJson(config(`${USER}:${PASSWORD}`))],
    ['a writer escaping every character', allEscaped(config(PAIR))],
    ['a key holding it', goJson({ config: { Labels: { [PAIR]: 'x' } } })],
    ['the bearer token escaped', allEscaped({ annotations: { token: TOKEN } })],
    ['the pair percent-encoded in lower case', JSON.stringify({ a: encodeURIComponent(PAIR).toLowerCase() })],
    ['the pair in base64 after a prefix', JSON.stringify({ a: Buffer.from(`auth=${PAIR}`).toString('base64') })],
  ])('finds it written by %s', (_name, json) => {
    const secrets = new RegistryText();
    secrets.remember({ kind: 'basic', username: USER, password: `pässwörd/${PASSWORD}` });
    secrets.remember({ kind: 'basic', username: USER, password: PASSWORD });
    expect(secrets.echoCheck(`Bearer ${TOKEN}`).foundInBytes(Buffer.from(json))).toBe(true);
  });

  it('finds it in a header value written in upper case', () => {
    expect(check().foundInText(Buffer.from(PAIR).toString('base64').toUpperCase())).toBe(true);
  });

  it('accepts an ordinary config with escapes, upper case and base64 in it', () => {
    const ordinary = goJson({
      config: { Labels: { 'a<b': 'x&y', url: 'https://example.com/a%2Fb' }, Env: ['PASSWORD=changeme'] },
      history: [{ created_by: '/bin/sh -c echo cm9ib3Q= && ROBOT=1' }],
    });
    expect(check().foundInBytes(Buffer.from(ordinary))).toBe(false);
  });
});

describe('EchoCheck: its cost', () => {
  it('checks a 1 MB config written by Go in a few milliseconds', () => {
    const env = Array.from({ length: 8_000 }, (_, i) => `VAR_${i}=value <${i}> & more/${'x'.repeat(100)}`);
    const bytes = Buffer.from(goJson({ config: { Env: env } }));
    expect(bytes.length).toBeGreaterThan(1_000_000);
    const echo = check();
    expect(echo.foundInBytes(bytes)).toBe(false);
    const start = performance.now();
    const runs = 5;
    for (let i = 0; i < runs; i++) echo.foundInBytes(bytes);
    const ms = (performance.now() - start) / runs;
    console.log(`echo check of a ${(bytes.length / 1e6).toFixed(2)} MB config: ${ms.toFixed(1)} ms`);
  });
});
