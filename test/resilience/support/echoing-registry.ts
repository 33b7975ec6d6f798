import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  echoAuthorization,
  type HostileRegistry,
  OCI_INDEX,
  OCI_MANIFEST,
  startHostileRegistry,
  tinyImage,
  tokenEndpoint,
} from '../../helpers/hostile-registry.js';
import type { TestPki } from '../../helpers/tls.js';
import type { CatalogSpec } from '../../helpers/workspace.js';
import { CANARY, canaryAuthFile } from './secrets.js';

export type EchoAuth = 'basic' | 'token';
export type CredentialSource = 'pull secret' | 'authfile';

/**
 * An https registry (its CA given with `ca:`) that repeats the Authorization header of a request in its error and
 * in a header: `denied:v1`'s manifest is denied that way (an error `plan` meets), `blobless:v1` resolves but the
 * blob of its image is denied (an error only the import meets, recorded in the state). With `token` auth, its own
 * `/token` endpoint exchanges the canary username and password for the canary bearer token.
 */
export async function startEchoingRegistry(pki: TestPki, auth: EchoAuth): Promise<HostileRegistry> {
  const registry = await startHostileRegistry({
    tls: pki.server,
    challenge: auth === 'basic' ? 'Basic realm="echo"' : (origin) => `Bearer realm="${origin}/token",service="echo"`,
    answers: [
      { path: /^\/v2\/team\/denied\/manifests\//, answer: echoAuthorization(403) },
      { path: /^\/v2\/team\/blobless\/blobs\//, answer: echoAuthorization(403) },
    ],
    routes: { '/token': tokenEndpoint(CANARY.bearerToken, (request) => isBasic(request.headers.authorization)) },
  });
  const image = tinyImage('blobless');
  registry.putManifest('team/blobless', ['v1'], image.index, OCI_INDEX);
  registry.putManifest('team/blobless', [], image.manifest, OCI_MANIFEST);
  registry.putBlob('team/blobless', image.config);
  return registry;
}

const isBasic = (authorization: string | undefined) => authorization?.startsWith('Basic ') ?? false;

/**
 * Writes the credentials (in `secrets/pull-secret.json` or `auth.json`) and the CA beside the catalog; returns the
 * catalog and the arguments that name the authfile.
 */
export function echoCatalog(
  dir: string,
  registry: HostileRegistry,
  pki: TestPki,
  source: CredentialSource,
): { catalog: CatalogSpec; credentialArgs: string[] } {
  writeFileSync(join(dir, 'ca.pem'), pki.caPem);
  const credentials = canaryAuthFile([registry.host]);
  const settings: Record<string, unknown> = { ca: 'ca.pem' };
  let credentialArgs: string[] = [];
  if (source === 'pull secret') {
    mkdirSync(join(dir, 'secrets'), { recursive: true });
    writeFileSync(join(dir, 'secrets', 'pull-secret.json'), credentials);
    settings.auth = { secret: 'secrets/pull-secret.json' };
  } else {
    writeFileSync(join(dir, 'auth.json'), credentials);
    credentialArgs = ['--authfile', 'auth.json'];
  }
  const tag = (repository: string) => ({ v1: { from: `${registry.host}/team/${repository}:v1`, scheduled: true } });
  return {
    catalog: {
      registries: { [registry.host]: settings },
      streams: { denied: tag('denied'), blobless: tag('blobless') },
    },
    credentialArgs,
  };
}
