import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { completionScript, SHELLS } from '../../src/cli/completion/index.js';
import { buildProgram } from '../../src/cli/main.js';
import { tempDir } from '../helpers/cli.js';
import { memoryIo } from '../helpers/memory-io.js';

const program = buildProgram(memoryIo(), () => {});
const scriptDir = tempDir('imagestreams-completion-').path;

/** The completion script of `shell`, written to a file. */
function scriptFile(shell: (typeof SHELLS)[number]): string {
  const path = join(scriptDir, `imagestreams.${shell}`);
  writeFileSync(path, completionScript(shell, program));
  return path;
}

function hasShell(shell: string): boolean {
  return spawnSync(shell, ['-c', 'exit 0']).status === 0;
}

/** What bash completes for the words typed so far (the last one is being completed). */
function bashCompletes(...words: string[]): string[] {
  const script = [
    `source ${JSON.stringify(scriptFile('bash'))}`,
    `COMP_WORDS=(${words.map((w) => `'${w}'`).join(' ')})`,
    `COMP_CWORD=${words.length - 1}`,
    '_imagestreams',
    // biome-ignore lint/suspicious/noTemplateCurlyInString: a bash array expansion, not a template
    'printf "%s\\n" "${COMPREPLY[@]}"',
  ].join('\n');
  const result = spawnSync('bash', ['--norc', '-c', script], { encoding: 'utf8' });
  expect(result.stderr).toBe('');
  return result.stdout.split('\n').filter(Boolean);
}

describe('completion scripts', () => {
  it.each(SHELLS)('%s: name every command and every option its help shows', (shell) => {
    const script = completionScript(shell, program);
    for (const command of program.commands) {
      expect(script).toContain(command.name());
      for (const option of command.options.filter((o) => !o.hidden))
        expect(script, `${command.name()} ${option.long}`).toContain(option.long?.slice(2));
    }
  });

  it('bash: the script is valid bash', () => {
    const result = spawnSync('bash', ['-n', scriptFile('bash')], { encoding: 'utf8' });
    expect(result.stderr).toBe('');
    expect(result.status).toBe(0);
  });

  it('bash: completes command names, after a global option and its value too', () => {
    expect(bashCompletes('imagestreams', 'pl')).toEqual(['plan']);
    expect(bashCompletes('imagestreams', 'i')).toEqual(['init', 'inspect', 'import-image']);
    expect(bashCompletes('imagestreams', '--allow-path', '/srv', 'val')).toEqual(['validate']);
  });

  it("bash: completes a command's flags, and the words a flag takes", () => {
    expect(bashCompletes('imagestreams', 'plan', '--det')).toEqual(['--detailed-exitcode']);
    expect(bashCompletes('imagestreams', 'import-image', 'app:1.0', '--import-')).toEqual(['--import-mode']);
    expect(bashCompletes('imagestreams', 'plan', '--format', '')).toEqual(['text', 'json', 'markdown']);
    expect(bashCompletes('imagestreams', 'init', '--ci', 'g')).toEqual(['github', 'gitlab']);
    expect(bashCompletes('imagestreams', 'completion', '')).toEqual(['bash', 'zsh', 'fish']);
  });

  it('bash: completes file names for a file option', () => {
    writeFileSync(join(scriptDir, 'catalog-one.yaml'), '');
    expect(bashCompletes('imagestreams', 'plan', '-f', join(scriptDir, 'catalog-'))).toEqual([
      join(scriptDir, 'catalog-one.yaml'),
    ]);
  });

  it.skipIf(!hasShell('zsh'))('zsh: the script is valid zsh (skipped: zsh is not installed)', () => {
    const result = spawnSync('zsh', ['-n', scriptFile('zsh')], { encoding: 'utf8' });
    expect(result.stderr).toBe('');
    expect(result.status).toBe(0);
  });

  it.skipIf(!hasShell('fish'))('fish: the script is valid fish (skipped: fish is not installed)', () => {
    const result = spawnSync('fish', ['--no-execute', scriptFile('fish')], { encoding: 'utf8' });
    expect(result.stderr).toBe('');
    expect(result.status).toBe(0);
  });

  it("zsh: describes the commands and gives each option's values", () => {
    const script = completionScript('zsh', program);
    expect(script).toMatch(/^#compdef imagestreams\n/);
    expect(script).toContain(
      "'plan:compare the catalog with the state and the registries, and show what apply would do'",
    );
    expect(script).toContain("'--format=[text, json or markdown]:value:(text json markdown)'");
    expect(script).toContain("'-f=[catalog file]:file:_files'");
  });

  it('fish: completes commands before a command is typed and their options after', () => {
    const script = completionScript('fish', program);
    expect(script).toContain('complete -c imagestreams -n __fish_use_subcommand -a init -d ');
    expect(script).toContain(
      "complete -c imagestreams -n '__fish_seen_subcommand_from init' -l ci -x -a 'github gitlab' -d ",
    );
  });
});
