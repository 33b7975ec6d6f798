import { createServer, type Server } from 'node:net';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { RegistryError } from '../../src/core/errors.js';
import type { Credential } from '../../src/credentials/types.js';
import { DEFAULT_CLIENT_OPTIONS, RegistryClient } from '../../src/registry/distribution/client.js';
import { RegistryRepository } from '../../src/registry/distribution/registry-repository.js';
import type { DeadlinePolicy } from '../../src/registry/http/deadline.js';
import { DEFAULT_RETRY_POLICY } from '../../src/registry/http/retry.js';
import {
  type Answer,
  echoAuthorization,
  type HostileRegistry,
  type HostileRegistryOptions,
  json,
  OCI_MANIFEST,
  startHostileRegistry,
  tinyImage,
  tokenEndpoint,
  trickle,
} from '../helpers/hostile-registry.js';
import { generatePki, type TestPki } from '../helpers/tls.js';

const USER = 'robot';
const PASSWORD = 'client-test-password-5e1';
const BEARER = 'client-test-bearer-token-77a';
const BASIC = `Basic ${Buffer.from(`${USER}:${PASSWORD}`).toString('base64')}`;

let pki: TestPki;
let otherPki: TestPki;
const started: { stop(): Promise<void> }[] = [];
const clients: RegistryClient[] = [];

beforeAll(() => {
  pki = generatePki();
  otherPki = generatePki();
});

afterEach(async () => {
  await Promise.all(clients.splice(0).map((c) => c.close()));
  await Promise.all(started.splice(0).map((s) => s.stop()));
});

async function registry(options: HostileRegistryOptions & { https?: boolean } = {}): Promise<HostileRegistry> {
  const server = await startHostileRegistry({ ...options, ...(options.https !== false && { tls: pki.server }) });
  started.push(server);
  return server;
}

function repository(
  server: HostileRegistry,
  options: { credential?: Credential; deadline?: DeadlinePolicy; insecure?: boolean } = {},
): RegistryRepository {
  const credential = options.credential ?? { kind: 'basic', username: USER, password: PASSWORD };
  const client = new RegistryClient({
    ...DEFAULT_CLIENT_OPTIONS,
    registry: server.host,
    insecure: options.insecure ?? false,
    caFiles: [pki.caCertPath],
    maxConcurrency: 4,
    retry: { ...DEFAULT_RETRY_POLICY, maxRetries: 0 },
    deadline: options.deadline ?? DEFAULT_CLIENT_OPTIONS.deadline,
    env: {},
    credentials: { find: async () => ({ credential, source: 'test auth.json' }) },
  });
  clients.push(client);
  return new RegistryRepository(client, 'team/app');
}

async function failure(promise: Promise<unknown>): Promise<RegistryError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(RegistryError);
  return error as RegistryError;
}

const bearerRealm = (realm: string) => `Bearer realm="${realm}",service="hostile"`;

