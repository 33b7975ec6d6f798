import { describe, expect, it } from 'vitest';
import { parseWithCli } from '../helpers/parse-cli.js';

const options = (...args: string[]) => parseWithCli(args).options;
const args = (...argv: string[]) => parseWithCli(argv).args;

describe('boolean switches: --flag, --flag=true|false|1|0, --no-flag', () => {
  it.each([
    [['--scheduled'], true],
    [['--scheduled=true'], true],
    [['--scheduled=1'], true],
    [['--scheduled=false'], false],
    [['--scheduled=0'], false],
    [['--no-scheduled'], false],
    [['-scheduled=false'], false],
    [[], undefined],
  ])('import-image app %j sets scheduled to %j (left out: keep the tag’s value)', (flags, value) => {
    expect(options('import-image', 'app', ...flags).scheduled).toBe(value);
  });

  it('a bare switch never takes the next argument as its value (oc: tag --scheduled SOURCE DEST)', () => {
    const parsed = parseWithCli(['tag', '--scheduled', 'quay.io/org/app:1', 'app:latest']);
    expect(parsed.args).toEqual([['quay.io/org/app:1', 'app:latest']]);
    expect(parsed.options.scheduled).toBe(true);
  });

  it.each([
    ['--insecure=false', 'insecure', false],
    ['--insecure', 'insecure', true],
    ['--confirm', 'confirm', true],
    ['--confirm=false', 'confirm', false],
    ['--dry-run=true', 'dryRun', true],
  ])('import-image %s sets %s to %j', (flag, key, value) => {
    expect(options('import-image', 'app', flag)[key]).toBe(value);
  });

  it.each([
    [['plan'], true],
    [['plan', '--refresh'], true],
    [['plan', '--refresh=true'], true],
    [['plan', '--refresh=false'], false],
    [['plan', '-refresh=false'], false],
    [['plan', '--no-refresh'], false],
    [['plan', '--refresh', '--json'], true],
  ])('%j refreshes: %j', (argv, refresh) => {
    expect(parseWithCli(argv).options.refresh).toBe(refresh);
  });

  it('every boolean flag takes =true and =false, as Terraform’s do (=false of a plain flag is leaving it out)', () => {
    expect(options('apply', '-auto-approve=true').autoApprove).toBe(true);
    expect(options('apply', '--auto-approve=false').autoApprove).toBeUndefined();
    expect(options('plan', '--no-color=true').color).toBe(false);
    expect(options('plan', '--no-color=false').color).toBe(true);
  });

  it('a value that is not a boolean is refused', () => {
    expect(() => options('plan', '--refresh=maybe')).toThrow(
      "error: option '--refresh' argument 'maybe' is invalid. expected true or false",
    );
    expect(() => options('tag', '-scheduled=yes', 'a', 'b:c')).toThrow('commander.invalidArgument');
  });

  it('after --, nothing is an option', () => {
    expect(args('tag', '--', '--scheduled=false', 'b:c')).toEqual([['--scheduled=false', 'b:c']]);
  });
});

describe('long options with one dash, as Terraform writes them', () => {
  it('plan -out=FILE -detailed-exitcode -refresh=false -target=… is plan --out FILE …', () => {
    expect(
      options('plan', '-out=p.json', '-detailed-exitcode', '-refresh=false', '-target=demo', '-target', 'x:1'),
    ).toMatchObject({ out: 'p.json', detailedExitcode: true, refresh: false, target: ['demo', 'x:1'] });
  });

  it('apply -auto-approve -lock-timeout=30s PLANFILE', () => {
    const parsed = parseWithCli(['apply', '-auto-approve', '-lock-timeout=30s', 'plan.json']);
    expect(parsed.options).toMatchObject({ autoApprove: true, lockTimeout: 30_000 });
    expect(parsed.args).toEqual(['plan.json']);
  });

  it('every long option: -file, -state, -no-color, -import-mode, -allow-path (global) …', () => {
    expect(options('plan', '-file', 'c.yaml', '-state=s.json', '-no-color', '-no-abbrev')).toMatchObject({
      file: 'c.yaml',
      state: 's.json',
      color: false,
      abbrev: false,
    });
    expect(options('import-image', 'app', '-import-mode=Legacy', '-from', 'x:1')).toMatchObject({
      importMode: 'Legacy',
      from: 'x:1',
    });
    expect(parseWithCli(['-allow-path=/a', 'validate', '-allow-path', '/b']).globals.allowPath).toEqual(['/a', '/b']);
  });

  it('short options keep their meaning: -f FILE, -fFILE, -d', () => {
    expect(options('plan', '-f', 'c.yaml').file).toBe('c.yaml');
    expect(options('plan', '-fc.yaml').file).toBe('c.yaml');
    expect(options('tag', '-d', 'app:old').delete).toBe(true);
  });

  it('a word after one dash is a long option only when it is one’s whole name; else short flags as before', () => {
    // -file is --file; -fil is -f with the value "il"
    expect(options('validate', '-file', 'x.yaml').file).toBe('x.yaml');
    expect(options('validate', '-fil').file).toBe('il');
    expect(() => options('plan', '-outt=x')).toThrow("unknown option '-outt=x'");
  });

  it('-help is --help, for every command', () => {
    expect(() => parseWithCli(['plan', '-help'])).toThrow('commander.helpDisplayed');
    expect(() => parseWithCli(['-help'])).toThrow('commander.helpDisplayed');
  });

  it('a short flag and its long name both work: -d, -delete, --delete', () => {
    for (const flag of ['-d', '-delete', '--delete']) expect(options('tag', flag, 'app:old').delete).toBe(true);
  });

  it('the value of an option is never read as an option', () => {
    expect(options('plan', '--out', '-detailed-exitcode').out).toBe('-detailed-exitcode');
    expect(options('plan', '-out', '-json').out).toBe('-json');
  });
});

describe('repeatable options', () => {
  it('collect every value, and are undefined when not given', () => {
    expect(options('plan', '--target', 'a', '--target=b', '-target', 'c').target).toEqual(['a', 'b', 'c']);
    expect(options('plan').target).toBeUndefined();
  });
});

describe('conflicting flags', () => {
  it('plan --json with --format is refused, in any order and spelling', () => {
    for (const argv of [
      ['plan', '--json', '--format', 'markdown'],
      ['plan', '--format=json', '--json'],
      ['plan', '-json', '-format=text'],
    ]) {
      expect(() => parseWithCli(argv)).toThrow(
        "commander.conflictingOption: error: option '--json' cannot be used with option '--format <format>'",
      );
    }
  });

  it('watch --once with --interval is refused: one pass checks every tag at once', () => {
    expect(() => parseWithCli(['watch', '--interval', '5m', '-once'])).toThrow(
      "error: option '--once' cannot be used with option '--interval <duration>'",
    );
  });

  it('plan --json alone, or --format alone, is fine; --json=false leaves --format alone', () => {
    expect(options('plan', '--json').json).toBe(true);
    expect(options('plan', '--json=false', '--format', 'markdown').format).toBe('markdown');
  });
});
