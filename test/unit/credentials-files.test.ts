import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { AuthConfig } from '../../src/credentials/auth-config.js';
import { type DocumentRole, parseCredentialsDocument } from '../../src/credentials/credentials-document.js';
import { DocumentProblem } from '../../src/credentials/errors.js';

const fixture = (name: string) => readFileSync(new URL(`../fixtures/credentials/${name}`, import.meta.url), 'utf8');
const b64 = (text: string) => Buffer.from(text).toString('base64');

function summary(config: AuthConfig) {
  return {
    entries: config.entries.map((e) => [e.key.text, e.credential]),
    credHelpers: config.credHelpers.map((h) => [h.key.text, h.helper]),
    credsStore: config.credsStore,
  };
}

function problemOf(text: string, role: DocumentRole): DocumentProblem {
  try {
    parseCredentialsDocument(text, role);
  } catch (error) {
    if (error instanceof DocumentProblem) return error;
    throw error;
  }
  throw new Error('expected a DocumentProblem');
}

describe('credentials file formats', () => {
  it('reads a kubernetes.io/dockerconfigjson Secret with base64 data', () => {
    expect(summary(parseCredentialsDocument(fixture('secret-dockerconfigjson.yaml'), 'pullSecret'))).toEqual({
      entries: [
        ['registry.redhat.io', { kind: 'basic', username: 'rh-user', password: 'pw-fixture-redhat' }],
        ['quay.io', { kind: 'basic', username: 'quay-user', password: 'pw-fixture-quay' }],
      ],
      credHelpers: [],
      credsStore: undefined,
    });
  });

  it('reads a dockerconfigjson Secret with stringData', () => {
    expect(summary(parseCredentialsDocument(fixture('secret-stringdata.yaml'), 'pullSecret')).entries).toEqual([
      ['registry.local:5000', { kind: 'basic', username: 'local-user', password: 'pw-fixture-stringdata' }],
    ]);
  });

  it('prefers stringData over data, as the Kubernetes API does', () => {
    const secret = {
      kind: 'Secret',
      type: 'kubernetes.io/dockerconfigjson',
      data: { '.dockerconfigjson': b64(JSON.stringify({ auths: { 'a.io': { auth: b64('from:data') } } })) },
      stringData: { '.dockerconfigjson': JSON.stringify({ auths: { 'b.io': { auth: b64('from:stringData') } } }) },
    };
    expect(summary(parseCredentialsDocument(JSON.stringify(secret), 'pullSecret')).entries).toEqual([
      ['b.io', { kind: 'basic', username: 'from', password: 'stringData' }],
    ]);
  });

  it('reads a legacy kubernetes.io/dockercfg Secret, whose content is the bare auths map', () => {
    expect(summary(parseCredentialsDocument(fixture('secret-dockercfg.yaml'), 'pullSecret')).entries).toEqual([
      ['https://index.docker.io/v1/', { kind: 'basic', username: 'hub-user', password: 'pw-fixture-dockercfg' }],
    ]);
  });

  it('reads a Secret written as JSON (kubectl get secret -o json)', () => {
    expect(summary(parseCredentialsDocument(fixture('secret.json'), 'pullSecret')).entries).toEqual([
      ['ghcr.io', { kind: 'basic', username: 'gh-user', password: 'pw-fixture-secret-json' }],
    ]);
  });

  it('reads a raw .dockerconfigjson', () => {
    expect(summary(parseCredentialsDocument(fixture('raw.dockerconfigjson'), 'pullSecret')).entries).toEqual([
      ['quay.io/org', { kind: 'basic', username: 'org-robot', password: 'pw-fixture-raw' }],
    ]);
  });

  it('reads a containers auth.json with namespaced keys', () => {
    expect(summary(parseCredentialsDocument(fixture('containers-auth.json'), 'authFile')).entries).toEqual([
      ['docker.io', { kind: 'basic', username: 'podman-user', password: 'pw-fixture-podman' }],
      ['quay.io/org/app', { kind: 'basic', username: 'app-robot', password: 'pw-fixture-app' }],
      ['localhost:5000', { kind: 'basic', username: 'local', password: 'pw-fixture-localhost' }],
    ]);
  });

  it('reads a docker config.json with auths, credHelpers and credsStore, ignoring its other settings', () => {
    expect(summary(parseCredentialsDocument(fixture('docker-config.json'), 'authFile'))).toEqual({
      entries: [
        ['https://index.docker.io/v1/', { kind: 'basic', username: 'hub-user', password: 'pw-fixture-hub' }],
        ['registry.example.com', { kind: 'identityToken', username: 'example-user', token: 'idtoken-fixture-example' }],
        ['token.example.com', { kind: 'registryToken', token: 'regtoken-fixture' }],
      ],
      credHelpers: [['ecr.example.com', 'test']],
      credsStore: 'teststore',
    });
  });

  it.each(['', '  \n', '{}', '{"credsStore": ""}'])('reads %j as an auth file without credentials', (text) => {
    expect(summary(parseCredentialsDocument(text, 'authFile'))).toEqual({
      entries: [],
      credHelpers: [],
      credsStore: undefined,
    });
  });
});

