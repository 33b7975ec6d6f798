import { basename, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { catalogModeline } from '../config/catalog-modeline.js';
import { DEFAULT_STATE_FILE } from '../config/resolve-catalog.js';
import { journalPath, lockPath } from '../state/index.js';

export type CiProvider = 'github' | 'gitlab';

/** A file of a CI recipe: where it is in the installation (under examples/ci), where init writes it. */
export interface CiRecipeFile {
  source: string;
  /** From the catalog's directory, the repository's root as the recipes see it. */
  target: string;
  executable?: boolean;
}

/** Where the recipes expect their script and the packed package, from the repository's root. */
export const CI_DIR = 'ci';
const CI_SCRIPT: CiRecipeFile = {
  source: 'imagestreams-ci.sh',
  target: join(CI_DIR, 'imagestreams-ci.sh'),
  executable: true,
};

/** Each CI system's recipe: the pipeline file and the script every job of it calls. */
export const CI_RECIPES: Record<CiProvider, CiRecipeFile[]> = {
  github: [
    { source: join('github', 'imagestreams.yml'), target: join('.github', 'workflows', 'imagestreams.yml') },
    CI_SCRIPT,
  ],
  gitlab: [{ source: join('gitlab', '.gitlab-ci.yml'), target: '.gitlab-ci.yml' }, CI_SCRIPT],
};

/** A tarball `npm pack` makes of imagestreams, as the recipes install it (`ci/imagestreams-*.tgz`). */
export const PACKED_PACKAGE = /^imagestreams-.+\.tgz$/;

/** The running installation's CI recipes. */
export const INSTALLED_RECIPES_DIR = fileURLToPath(new URL('../../examples/ci/', import.meta.url));

/** A new catalog: the schema modeline, no streams, and how to add some. */
export function initialCatalogText(schema: string): string {
  return [
    catalogModeline(schema),
    'apiVersion: imagestreams/v1',
    'kind: Catalog',
    '# Add image streams with `imagestreams import-image STREAM:TAG --from IMAGE --confirm`,',
    '# `imagestreams tag IMAGE STREAM:TAG`, or by hand:',
    '#   app:',
    '#     tags:',
    '#       "1.0":',
    '#         from: quay.io/org/app:1.0',
    'streams: {}',
    '',
  ].join('\n');
}

/**
 * What stays out of git beside a catalog named `catalogName` with the default state file: the state's backup, lock
 * and journal, the temp files of atomic writes, saved plans (`plan --out NAME.plan`) and the local layout store.
 */
export function gitignoreLines(catalogName: string): string[] {
  const state = DEFAULT_STATE_FILE;
  return [
    `/${state}.backup`,
    `/${basename(lockPath(state))}`,
    `/${basename(journalPath(state))}`,
    `/.${state}.*.tmp`,
    `/.${basename(catalogName)}.*.tmp`,
    '*.plan',
    '/.imagestreams/',
  ];
}

export const GITIGNORE_HEADER = '# imagestreams: the catalog and the state file are committed; these are not';
