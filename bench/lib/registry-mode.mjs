import { randomBytes } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { startPlainRegistry, startTokenRegistry } from './registry.mjs';
import { loadRegistryHelpers } from './test-helpers.mjs';

export const REGISTRY_MODES = ['plain', 'token'];

/**
 * The source registry and the local (mirror) one, both in `mode`:
 * - `plain`: the test harness's registry (Debian's docker-registry) over plain HTTP without auth; catalogs mark them
 *   `insecure: true`, skopeo runs with `--tls-verify=false`.
 * - `token`: the test harness's registry over TLS with token auth (see startTokenRegistry), sharing one generated
 *   CA and one account; catalogs give the CA as `ca:`, skopeo gets it with `--cert-dir` and verifies TLS.
 * `stop()` stops whichever were started; on a failure to start, those already started are stopped.
 */
export async function startBenchRegistries(mode, dir) {
  const started = [];
  const stop = async () => {
    for (const registry of started.reverse()) await registry.stop();
  };
  try {
    const helpers = await loadRegistryHelpers(join(dir, 'helpers'));
    if (mode === 'plain') {
      started.push(await startPlainRegistry(helpers, join(dir, 'registry')));
      started.push(await startPlainRegistry(helpers, join(dir, 'local-registry')));
      return { mode, source: started[0], local: started[1], registrySettings: { insecure: true }, cliArgs: [], stop };
    }
    const pki = helpers.generatePki(join(dir, 'pki'));
    const credentials = { username: 'bench', password: `pw-${randomBytes(12).toString('base64url')}` };
    started.push(await startTokenRegistry(helpers, join(dir, 'registry'), pki, credentials));
    started.push(await startTokenRegistry(helpers, join(dir, 'local-registry'), pki, credentials));
    return {
      mode,
      source: started[0],
      local: started[1],
      registrySettings: { ca: pki.caCertPath },
      // The catalogs name the CA, which is outside their own directories.
      cliArgs: ['--allow-path', join(dir, 'pki')],
      credentials,
      certDir: helpers.writeCertsDir(pki, join(dir, 'certs.d')),
      stop,
    };
  } catch (error) {
    await stop();
    throw error;
  }
}

/**
 * Writes the registries' credentials for `hosts` (registries and proxies; nothing in plain mode) where the clean
 * environment points: `DOCKER_CONFIG/config.json` for imagestreams and `auth.json` for skopeo's `--authfile`.
 * Returns the skopeo flags that reach the registries: TLS verified against the CA with the credentials in token
 * mode, `--tls-verify=false` in plain mode.
 */
export function writeCredentials(registries, scratchDir, hosts) {
  const authFile = join(scratchDir, 'auth.json');
  const auths = {};
  if (registries.credentials) {
    const { username, password } = registries.credentials;
    for (const host of hosts) auths[host] = { auth: Buffer.from(`${username}:${password}`).toString('base64') };
  }
  const document = `${JSON.stringify({ auths }, null, 2)}\n`;
  writeFileSync(authFile, document, { mode: 0o600 });
  if (registries.mode === 'plain') {
    return {
      authFile,
      inspect: ['--tls-verify=false'],
      copy: ['--src-tls-verify=false', '--dest-tls-verify=false'],
    };
  }
  writeFileSync(join(scratchDir, 'config.json'), document, { mode: 0o600 });
  const { certDir } = registries;
  return {
    authFile,
    inspect: ['--tls-verify=true', '--cert-dir', certDir, '--authfile', authFile],
    copy: [
      '--src-tls-verify=true',
      '--dest-tls-verify=true',
      '--src-cert-dir',
      certDir,
      '--dest-cert-dir',
      certDir,
      '--authfile',
      authFile,
    ],
  };
}
