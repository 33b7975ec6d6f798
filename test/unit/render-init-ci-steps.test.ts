import { describe, expect, it } from 'vitest';
import { type InitCiSetup, renderInitCiSteps } from '../../src/render/init-ci-steps.js';

const setup = (packages: string[]): InitCiSetup => ({
  provider: 'gitlab',
  packages,
  version: '0.1.0',
  catalog: 'imagestreams.yaml',
  ciDir: 'ci',
  files: ['.gitlab-ci.yml', 'ci/imagestreams-ci.sh'],
});

describe('the steps init --ci leaves to the user', () => {
  it('with two packages in ci/, asks to keep one: the jobs would install both', () => {
    const text = renderInitCiSteps(setup(['imagestreams-0.0.9.tgz', 'imagestreams-0.1.0.tgz']));
    expect(text).toContain(
      '- Keep one package in ci: the jobs install ci/imagestreams-*.tgz; there are imagestreams-0.0.9.tgz, imagestreams-0.1.0.tgz.\n',
    );
    expect(text).toContain(
      '- Commit: git add .gitlab-ci.yml ci/imagestreams-ci.sh ci/imagestreams-0.0.9.tgz ci/imagestreams-0.1.0.tgz\n',
    );
  });

  it('for a catalog at the root named imagestreams.yaml, says nothing of IMAGESTREAMS_CATALOG', () => {
    expect(renderInitCiSteps(setup([]))).not.toContain('IMAGESTREAMS_CATALOG');
    expect(renderInitCiSteps({ ...setup([]), catalog: 'deploy/imagestreams.yaml' })).toContain(
      'set IMAGESTREAMS_CATALOG to\n  deploy/imagestreams.yaml',
    );
  });
});
