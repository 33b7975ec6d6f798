import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  containerEntrypoint,
  type ExampleCommand,
  imagestreamsCommands,
  kubernetesCommands,
  shellCommands,
  systemdCommands,
  workflowCommands,
} from '../helpers/example-commands.js';
import { parseWithCli } from '../helpers/parse-cli.js';

const EXAMPLES = join(import.meta.dirname, '..', '..', 'examples');
const read = (path: string) => readFileSync(join(EXAMPLES, path), 'utf8');

/** The CI recipes' script, its `cli_args` array written out as the script fills it (with a credentials file). */
function ciScriptCommands(): ExampleCommand[] {
  const script = read('ci/imagestreams-ci.sh').replaceAll(
    `"\${cli_args[@]}"`,
    '--file "$catalog" --authfile "$IMAGESTREAMS_AUTHFILE"',
  );
  return imagestreamsCommands(script, 'ci/imagestreams-ci.sh');
}

const EXAMPLE_FILES: [string, () => ExampleCommand[], string[]][] = [
  ['ci/imagestreams-ci.sh', ciScriptCommands, ['plan', 'apply', 'apply']],
  [
    'watch/github-actions-scheduled.yml',
    () => workflowCommands(read('watch/github-actions-scheduled.yml')),
    ['plan', 'watch'],
  ],
  ['watch/imagestreams-watch.service', () => systemdCommands(read('watch/imagestreams-watch.service')), ['watch']],
  [
    'watch/kubernetes.yaml',
    () => kubernetesCommands(read('watch/kubernetes.yaml'), containerEntrypoint(read('watch/Containerfile'))),
    ['watch'],
  ],
];

describe('the imagestreams command lines of the example deployment files', () => {
  it.each(EXAMPLE_FILES)('examples/%s runs %j, each parsed by the CLI', (_file, extract, commands) => {
    const found = extract();
    expect(found.map((c) => parseWithCli(c.args).command)).toEqual(commands);
  });

  it('are the ones the examples show, word for word', () => {
    const commands = EXAMPLE_FILES.flatMap(([, extract]) => extract().map((c) => c.args.join(' ')));
    expect(commands).toEqual([
      'plan --file $catalog --authfile $IMAGESTREAMS_AUTHFILE --out $dir/plan.bin --format markdown --detailed-exitcode',
      'apply --file $catalog --authfile $IMAGESTREAMS_AUTHFILE $plan',
      'apply --file $catalog --authfile $IMAGESTREAMS_AUTHFILE --auto-approve',
      'plan --scheduled-only --detailed-exitcode --format markdown --authfile $RUNNER_TEMP/pull-secret.json',
      'watch --once --authfile $RUNNER_TEMP/pull-secret.json',
      'watch --file /etc/imagestreams/imagestreams.yaml --state /var/lib/imagestreams/imagestreams.state.json --metrics-addr 127.0.0.1:9480',
      'watch --file=/etc/imagestreams/imagestreams.yaml --state=/var/lib/imagestreams/imagestreams.state.json --authfile=/etc/imagestreams-auth/.dockerconfigjson --metrics-addr=0.0.0.0:9480 --json',
    ]);
  });

  it('give valid values to the flags the CLI checks only when the command runs', () => {
    for (const [, extract] of EXAMPLE_FILES) {
      for (const { where, args } of extract()) {
        const { command, options } = parseWithCli(args);
        if (command === 'plan') expect(['text', 'json', 'markdown'], where).toContain(options.format);
        if (options.metricsAddr !== undefined) expect(options.metricsAddr, where).toMatch(/^[\d.]+:\d+$/);
      }
    }
  });
});

describe('checking example command lines', () => {
  it('splits shell scripts into simple commands, dropping redirections, comments and quotes', () => {
    const script = [
      'set +e # keep going',
      'imagestreams plan --format markdown \\',
      '  --authfile "$RUNNER_TEMP/a b.json" > plan.md 2>/dev/null',
      'echo \'exit=$?\' >> "$GITHUB_OUTPUT" && npm install --global imagestreams',
    ].join('\n');
    expect(shellCommands(script)).toEqual([
      ['set', '+e'],
      ['imagestreams', 'plan', '--format', 'markdown', '--authfile', '$RUNNER_TEMP/a b.json'],
      ['echo', 'exit=$?'],
      ['npm', 'install', '--global', 'imagestreams'],
    ]);
  });

  it.each([
    [['plan', '--no-such-flag'], /commander\.unknownOption: error: unknown option '--no-such-flag'/],
    [['whatch', '--once'], /commander\.unknownCommand/],
    [['watch', '--concurrency', '0'], /commander\.invalidArgument/],
  ])('refuses %j as the CLI would', (args, message) => {
    expect(() => parseWithCli(args)).toThrow(message);
  });
});
