/**
 * A structural check of a .gitlab-ci.yml against the keywords GitLab accepts (the names and values of GitLab's own
 * CI schema, app/assets/javascripts/editor/schema/ci.json): top-level keys, job keys, `default`, `rules`, `artifacts`,
 * stages, `when` values and the grammar of `rules:if` expressions. It is no GitLab linter: `include`, `extends`,
 * `!reference` and variable expansion are not followed, and values are checked only where listed here.
 */

const GLOBAL_KEYS = new Set([
  '$schema',
  'spec',
  'image',
  'services',
  'before_script',
  'after_script',
  'variables',
  'cache',
  'default',
  'stages',
  'include',
  'pages',
  'workflow',
]);

const JOB_KEYS = new Set([
  'image',
  'services',
  'before_script',
  'after_script',
  'hooks',
  'rules',
  'variables',
  'cache',
  'id_tokens',
  'identity',
  'inputs',
  'secrets',
  'script',
  'run',
  'stage',
  'only',
  'extends',
  'needs',
  'except',
  'tags',
  'allow_failure',
  'timeout',
  'when',
  'start_in',
  'manual_confirmation',
  'dependencies',
  'artifacts',
  'environment',
  'release',
  'coverage',
  'retry',
  'parallel',
  'interruptible',
  'resource_group',
  'trigger',
  'inherit',
  'publish',
  'pages',
]);

const DEFAULT_KEYS = new Set([
  'after_script',
  'artifacts',
  'before_script',
  'hooks',
  'cache',
  'image',
  'interruptible',
  'id_tokens',
  'identity',
  'retry',
  'services',
  'tags',
  'timeout',
]);

const RULE_KEYS = new Set([
  'if',
  'changes',
  'exists',
  'variables',
  'when',
  'start_in',
  'allow_failure',
  'needs',
  'interruptible',
]);
const ARTIFACT_KEYS = new Set([
  'paths',
  'exclude',
  'expose_as',
  'name',
  'untracked',
  'when',
  'access',
  'expire_in',
  'reports',
]);
const JOB_WHEN = new Set(['on_success', 'on_failure', 'always', 'never', 'manual', 'delayed']);
const ARTIFACT_WHEN = new Set(['on_success', 'on_failure', 'always']);
const DEFAULT_STAGES = ['.pre', 'build', 'test', 'deploy', '.post'];
const SCRIPT_KEYS = ['before_script', 'script', 'after_script'] as const;

type Mapping = Record<string, unknown>;

const isMapping = (value: unknown): value is Mapping =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/** The problems found in a parsed .gitlab-ci.yml, each naming where: `imagestreams-plan.rules[0]: …`. */
export function gitlabCiProblems(document: unknown): string[] {
  if (!isMapping(document)) return ['the document is not a mapping'];
  const stages = Array.isArray(document.stages) ? ['.pre', ...document.stages.map(String), '.post'] : DEFAULT_STAGES;
  const problems: string[] = [];
  if (isMapping(document.default)) problems.push(...unknownKeys('default', document.default, DEFAULT_KEYS));
  for (const [name, value] of Object.entries(document)) {
    if (GLOBAL_KEYS.has(name) || name.startsWith('.')) continue;
    problems.push(...jobProblems(name, value, stages));
  }
  return problems;
}

function jobProblems(name: string, job: unknown, stages: string[]): string[] {
  if (!isMapping(job)) return [`${name}: a job must be a mapping`];
  const problems = unknownKeys(name, job, JOB_KEYS);
  if (!('script' in job || 'trigger' in job || 'run' in job || 'extends' in job)) {
    problems.push(`${name}: a job needs script, run, trigger or extends`);
  }
  if (job.stage !== undefined && !stages.includes(String(job.stage))) {
    problems.push(`${name}.stage: ${String(job.stage)} is not one of the stages (${stages.join(', ')})`);
  }
  if (job.when !== undefined && !JOB_WHEN.has(String(job.when))) problems.push(`${name}.when: ${String(job.when)}`);
  for (const key of SCRIPT_KEYS) {
    if (job[key] !== undefined && !isStringList(job[key])) problems.push(`${name}.${key}: not a list of strings`);
  }
  if (job.rules !== undefined) problems.push(...rulesProblems(`${name}.rules`, job.rules));
  if (job.artifacts !== undefined) problems.push(...artifactsProblems(`${name}.artifacts`, job.artifacts));
  return problems;
}

