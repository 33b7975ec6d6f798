import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';
import { REPO_ROOT } from '../helpers/cli.js';
import { shellCommands } from '../helpers/example-commands.js';

const { version, dependencies } = JSON.parse(readFileSync(join(REPO_ROOT, 'package.json'), 'utf8')) as {
  version: string;
  dependencies: Record<string, string>;
};

/** The text files of examples/ (the generated image layouts left out), and README.md. */
function documents(): [string, string][] {
  const files = readdirSync(join(REPO_ROOT, 'examples'), { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile())
    .map((entry) => join(entry.parentPath, entry.name))
    .filter((path) => !relative(REPO_ROOT, path).startsWith(join('examples', 'images')));
  return [...files, join(REPO_ROOT, 'README.md')].map((path) => [
    relative(REPO_ROOT, path),
    readFileSync(path, 'utf8'),
  ]);
}

/**
 * The npm and npx commands of a file: each line read as shell, after a YAML `run:` or a Containerfile `RUN`. `npx`
 * after `npm ci` on the same line runs in a clone, where it finds the clone's own command: it is left out.
 */
function npmCommands(text: string): string[][] {
  return text
    .split('\n')
    .map((line) => line.replace(/^\s*(?:-\s*)?(?:run:|RUN|script:)?\s*(?:-\s+)?/, ''))
    .flatMap((line) => {
      const commands = shellCommands(line);
      const inClone = commands.some(([program, verb]) => program === 'npm' && verb === 'ci');
      return inClone ? commands.filter(([program]) => program !== 'npx') : commands;
    })
    .filter(([program]) => program === 'npm' || program === 'npx');
}

const INSTALL = new Set(['install', 'i', 'add', 'exec']);
const fromRegistry = (word: string) => word === 'imagestreams' || word.startsWith('imagestreams@');

describe('the install routes the examples and the README show', () => {
  it.each(documents())(
    '%s installs imagestreams from a checkout or a packed tarball, never from the registry',
    (_file, text) => {
      for (const [program, verb, ...args] of npmCommands(text)) {
        const words = program === 'npx' ? [verb ?? ''] : INSTALL.has(verb ?? '') ? args : [];
        expect(words.filter(fromRegistry), `${program} ${verb} ${args.join(' ')}`).toEqual([]);
      }
    },
  );

  it('name the tarball of the version in package.json', () => {
    const named = documents().flatMap(([file, text]) =>
      [...text.matchAll(/imagestreams-(\d[\w.-]*)\.tgz/g)].map((match) => `${file}: ${match[1]}`),
    );
    expect(named.length).toBeGreaterThan(0);
    expect(named.filter((entry) => !entry.endsWith(`: ${version}`))).toEqual([]);
  });

  it.each([
    'examples/ci/github/imagestreams.yml',
    'examples/ci/gitlab/.gitlab-ci.yml',
    'examples/watch/github-actions-scheduled.yml',
    'examples/ci/github/imagestreams-update.yml',
    'examples/ci/gitlab/imagestreams-update.gitlab-ci.yml',
  ])('%s installs the tarball committed in ci/, where init --ci says to commit it', (path) => {
    const installs = npmCommands(readFileSync(join(REPO_ROOT, path), 'utf8')).map((words) => words.join(' '));
    expect(installs.length).toBeGreaterThan(0);
    expect(installs.filter((command) => command !== 'npm install --global ./ci/imagestreams-*.tgz')).toEqual([]);
  });

  it.each(['README.md', 'examples/watch/Containerfile'])(
    '%s names the runtime dependencies of package.json',
    (path) => {
      const text = readFileSync(join(REPO_ROOT, path), 'utf8').replace(/\s*\n[#\s]*/g, ' ');
      const named = /runtime dependencies \(([a-z0-9, -]+)\)/.exec(text)?.[1]?.split(/,\s*/);
      expect(named).toEqual(Object.keys(dependencies));
    },
  );

  it('the Containerfile copies the tarball npm pack writes, for the version in package.json', () => {
    const containerfile = readFileSync(join(REPO_ROOT, 'examples', 'watch', 'Containerfile'), 'utf8');
    expect(containerfile).toContain(`ARG IMAGESTREAMS_VERSION=${version}\n`);
    // biome-ignore lint/suspicious/noTemplateCurlyInString: a Containerfile ARG, not a template
    expect(containerfile).toContain('COPY imagestreams-${IMAGESTREAMS_VERSION}.tgz /tmp/imagestreams.tgz\n');
    expect(containerfile).toContain('RUN npm install --global /tmp/imagestreams.tgz');
  });
});