describe('a registry that echoes the credentials it was sent', () => {
  it('has the Basic credentials scrubbed from its error, and from its headers', async () => {
    const server = await registry({
      challenge: 'Basic realm="x"',
      answers: [{ path: /manifests/, answer: echoAuthorization() }],
    });
    const repo = repository(server);
    const error = await failure(repo.getManifest('v1'));
    expect(error.reason).toBe('Forbidden');
    expect(error.message).toBe(
      `access to ${server.host}/team/app:v1 is denied (HTTP 403): denied: Basic [redacted]; credentials used: those for ${server.host} from test auth.json`,
    );
    const res = await repo.client.request({
      method: 'HEAD',
      path: '/v2/team/app/manifests/v1',
      repository: 'team/app',
    });
    expect(res.headers['x-echo']).toBe('[redacted]');
    expect(server.requests.some((r) => r.authorization === BASIC)).toBe(true);
  });

  it('has the bearer token its token server issued scrubbed', async () => {
    const tokenServer = await registry({ routes: { '/token': tokenEndpoint(BEARER) } });
    const challenged = await registry({
      challenge: bearerRealm(`${tokenServer.origin}/token`),
      answers: [{ path: /manifests/, answer: echoAuthorization(400) }],
    });
    const error = await failure(repository(challenged).getManifest('v1'));
    expect(error.message).toBe(
      `${challenged.host}/team/app:v1: the registry answered HTTP 400: denied: Bearer [redacted]`,
    );
    expect(challenged.requests.some((r) => r.authorization === `Bearer ${BEARER}`)).toBe(true);
  });

  it('may not slip them into a manifest, which would carry them into the state', async () => {
    const server = await registry({ challenge: 'Basic realm="x"' });
    const manifest = Buffer.from(
      JSON.stringify({ schemaVersion: 2, mediaType: OCI_MANIFEST, annotations: { leak: BASIC }, layers: [] }),
    );
    server.putManifest('team/app', ['v1'], manifest, OCI_MANIFEST);
    const error = await failure(repository(server).getManifest('v1'));
    expect(error.reason).toBe('InvalidManifest');
    expect(error.message).toBe(
      `${server.host}/team/app:v1: the registry's answer holds a credential that was sent to it; refused, so that it goes no further`,
    );
  });
});

describe('the token realm of an https registry', () => {
  it('is refused over plain http: nothing reaches the token server, the identity token least of all', async () => {
    const tokenServer = await registry({ https: false, routes: { '/token': tokenEndpoint(BEARER) } });
    const server = await registry({ challenge: bearerRealm(`${tokenServer.origin}/token`) });
    const credential: Credential = { kind: 'identityToken', token: 'identity-token-for-the-test' };
    const error = await failure(repository(server, { credential }).head('v1'));
    expect(error.reason).toBe('Unauthorized');
    expect(error.message).toBe(
      `registry ${server.host} is reached over https but names a token server over plain http (realm ${tokenServer.origin}/token): refused, no credentials were sent; the registry must give an https realm, or set "insecure: true" for ${server.host} to allow it`,
    );
    expect(tokenServer.requests).toEqual([]);
  });

  it('over plain http is allowed when the registry is insecure', async () => {
    const tokenServer = await registry({ https: false, routes: { '/token': tokenEndpoint(BEARER) } });
    const server = await registry({ challenge: bearerRealm(`${tokenServer.origin}/token`) });
    server.putManifest('team/app', ['v1'], tinyImage('a').manifest, OCI_MANIFEST);
    await repository(server, { insecure: true }).head('v1');
    expect(tokenServer.requests).toHaveLength(1);
  });

  it('given twice in one challenge is refused, whichever would win', async () => {
    const tokenServer = await registry({ routes: { '/token': tokenEndpoint(BEARER) } });
    const server = await registry({
      challenge: `Bearer realm="${tokenServer.origin}/token",service="a",realm="http://127.0.0.1:9/token"`,
    });
    const error = await failure(repository(server).head('v1'));
    expect(error.message).toBe(
      `registry ${server.host} sent an authentication challenge that gives "realm" more than once; refused`,
    );
    expect(tokenServer.requests).toEqual([]);
  });

  it('is repeated in an error at most 200 characters long, saying how long it was', async () => {
    const realm = `ftp://127.0.0.1/${'r'.repeat(8192)}`;
    const server = await registry({ challenge: bearerRealm(realm) });
    const error = await failure(repository(server).head('v1'));
    expect(error.message).toBe(
      `registry ${server.host} sent a Bearer challenge with an invalid realm "${realm.slice(0, 200)}"… (8208 characters)`,
    );
  });
});

