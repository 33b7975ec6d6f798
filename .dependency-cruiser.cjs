/**
 * The layers of src/, and the direction dependencies take between them:
 *   cli → operations → engine / render / config / state / openshift → registry / credentials → files → core
 * (src/index.ts, the library, stands beside cli). Each rule forbids one back-arrow.
 */
const layer = (...folders) => `^src/(${folders.join('|')})/`;

const upward = (name, from, to) => ({
  name,
  severity: 'error',
  comment: `${from.join('/')} must not depend on ${to.join('/')}: dependencies point from cli towards core`,
  from: { path: layer(...from) },
  to: { path: [layer(...to), '^src/index\\.ts$'] },
});

module.exports = {
  forbidden: [
    {
      name: 'no-cycles',
      severity: 'error',
      comment: 'modules must not depend on themselves through others',
      from: { path: '^src/' },
      to: { circular: true },
    },
    {
      name: 'no-command-imports-command',
      severity: 'error',
      comment: 'a CLI command must not import another command: shared code belongs in a lower layer',
      from: { path: '^src/cli/commands/([^/]+)\\.ts$' },
      to: { path: '^src/cli/commands/', pathNot: '^src/cli/commands/$1\\.ts$' },
    },
    upward('operations-not-cli', ['operations'], ['cli']),
    upward('middle-not-operations', ['engine', 'render', 'config', 'state', 'openshift'], ['cli', 'operations']),
    upward(
      'access-not-middle',
      ['registry', 'credentials'],
      ['cli', 'operations', 'engine', 'render', 'config', 'state', 'openshift'],
    ),
    upward(
      'files-not-above',
      ['files'],
      ['cli', 'operations', 'engine', 'render', 'config', 'state', 'openshift', 'registry', 'credentials'],
    ),
    upward(
      'core-is-pure',
      ['core'],
      ['cli', 'operations', 'engine', 'render', 'config', 'state', 'openshift', 'registry', 'credentials', 'files'],
    ),
    {
      name: 'render-is-pure',
      severity: 'error',
      comment: 'renderers are pure functions of plans and states: they use only core',
      from: { path: '^src/render/' },
      to: { path: '^src/', pathNot: ['^src/render/', '^src/core/'] },
    },
    {
      name: 'core-uses-no-node-io',
      severity: 'error',
      comment: 'the pure core touches no file, network or process',
      from: { path: '^src/core/' },
      to: { dependencyTypes: ['core'], path: '^(node:)?(fs|fs/promises|net|http|https|child_process|process|os)$' },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    exclude: { path: '^src/generated/' },
  },
};
