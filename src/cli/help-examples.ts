import type { Command } from 'commander';

/** Command lines shown under each command's --help, with what they do. Tests parse every one with the CLI. */
export const HELP_EXAMPLES: Record<string, [command: string, comment: string][]> = {
  imagestreams: [
    ['imagestreams init', 'a new catalog, its .gitignore and schema modeline'],
    ['imagestreams import-image app:1.0 --from quay.io/org/app:1.0 --confirm', 'add a tag and import it'],
    ['imagestreams plan', 'what apply would import'],
    ['imagestreams apply', 'import it, after you answer yes'],
  ],
  init: [
    ['imagestreams init', 'imagestreams.yaml and .gitignore here'],
    ['imagestreams init --ci github', 'also .github/workflows/imagestreams.yml'],
    ['imagestreams init -f deploy/imagestreams.yaml --ci gitlab', 'in deploy/, with .gitlab-ci.yml'],
  ],
  inspect: [
    ['imagestreams inspect quay.io/org/app:1.0', 'digest, media type and platforms'],
    ['imagestreams inspect oci:examples/images/demo:1.0 --json', 'an OCI image layout, as JSON'],
  ],
  validate: [
    ['imagestreams validate', 'check ./imagestreams.yaml offline'],
    ['imagestreams validate -f deploy/imagestreams.yaml', 'another catalog'],
  ],
  plan: [
    ['imagestreams plan', 'per tag and platform, what apply would change'],
    ['imagestreams plan --target app --detailed-exitcode', 'one stream; exit 2 when it has changes'],
    ['imagestreams plan --format markdown > plan.md', 'a pull-request comment'],
    ['imagestreams plan --out imagestreams.plan', 'save it for apply'],
  ],
  apply: [
    ['imagestreams apply', 'plan, show, ask for yes, import'],
    ['imagestreams apply imagestreams.plan', 'exactly what plan --out saved'],
    ['imagestreams apply --auto-approve --reimport app:latest', 'in CI, importing app:latest again'],
  ],
  show: [
    ['imagestreams show', 'every tag the state holds'],
    ['imagestreams show app:1.0 --json', 'one tag, as JSON'],
  ],
  'force-unlock': [['imagestreams force-unlock 6f1d3c2a-9b8e-4f5a-a1b2-c3d4e5f60718', 'the ID the lock error showed']],
  watch: [
    ['imagestreams watch', 'follow the scheduled tags until stopped'],
    ['imagestreams watch --once', 'check each scheduled tag once, for cron or CI'],
    ['imagestreams watch --metrics-addr 127.0.0.1:9480 --json', 'with Prometheus metrics and JSON logs'],
  ],
  'import-image': [
    ['imagestreams import-image app:1.0 --from quay.io/org/app:1.0 --confirm', 'create the tag and import it'],
    ['imagestreams import-image app:1.0', 'import its source again'],
    ['imagestreams import-image app:latest --import-mode PreserveOriginal --scheduled', 'every platform, followed'],
    ['imagestreams import-image mysql --dry-run', 'show the edit and the image; write nothing'],
    ['imagestreams import-image app --from quay.io/org/app --all --confirm', "the repository's first 50 tags, as oc"],
  ],
  tag: [
    ['imagestreams tag quay.io/org/app:1.2 app:stable', 'set app:stable to that image'],
    ['imagestreams tag app:stable app:prod', "app:prod gets app:stable's image now, by digest"],
    ['imagestreams tag --alias app:stable app:prod', 'app:prod follows app:stable from now on'],
    ['imagestreams tag -d app:old', 'delete a tag from the catalog'],
  ],
  describe: [
    ['imagestreams describe app', 'the stream, as oc describe is'],
    ['imagestreams describe app:1.0 --show-attestations', 'one tag and its image'],
  ],
  history: [
    ['imagestreams history app:latest', 'every image the tag was imported as'],
    ['imagestreams history app:latest --json', 'as JSON'],
  ],
  prune: [
    ['imagestreams prune', 'what would be deleted; deletes nothing'],
    ['imagestreams prune --keep-tag-revisions 5 --keep-younger-than 24h --confirm', 'delete'],
  ],
  export: [
    [
      'imagestreams export --namespace images > imagestreams.k8s.yaml',
      'every stream as an ImageStream, for oc apply -f',
    ],
    ['imagestreams export --namespace images -o deploy/images --split', 'one file a stream and a kustomization.yaml'],
  ],
  adopt: [
    ['imagestreams adopt is.yaml', 'the output of oc get is -o yaml into the catalog and the state'],
    ['imagestreams adopt - --replace', 'from stdin, replacing streams the catalog has'],
  ],
  completion: [
    ['source <(imagestreams completion bash)', 'bash, in this shell'],
    ['imagestreams completion zsh > ~/.zfunc/_imagestreams', 'zsh, for new shells (with ~/.zfunc in $fpath)'],
    ['imagestreams completion fish > ~/.config/fish/completions/imagestreams.fish', 'fish'],
  ],
};

/** Adds an Examples section after the --help of the program and of each command that has examples. */
export function addHelpExamples(program: Command): void {
  for (const command of [program, ...program.commands]) {
    const examples = HELP_EXAMPLES[command.name()];
    if (examples) command.addHelpText('after', examplesText(examples));
  }
}

function examplesText(examples: [string, string][]): string {
  return `\nExamples:\n${examples.map(([line, comment]) => `  # ${comment}\n  $ ${line}`).join('\n\n')}`;
}
