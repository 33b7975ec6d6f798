import { afterEach, describe, expect, it } from 'vitest';
import { type MetricsServer, parseListenAddress, startMetricsServer } from '../../src/cli/metrics-server.js';
import { UsageError } from '../../src/core/errors.js';

let server: MetricsServer | undefined;
let healthy = true;
afterEach(async () => {
  await server?.close();
  server = undefined;
  healthy = true;
});

async function start(): Promise<string> {
  server = await startMetricsServer('127.0.0.1:0', { metrics: () => 'some_metric 1\n', healthy: () => healthy });
  return server.url;
}

describe('the metrics server', () => {
  it.each([
    ['127.0.0.1:9090', { host: '127.0.0.1', port: 9090 }],
    ['0.0.0.0:0', { host: '0.0.0.0', port: 0 }],
    ['localhost:8080', { host: 'localhost', port: 8080 }],
    ['[::1]:9090', { host: '::1', port: 9090 }],
  ])('reads the address %s', (text, expected) => {
    expect(parseListenAddress(text)).toEqual(expected);
  });

  it.each([':9090', '9090', '127.0.0.1', '127.0.0.1:99999', '::1:9090', 'host:port'])('refuses %j', (text) => {
    expect(() => parseListenAddress(text)).toThrow(UsageError);
  });

  it('binds where it is told and says on which port', async () => {
    expect(await start()).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
  });

  it('serves the metrics in the Prometheus text format', async () => {
    const response = await fetch(`${await start()}/metrics`);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('text/plain; version=0.0.4; charset=utf-8');
    expect(await response.text()).toBe('some_metric 1\n');
  });

  it('answers /healthz with 200 while running and 503 once stopping', async () => {
    const url = await start();
    expect((await fetch(`${url}/healthz`)).status).toBe(200);
    healthy = false;
    const stopping = await fetch(`${url}/healthz`);
    expect([stopping.status, await stopping.text()]).toEqual([503, 'stopping\n']);
  });

  it('serves nothing else', async () => {
    const url = await start();
    expect((await fetch(`${url}/`)).status).toBe(404);
    expect((await fetch(`${url}/metrics`, { method: 'POST', body: 'x' })).status).toBe(405);
  });

  it('fails clearly when the port is taken', async () => {
    const url = await start();
    const port = new URL(url).port;
    await expect(startMetricsServer(`127.0.0.1:${port}`, { metrics: () => '', healthy: () => true })).rejects.toThrow(
      `cannot serve metrics on 127.0.0.1:${port}: EADDRINUSE`,
    );
  });
});