describe('a token server that fails', () => {
  it('is named, not the registry, with the hint its TLS needs', async () => {
    const tokenServer = await startHostileRegistry({
      tls: otherPki.server,
      routes: { '/token': tokenEndpoint(BEARER) },
    });
    started.push(tokenServer);
    const server = await registry({ challenge: bearerRealm(`${tokenServer.origin}/token`) });
    const error = await failure(repository(server).head('v1'));
    expect(error.reason).toBe('TLSError');
    expect(error.message).toBe(
      `TLS connection to token server ${tokenServer.host} of registry ${server.host} failed (certificate signed by an unknown authority); ${tokenServer.host} is verified with the TLS settings of ${server.host}: add its CA to the "ca:" of ${server.host} (or --ca-file), or set "insecure: true" for ${server.host} to skip verification`,
    );
  });

  it('is named when it cannot be reached', async () => {
    const port = await closedPort();
    const server = await registry({ challenge: bearerRealm(`https://127.0.0.1:${port}/token`) });
    const error = await failure(repository(server).head('v1'));
    expect(error.message).toBe(
      `cannot reach token server 127.0.0.1:${port} of registry ${server.host}: connection refused`,
    );
  });

  it('must issue a token an HTTP header can carry', async () => {
    const tokenServer = await registry({ routes: { '/token': tokenEndpoint('abc\r\nx-injected: yes') } });
    const server = await registry({ challenge: bearerRealm(`${tokenServer.origin}/token`) });
    const error = await failure(repository(server).head('v1'));
    expect(error.message).toBe(
      `token server ${tokenServer.origin}/token of registry ${server.host} answered with a token an HTTP header cannot carry`,
    );
  });
});

describe('answers a client cannot read are said in words, never as undici codes', () => {
  it('headers over 16 KiB', async () => {
    const huge: Answer = (_request, response) => json(response, 200, {}, { 'x-padding': 'p'.repeat(20_000) });
    const server = await registry({ answers: [{ path: /manifests/, answer: huge }] });
    const error = await failure(repository(server).head('v1'));
    expect(error.message).toBe(
      `registry ${server.host} sent an answer that cannot be read: its response headers are larger than 16 KiB`,
    );
  });

  it('a registry token no header can carry', async () => {
    const server = await registry({ challenge: 'Bearer realm="https://127.0.0.1:9/token"' });
    const credential: Credential = { kind: 'registryToken', token: 'line\nbreak' };
    const error = await failure(repository(server, { credential }).head('v1'));
    expect(error.message).toBe(
      `the registry token for ${server.host} from test auth.json cannot be sent: it holds characters an HTTP header cannot carry`,
    );
  });
});

describe('the overall deadline of a request', () => {
  const SHORT: DeadlinePolicy = { graceMs: 400, minBytesPerSecond: 1024 };

  it('fails a manifest trickled a byte at a time, each gap short, with a correct Content-Length', async () => {
    const { manifest } = tinyImage('slow');
    const server = await registry({ answers: [{ path: /manifests/, answer: trickle(manifest, OCI_MANIFEST, 50) }] });
    const error = await failure(repository(server, { deadline: SHORT }).getManifest('v1'));
    expect(error.reason).toBe('Unreachable');
    expect(error.message).toMatch(
      new RegExp(
        `^registry ${server.host.replace(/\./g, '\\.')} timed out: \\d+ of ${manifest.length} bytes after 0\\.\\ds; a request may take requestTimeout \\(1s\\) plus its size at minBytesPerSecond \\(1024\\)`,
      ),
    );
  });

  it('fails a token server that trickles its answer, naming it', async () => {
    const token = Buffer.from(JSON.stringify({ token: BEARER, expires_in: 300 }));
    const tokenServer = await registry({ routes: { '/token': trickle(token, 'application/json', 50) } });
    const server = await registry({ challenge: bearerRealm(`${tokenServer.origin}/token`) });
    const error = await failure(repository(server, { deadline: SHORT }).head('v1'));
    expect(error.message).toMatch(
      new RegExp(`^token server ${tokenServer.host.replace(/\./g, '\\.')} of registry .* timed out`),
    );
  });
});

function closedPort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server: Server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}
