import { describe, expect, it } from 'vitest';
import { parseChallenges, preferredChallenge } from '../../src/registry/auth/challenge.js';

describe('parseChallenges', () => {
  it.each([
    [
      'a Bearer challenge with quoted parameters',
      ['Bearer realm="https://auth.example/token",service="registry.example",scope="repository:a/b:pull"'],
      [
        {
          scheme: 'bearer',
          params: { realm: 'https://auth.example/token', service: 'registry.example', scope: 'repository:a/b:pull' },
        },
      ],
    ],
    ['a Basic challenge', ['Basic realm="Registry Realm"'], [{ scheme: 'basic', params: { realm: 'Registry Realm' } }]],
    [
      'two challenges in one header',
      ['Basic realm="r", Bearer realm="https://t/token",service="s"'],
      [
        { scheme: 'basic', params: { realm: 'r' } },
        { scheme: 'bearer', params: { realm: 'https://t/token', service: 's' } },
      ],
    ],
    [
      'challenges in separate headers',
      ['Basic realm="r"', 'Bearer realm="https://t/token"'],
      [
        { scheme: 'basic', params: { realm: 'r' } },
        { scheme: 'bearer', params: { realm: 'https://t/token' } },
      ],
    ],
    [
      'escaped quotes, commas inside quotes and unquoted values',
      ['Bearer realm="a\\"b,c", error=insufficient_scope , scope="repository:x:pull,push"'],
      [{ scheme: 'bearer', params: { realm: 'a"b,c', error: 'insufficient_scope', scope: 'repository:x:pull,push' } }],
    ],
    ['scheme and parameter names in any case', ['BEARER Realm="x"'], [{ scheme: 'bearer', params: { realm: 'x' } }]],
    ['an empty header', [''], []],
  ])('parses %s', (_name, headers, expected) => {
    expect(parseChallenges(headers)).toEqual(expected);
  });

  it('prefers Bearer over Basic whatever the order', () => {
    const challenges = parseChallenges(['Basic realm="r"', 'Bearer realm="https://t"']);
    expect(preferredChallenge(challenges)?.scheme).toBe('bearer');
    expect(preferredChallenge(parseChallenges(['Basic realm="r"']))?.scheme).toBe('basic');
    expect(preferredChallenge(parseChallenges(['Negotiate']))).toBeUndefined();
  });
});

describe('a parameter given twice', () => {
  it.each([
    ['two realms', 'Bearer realm="https://good/token",realm="http://evil/token"', ['realm']],
    ['two services, in any case', 'Bearer realm="r",service="a",SERVICE="b"', ['service']],
    ['two of each', 'Bearer realm="a",realm="b",service="c",service="d",realm="e"', ['realm', 'service']],
  ])('is recorded: %s', (_name, header, duplicates) => {
    expect(parseChallenges([header])[0]?.duplicates).toEqual(duplicates);
  });

  it('is not recorded across two challenges', () => {
    const challenges = parseChallenges(['Basic realm="a"', 'Bearer realm="b"']);
    expect(challenges.map((c) => c.duplicates)).toEqual([undefined, undefined]);
  });
});
