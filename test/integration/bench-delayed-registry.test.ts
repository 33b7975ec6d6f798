import { connect as connectHttp2 } from 'node:http2';
import { request } from 'node:https';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startCountingProxy } from '../../bench/lib/counting-proxy.mjs';
import { type BenchRegistry, startTokenRegistry } from '../../bench/lib/registry.mjs';
import { tempDir } from '../helpers/cli.js';
import { startRegistry } from '../helpers/registry.js';
import { generatePki, type TestPki } from '../helpers/tls.js';

function get(url: string, pki: TestPki, headers: Record<string, string> = {}) {
  return new Promise<{ status: number; headers: Record<string, unknown>; body: string }>((resolve, reject) => {
    const req = request(url, { ca: pki.caPem, headers, agent: false }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () =>
        resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks).toString() }),
      );
    });
    req.on('error', reject);
    req.end();
  });
}

describe("the bench's token registry behind delay proxies", () => {
  const credentials = { username: 'bench', password: 'bench-password' };
  let pki: TestPki;
  let registry: BenchRegistry;
  const dir = tempDir('bench-delayed-');

  beforeAll(async () => {
    pki = generatePki(join(dir.path, 'pki'));
    registry = await startTokenRegistry({ startRegistry }, join(dir.path, 'registry'), pki, credentials);
    registry.setRtt(4);
  });
  afterAll(async () => {
    await registry?.stop();
    dir.remove();
  });

  it('names the delay proxy in front of its token server as the realm, and answers through both proxies', async () => {
    const challenge = await get(`https://${registry.delayed.host}/v2/`, pki);
    expect(challenge.status).toBe(401);
    const realm = /realm="([^"]+)"/.exec(String(challenge.headers['www-authenticate']))?.[1];
    expect(realm).toBe(`https://${registry.tokenProxy!.host}/token`);
    expect(registry.auth!.realm).toBe(realm);

    const basic = Buffer.from(`${credentials.username}:${credentials.password}`).toString('base64');
    const token = await get(`${realm}?service=${registry.auth!.service}`, pki, { authorization: `Basic ${basic}` });
    expect(token.status).toBe(200);
    const bearer = JSON.parse(token.body).token as string;
    const ping = await get(`https://${registry.delayed.host}/v2/`, pki, { authorization: `Bearer ${bearer}` });
    expect(ping.status).toBe(200);

    expect(registry.delayed.connections()).toBe(2);
    expect(registry.tokenProxy!.connections()).toBe(1);
    expect(registry.tokenServer!.requests).toHaveLength(1);
  });

  it('is counted by a proxy that answers HTTP/2 and HTTP/1.1 clients, one connection each', async () => {
    const proxy = await startCountingProxy(registry);
    proxy.reset();
    try {
      const session = connectHttp2(`https://${proxy.host}`, { ca: pki.caPem });
      const statuses = await Promise.all(
        [1, 2, 3].map(
          () =>
            new Promise<number>((resolve, reject) => {
              const stream = session.request({ ':method': 'GET', ':path': '/v2/' });
              stream.on('response', (headers) => resolve(Number(headers[':status'])));
              stream.on('error', reject);
              stream.resume();
            }),
        ),
      );
      session.close();
      const http1 = await get(`https://${proxy.host}/v2/`, pki);

      expect(statuses).toEqual([401, 401, 401]);
      expect(http1.status).toBe(401);
      expect(http1.headers['www-authenticate']).toContain(registry.tokenProxy!.host);
      const counts = proxy.counts();
      expect(counts.byKind).toEqual({ 'GET /v2/': 4 });
      expect(counts.connections).toBe(2);
    } finally {
      await proxy.stop();
    }
  });
});
