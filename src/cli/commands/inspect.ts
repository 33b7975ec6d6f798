import { homedir } from 'node:os';
import { isAbsolute, resolve } from 'node:path';
import { parseImageSource } from '../../core/reference.js';
import { createCredentialStore } from '../../credentials/index.js';
import { inspectImage } from '../../registry/inspect.js';
import { Repositories } from '../../registry/repositories.js';
import { renderInspectText } from '../../render/inspect-text.js';
import { EXIT_OK } from '../exit.js';
import { type Io, writeJson } from '../output.js';

export interface InspectOptions {
  json?: boolean;
  insecure?: boolean;
  caFile?: string;
  authfile?: string;
  abbrev?: boolean;
}

export async function inspectCommand(image: string, options: InspectOptions, io: Io): Promise<number> {
  const source = parseImageSource(image);
  const located =
    source.transport === 'layout' && !isAbsolute(source.ref.path)
      ? { ...source, ref: { ...source.ref, path: resolve(io.cwd, source.ref.path) } }
      : source;
  const credentialOptions: Parameters<typeof createCredentialStore>[0] = { env: io.env, homeDir: homedir() };
  if (options.authfile) credentialOptions.authFile = resolve(io.cwd, options.authfile);
  const repositories = new Repositories({
    env: io.env,
    credentials: createCredentialStore(credentialOptions),
    settingsFor: () => (options.caFile ? { key: '--ca-file', caFiles: [resolve(io.cwd, options.caFile)] } : undefined),
  });
  try {
    const displayPath = source.transport === 'layout' ? source.ref.path : undefined;
    const repo = repositories.open(located, {
      insecure: options.insecure ?? false,
      ...(displayPath && { displayPath }),
    });
    const result = await inspectImage(repo, source);
    if (options.json) writeJson(io.stdout, result);
    else io.stdout.write(renderInspectText(result, { abbrev: options.abbrev !== false }));
    return EXIT_OK;
  } finally {
    await repositories.close();
  }
}