describe('an auths entry', () => {
  const entry = (value: unknown) =>
    summary(parseCredentialsDocument(JSON.stringify({ auths: { 'r.io': value } }), 'authFile')).entries[0]?.[1];

  it.each([
    ['auth', { auth: b64('user:pa:ss') }, { kind: 'basic', username: 'user', password: 'pa:ss' }],
    [
      'auth without padding',
      { auth: b64('ab:c').replace(/=+$/, '') },
      { kind: 'basic', username: 'ab', password: 'c' },
    ],
    ['auth with an empty password', { auth: b64('user:') }, { kind: 'basic', username: 'user', password: '' }],
    ['username and password', { username: 'u', password: 'p' }, { kind: 'basic', username: 'u', password: 'p' }],
    [
      'auth over username and password',
      { auth: b64('a:b'), username: 'u', password: 'p' },
      { kind: 'basic', username: 'a', password: 'b' },
    ],
    ['identitytoken', { identitytoken: 'refresh' }, { kind: 'identityToken', token: 'refresh' }],
    [
      'identitytoken with auth',
      { identitytoken: 'refresh', auth: b64('me:') },
      { kind: 'identityToken', username: 'me', token: 'refresh' },
    ],
    [
      'identitytoken with <token>',
      { identitytoken: 'refresh', username: '<token>' },
      { kind: 'identityToken', token: 'refresh' },
    ],
    ['registrytoken', { registrytoken: 'bearer', auth: b64('a:b') }, { kind: 'registryToken', token: 'bearer' }],
    ['empty', {}, undefined],
    ['only an email', { email: 'a@b.c' }, undefined],
    ['a username alone', { username: 'u' }, undefined],
    ['an empty auth', { auth: '' }, undefined],
  ])('with %s gives %j', (_name, value, expected) => {
    expect(entry(value)).toEqual(expected);
  });
});

