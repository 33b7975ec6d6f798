/** What `init --ci` found and wrote, as the steps left to the user need it. */
export interface InitCiSetup {
  provider: 'github' | 'gitlab';
  /** The packed packages already in the recipes' folder (`imagestreams-*.tgz`). */
  packages: string[];
  /** The running version, for the name of the tarball to commit. */
  version: string;
  /** The catalog's path from the repository's root, where the recipe is. */
  catalog: string;
  /** The recipes' folder for the script and the package, as shown (`ci`). */
  ciDir: string;
  /** The files init wrote or kept, as shown: what to commit. */
  files: string[];
}

const RECIPES_CATALOG = 'imagestreams.yaml';

const SECRETS: Record<InitCiSetup['provider'], { title: string; where: string; lines: string[] }> = {
  github: {
    title: 'the GitHub workflow',
    where: 'Repository secrets (Settings → Secrets and variables → Actions), both optional:',
    lines: [
      'IMAGESTREAMS_PLAN_KEY  signs the plan reviewed in the pull request (make one: openssl rand -hex 32)',
      'PULL_SECRET            registry credentials, an auth.json ({"auths": {...}})',
    ],
  },
  gitlab: {
    title: 'the GitLab pipeline',
    where: 'CI/CD variables (Settings → CI/CD → Variables), masked, not protected:',
    lines: [
      'IMAGESTREAMS_GITLAB_TOKEN  needed: a project access token, scopes api and write_repository, a role that may',
      '                           push to the default branch (it comments the plan and pushes the state)',
      'IMAGESTREAMS_PLAN_KEY      signs the plan reviewed in the merge request (make one: openssl rand -hex 32)',
      'PULL_SECRET                optional, type File: registry credentials, an auth.json ({"auths": {...}})',
    ],
  },
};

/** The steps `init --ci` leaves to the user: the package to commit, the secrets to set, the catalog's name. */
export function renderInitCiSteps(setup: InitCiSetup): string {
  const { title, where, lines } = SECRETS[setup.provider];
  const steps = [
    `\nFor ${title} to run:`,
    ...packageStep(setup).map((line, i) => (i === 0 ? `- ${line}` : `  ${line}`)),
  ];
  steps.push(`- ${where}`, ...lines.map((line) => `    ${line}`));
  if (setup.catalog !== RECIPES_CATALOG) {
    steps.push(
      `- The recipe expects ${RECIPES_CATALOG} at the repository's root: in it, set IMAGESTREAMS_CATALOG to`,
      `  ${setup.catalog} and change the paths ${RECIPES_CATALOG} and imagestreams.state.json its jobs run on.`,
    );
  }
  const tarballs = setup.packages.length > 0 ? setup.packages : [`imagestreams-${setup.version}.tgz`];
  steps.push(`- Commit: git add ${[...setup.files, ...tarballs.map((name) => `${setup.ciDir}/${name}`)].join(' ')}`);
  return `${steps.join('\n')}\n`;
}

function packageStep({ packages, version, ciDir }: InitCiSetup): string[] {
  const installs = `the jobs install ${ciDir}/imagestreams-*.tgz`;
  if (packages.length === 1) return [`${ciDir}/${packages[0]} is there: ${installs}.`];
  if (packages.length > 1) return [`Keep one package in ${ciDir}: ${installs}; there are ${packages.join(', ')}.`];
  return [
    `Commit the imagestreams package as ${ciDir}/imagestreams-${version}.tgz, which the jobs install: imagestreams is`,
    'not on the npm registry; make the tarball with `npm ci && npm pack` in an imagestreams checkout.',
  ];
}
