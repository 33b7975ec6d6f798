/** Starts `server` (net, http, https or http2) on a free port of 127.0.0.1; resolves with its port and host. */
export async function listenOnLoopback(server) {
  await new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', resolve);
  });
  const { port } = server.address();
  return { port, host: `127.0.0.1:${port}` };
}
