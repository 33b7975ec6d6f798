import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { it } from 'vitest';
import { runCli, tempDir } from '../helpers/cli.js';
import { writeImageLayout } from '../helpers/images.js';
import { startRegistry } from '../helpers/registry.js';
import { pushLayout } from '../helpers/skopeo.js';

it('scratch', async () => {
  const work = tempDir('scratch-');
  const reg = await startRegistry();
  const layout = writeImageLayout(join(work.path, 'layout'), {
    tags: {
      multi: { platforms: ['linux/amd64', 'linux/arm64', 'linux/s390x'], attestations: true, labels: { a: 'b' } },
      noamd: { platforms: ['linux/ppc64le', 'linux/arm64'] },
      single: { platforms: ['linux/arm64'] },
    },
  });
  for (const t of ['multi', 'noamd', 'single']) await pushLayout(layout.dir, t, reg, `team/app:${t}`);
  const cat = `apiVersion: imagestreams/v1
kind: Catalog
defaults:
  preferPlatform: linux/s390x
registries:
  "${reg.host}":
    insecure: true
streams:
  app:
    tags:
      po:
        from: ${reg.host}/team/app:multi
        importMode: PreserveOriginal
        scheduled: true
      pref:
        from: ${reg.host}/team/app:multi
        preferPlatform: linux/arm64
      def:
        from: ${reg.host}/team/app:multi
      first:
        from: ${reg.host}/team/app:noamd
      single:
        from: ${reg.host}/team/app:single
      missing:
        from: ${reg.host}/team/app:nope
`;
  writeFileSync(join(work.path, 'imagestreams.yaml'), cat);
  let r = await runCli(['plan', '--detailed-exitcode'], { cwd: work.path });
  console.log(r.code, r.stdout, r.stderr);
  r = await runCli(['plan', '--json'], { cwd: work.path });
  console.log(r.code, r.stdout.slice(0, 3000), r.stderr);
  writeFileSync(join(work.path, 'imagestreams.yaml'), cat.replace(/ {6}missing:\n.*\n/, ''));
  r = await runCli(['apply', '--auto-approve'], { cwd: work.path });
  console.log(r.code, r.stdout, r.stderr);
  console.log(readFileSync(join(work.path, 'imagestreams.state.json'), 'utf8').slice(0, 4000));
  r = await runCli(['show'], { cwd: work.path });
  console.log(r.code, r.stdout, r.stderr);
  r = await runCli(['plan', '--format', 'markdown'], { cwd: work.path });
  console.log(r.code, r.stdout, r.stderr);
  await reg.stop();
});
