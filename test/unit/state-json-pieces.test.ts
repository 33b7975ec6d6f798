import { describe, expect, it } from 'vitest';
import { JsonPieces, NotPiecewise } from '../../src/state/json-pieces.js';

/** Parses `text` piecewise, given in chunks of `chunkBytes` bytes. */
function parsePieces(text: string, chunkBytes: number, cutDepth = 2): unknown {
  const bytes = Buffer.from(text, 'utf8');
  const parser = new JsonPieces(cutDepth);
  for (let at = 0; at < bytes.length; at += chunkBytes) parser.write(bytes.subarray(at, at + chunkBytes));
  return parser.end();
}

const WELL_FORMED = [
  '{}',
  '[]',
  '  {"a": 1}\n',
  '"text"',
  '-12.5e3',
  'true',
  'null',
  '{"a": {"b": {"c": [1, 2, {"d": "}]\\"{["}]}}, "e": [], "f": {}}',
  '{"streams": {"app": {"tags": {"7": {"x": 1}, "latest": {"y": [true, false, null]}}}}}',
  '{"é": "ünïcode ✓ 😀", "esc": "\\u00e9\\n\\t\\\\\\"", "n": [0, -0, 1e-7, 123456789012345678901234567890]}',
  '{"__proto__": {"polluted": true}, "constructor": 1}',
  '{"a": 1, "b": 2, "a": 3}',
  '[[["deep", ["deeper"]]], {"k": [{}]}]',
  '{\r\n\t"a" :\t[ 1 ,2 ] }',
];

const NOT_WELL_FORMED = [
  '',
  '   ',
  '{',
  '{"a": 1,}',
  '[1,]',
  '{"a" 1}',
  '{"a": 1 "b": 2}',
  '{1: 2}',
  '{"a": tru}',
  '{"a": 01}',
  '{"a": {"b": [1, 2}}',
  '{"a": "unterminated}',
  '{"a": "bad escape \\x"}',
  '{} {}',
  '\ufeff{}',
  "{'a': 1}",
  '{"a": 1}x',
];

describe('JSON read a piece at a time', () => {
  for (const text of WELL_FORMED) {
    it(`reads ${JSON.stringify(text)} as JSON.parse does, whatever the chunk size`, () => {
      const expected = JSON.parse(text);
      for (const chunkBytes of [1, 2, 3, 7, 64 * 1024]) {
        for (const cutDepth of [0, 1, 2, 4]) {
          const value = parsePieces(text, chunkBytes, cutDepth);
          expect(value).toStrictEqual(expected);
          expect(JSON.stringify(value)).toBe(JSON.stringify(expected));
        }
      }
    });
  }

  it('keeps "__proto__" an own key, as JSON.parse does, without touching the prototype', () => {
    const value = parsePieces('{"__proto__": {"x": 1}}', 4, 4) as Record<string, unknown>;
    expect(Object.getPrototypeOf(value)).toBe(Object.prototype);
    expect(Object.keys(value)).toEqual(['__proto__']);
    expect(value.x).toBeUndefined();
  });

  for (const text of NOT_WELL_FORMED) {
    it(`gives up on ${JSON.stringify(text)}, for JSON.parse to say what is wrong`, () => {
      expect(() => JSON.parse(text)).toThrow(SyntaxError);
      for (const chunkBytes of [1, 5, 64 * 1024]) {
        expect(() => parsePieces(text, chunkBytes)).toThrow(NotPiecewise);
      }
    });
  }
});