describe('malformed credentials files', () => {
  it.each([
    ['bad-yaml-secret.txt', 'pullSecret', /^invalid YAML: a key must fit on one line$/, { line: 5, column: 32 }],
    ['bad-json.txt', 'authFile', /^invalid JSON$/, undefined],
    ['bad-base64-secret.yaml', 'pullSecret', /^data\["\.dockerconfigjson"\] is not valid base64$/, undefined],
    ['bad-json-secret.yaml', 'pullSecret', /^stringData\["\.dockerconfigjson"\] is not valid JSON$/, undefined],
    [
      'bad-auth-field.json',
      'authFile',
      /^auths\["quay\.io"\]\.auth must be the base64 encoding of "username:password"$/,
      undefined,
    ],
    [
      'opaque-secret.yaml',
      'pullSecret',
      /type "Opaque"; a pull secret has type kubernetes\.io\/dockerconfigjson or kubernetes\.io\/dockercfg/,
      undefined,
    ],
    ['deployment.yaml', 'pullSecret', /holds a Deployment, not a Secret/, undefined],
    ['containers-auth.json', 'pullSecret', undefined, undefined],
  ] as const)('%s (%s)', (name, role, message, position) => {
    if (message === undefined) {
      expect(() => parseCredentialsDocument(fixture(name), role)).not.toThrow();
      return;
    }
    const problem = problemOf(fixture(name), role);
    expect(problem.message).toMatch(message);
    expect(problem.position).toEqual(position);
    expect(problem.message).not.toMatch(/pw-fixture/);
  });

  it('locates a JSON syntax error when the parser says where it is', () => {
    const problem = problemOf('{\n  "auths": {},\n}\n', 'authFile');
    expect(problem.message).toBe('invalid JSON');
    expect(problem.position).toEqual({ line: 3, column: 1 });
  });

  it.each([
    ['an empty pull secret', '', 'pullSecret', 'the file is empty'],
    ['a list', '[]', 'authFile', 'the file must hold an object'],
    ['a scalar', 'just text', 'pullSecret', 'the file must hold an object'],
    [
      'a pull secret without auths',
      '{"credsStore": "x"}',
      'pullSecret',
      'the file is neither a Kubernetes Secret nor a .dockerconfigjson (no "auths" object)',
    ],
    ['auths that is not an object', '{"auths": ["quay.io"]}', 'authFile', 'auths must be an object'],
    [
      'an entry that is not an object',
      '{"auths": {"quay.io": "pw-x"}}',
      'authFile',
      'auths["quay.io"] must be an object',
    ],
    [
      'a password that is not a string',
      '{"auths": {"quay.io": {"username": "u", "password": 12345}}}',
      'authFile',
      'auths["quay.io"].password must be a string',
    ],
    [
      'a helper name with a slash',
      '{"credHelpers": {"quay.io": "../evil"}}',
      'authFile',
      'credHelpers["quay.io"] must name a credential helper (docker-credential-NAME): letters, digits, ".", "_", "-"',
    ],
    [
      'a credsStore that is not a string',
      '{"credsStore": 1}',
      'authFile',
      'credsStore must name a credential helper (docker-credential-NAME): letters, digits, ".", "_", "-"',
    ],
    [
      'a Secret without its field',
      'kind: Secret\ntype: kubernetes.io/dockercfg\ndata: {}\n',
      'pullSecret',
      'a kubernetes.io/dockercfg Secret needs data[".dockercfg"] or stringData[".dockercfg"]',
    ],
    [
      'a Secret without a type',
      'kind: Secret\ndata: {}\n',
      'pullSecret',
      'the Secret has no type; a pull secret has type kubernetes.io/dockerconfigjson or kubernetes.io/dockercfg',
    ],
    [
      'a dockerconfigjson without auths',
      `kind: Secret\ntype: kubernetes.io/dockerconfigjson\nstringData:\n  .dockerconfigjson: '{}'\n`,
      'pullSecret',
      'stringData[".dockerconfigjson"] has no "auths" object',
    ],
    [
      'an object without kind: Secret',
      'apiVersion: v1\nmetadata: {}\n',
      'pullSecret',
      'the file is a Kubernetes object without "kind: Secret"',
    ],
    [
      'two YAML documents',
      'kind: Secret\n---\nkind: Secret\n',
      'pullSecret',
      'the file holds 2 YAML documents; expected one',
    ],
    ['duplicate keys', 'kind: Secret\nkind: Secret\n', 'pullSecret', 'invalid YAML: duplicate key'],
  ] as const)('rejects %s', (_name, text, role, message) => {
    expect(problemOf(text, role).message).toBe(message);
  });
});
