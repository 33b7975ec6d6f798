import { describe, expect, it } from 'vitest';
import { looseView } from '../../src/registry/http/loose-text.js';
import { looseForms } from '../../src/registry/http/secret-forms.js';

describe('looseView: text with every encoding a secret could hide in undone', () => {
  it.each([
    ['percent escapes in any case, as UTF-8', 'a%2fb%C3%A9', 'a/bé'],
    ['percent escapes of bytes that are not UTF-8, one character each', '%e9t%E9', 'été'],
    ['form encoding, whose + is a space', 'a+b%2Bc', 'abc'],
    ['JSON and JavaScript escapes', '\\u003c\\/\\"\\x41\\u{1F600}', '</"a😀'],
    ['HTML references', '&lt;&#65;&#x42;&eacute;&amp;', '<abé&'],
    ['encodings inside encodings', '%26lt%3B and &amp;#x41;', '<anda'],
    ['invisible characters and white space', 'a\u200bb\u00adc d\ne', 'abcde'],
  ])('undoes %s', (_name, text, expected) => {
    expect(looseView(text)).toBe(expected);
  });

  it('leaves a stray % or & or backslash as it is', () => {
    expect(looseView('100% & \\q %zz &nope;')).toBe('100%&q%zz&nope;');
  });
});

describe('looseForms: a secret as the loose view would show it wherever it was repeated', () => {
  const secret = 'robot:Xk9&q<Lm2>Zt';

  it('holds the raw secret and its hex, flattened', () => {
    expect(looseForms(secret)).toContain('robot:xk9&q<lm2>zt');
    expect(looseForms(secret)).toContain(Buffer.from(secret).toString('hex'));
  });

  it.each([0, 1, 2, 3, 4, 5])('finds the base64 of the secret after a %i-byte prefix, followed by anything', (n) => {
    const encoded = Buffer.from(`${'p'.repeat(n)}${secret}!tail`).toString('base64');
    const view = looseView(encoded);
    expect(looseForms(secret).some((form) => view.includes(form))).toBe(true);
  });
});
