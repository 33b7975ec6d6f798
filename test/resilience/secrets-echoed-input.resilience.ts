import { afterAll, describe, expect, it } from 'vitest';
import { type HostileRegistry, startHostileRegistry } from '../helpers/hostile-registry.js';
import { Workspace } from '../helpers/workspace.js';
import { expectRefused, runOnHostileInput } from './support/hostile.js';
import { tally } from './support/run-context.js';

/** Every error names its subject, but no more than a few hundred characters of any one input. */
const MAX_OUTPUT = 2_000;

let registry: HostileRegistry | undefined;

afterAll(() => registry?.stop());

describe('input repeated in an error is cut to its first 200 characters, saying how long it was', () => {
  it('a 600 KB `from` in a catalog', async () => {
    const workspace = new Workspace('imagestreams-secrets-input-');
    workspace.writeCatalog({ streams: { app: { v1: { from: `quay.io/org/app:${'v'.repeat(600_000)}` } } } });
    for (const command of [['validate'], ['plan']]) {
      const outcome = await runOnHostileInput(command, workspace.dir);
      expectRefused(outcome, /invalid image reference "quay\.io\/org\/app:v{184}"… \(600016 characters\): invalid tag/);
      expect(outcome.stdout.length + outcome.stderr.length).toBeLessThan(MAX_OUTPUT);
    }
    tally({ inputs: 1 });
  });

  it('an 8 KB token realm a registry names', async () => {
    const realm = `ftp://127.0.0.1/${'r'.repeat(8192)}`;
    registry = await startHostileRegistry({ challenge: `Bearer realm="${realm}"` });
    const workspace = new Workspace('imagestreams-secrets-input-');
    workspace.writeCatalog({
      registries: { [registry.host]: { insecure: true } },
      streams: { app: { v1: { from: `${registry.host}/team/app:v1` } } },
    });
    const outcome = await runOnHostileInput(['plan'], workspace.dir);
    expectRefused(
      outcome,
      /sent a Bearer challenge with an invalid realm "ftp:\/\/127\.0\.0\.1\/r{184}"… \(8208 characters\)/,
    );
    expect(outcome.stdout.length + outcome.stderr.length).toBeLessThan(MAX_OUTPUT);
    tally({ attacks: 1 });
  });
});