function rulesProblems(where: string, rules: unknown): string[] {
  if (!Array.isArray(rules)) return [`${where}: not a list`];
  return rules.flatMap((rule, i) => {
    if (!isMapping(rule)) return [`${where}[${i}]: not a mapping`];
    const problems = unknownKeys(`${where}[${i}]`, rule, RULE_KEYS);
    if (rule.if !== undefined && !isIfExpression(rule.if)) problems.push(`${where}[${i}].if: ${String(rule.if)}`);
    if (rule.when !== undefined && !JOB_WHEN.has(String(rule.when))) problems.push(`${where}[${i}].when`);
    if (rule.changes !== undefined && !isStringList(rule.changes) && !isMapping(rule.changes)) {
      problems.push(`${where}[${i}].changes: not a list of paths`);
    }
    return problems;
  });
}

function artifactsProblems(where: string, artifacts: unknown): string[] {
  if (!isMapping(artifacts)) return [`${where}: not a mapping`];
  const problems = unknownKeys(where, artifacts, ARTIFACT_KEYS);
  if (artifacts.when !== undefined && !ARTIFACT_WHEN.has(String(artifacts.when))) problems.push(`${where}.when`);
  if (artifacts.paths !== undefined && !isStringList(artifacts.paths)) problems.push(`${where}.paths: not a list`);
  return problems;
}

function unknownKeys(where: string, mapping: Mapping, known: Set<string>): string[] {
  return Object.keys(mapping)
    .filter((key) => !known.has(key))
    .map((key) => `${where}: unknown key ${key}`);
}

const isStringList = (value: unknown) => Array.isArray(value) && value.every((v) => typeof v === 'string');

/**
 * GitLab's `rules:if` grammar: comparisons of `$VARIABLE`s with strings, other variables, `null` or `/regex/`
 * (`==`, `!=`, `=~`, `!~`), a variable alone, joined by `&&` and `||`, with parentheses.
 */
export function isIfExpression(value: unknown): boolean {
  if (typeof value !== 'string') return false;
  const token = /\s*(\$\w+|"[^"]*"|'[^']*'|\/(?:\\.|[^/\\])+\/[a-z]*|null|==|!=|=~|!~|&&|\|\||\(|\))/y;
  const tokens: string[] = [];
  let position = 0;
  for (let match = token.exec(value); match !== null; match = token.exec(value)) {
    tokens.push(match[1]!);
    position = token.lastIndex;
  }
  if (value.slice(position).trim() !== '') return false;
  return isExpression(tokens);
}

function isExpression(tokens: string[]): boolean {
  let depth = 0;
  let expectOperand = true;
  for (let i = 0; i < tokens.length; i++) {
    const t = tokens[i]!;
    if (expectOperand) {
      if (t === '(') depth++;
      else if (t.startsWith('$')) {
        expectOperand = false;
        if (/^(==|!=|=~|!~)$/.test(tokens[i + 1] ?? '')) {
          const right = tokens[i + 2] ?? '';
          if (!/^(\$\w+|".*"|'.*'|\/.*|null)$/s.test(right)) return false;
          i += 2;
        }
      } else return false;
    } else if (t === ')') {
      if (--depth < 0) return false;
    } else if (t === '&&' || t === '||') expectOperand = true;
    else return false;
  }
  return !expectOperand && depth === 0;
}

/** The shell text of each script of the file (`default` and every job), joined as the runner runs it. */
export function gitlabScripts(document: Mapping): { where: string; text: string }[] {
  return Object.entries(document).flatMap(([name, job]) =>
    isMapping(job)
      ? SCRIPT_KEYS.filter((key) => isStringList(job[key])).map((key) => ({
          where: `${name}.${key}`,
          text: (job[key] as string[]).join('\n'),
        }))
      : [],
  );
}
