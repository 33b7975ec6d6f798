import { Agent, request } from 'node:http';

/** Keep-alive connections to 127.0.0.1 for the bench's own requests. */
export function loopbackAgent(maxSockets = 16) {
  return new Agent({ keepAlive: true, maxSockets });
}

/** One HTTP exchange with 127.0.0.1:`port`; resolves with the status, headers and whole body. */
export function send(agent, port, { method, path, headers = {}, body }) {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, method, path, headers, agent }, (res) => {
      const chunks = [];
      res.on('data', (chunk) => chunks.push(chunk));
      res.on('end', () => resolve({ status: res.statusCode, headers: res.headers, body: Buffer.concat(chunks) }));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end(body);
  });
}

/** Runs `task` over `items`, at most `limit` at once. */
export async function forEachConcurrent(items, limit, task) {
  let next = 0;
  const worker = async () => {
    while (next < items.length) await task(items[next++]);
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
}
