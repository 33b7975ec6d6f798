import { basename } from 'node:path';
import { parseAllDocuments } from 'yaml';

/** A command line found in an example file: its words, as the shell (or the container runtime) would pass them. */
export interface ExampleCommand {
  /** Where it was found, for messages: `jobs.plan.steps[4].run`, `ExecStart`, `Deployment imagestreams-watch`. */
  where: string;
  /** The arguments after the program name. */
  args: string[];
}

const OPERATORS = new Set(['|', '||', '&', '&&', ';', '>', '>>', '<', '2>', '2>&1', '(', ')']);

/**
 * Splits shell text into simple commands of words: quotes removed, backslash-newline joined, `#` comments dropped,
 * and a new command started at each control or redirection operator (a redirection's target word is skipped).
 * Enough for the scripts in the examples; no expansion is performed.
 */
export function shellCommands(text: string): string[][] {
  const commands: string[][] = [[]];
  const words = shellWords(text.replace(/\\\n/g, ' '));
  for (let i = 0; i < words.length; i++) {
    const word = words[i]!;
    if (word.operator) {
      if (word.text.includes('>') || word.text === '<') i++;
      commands.push([]);
    } else commands.at(-1)!.push(word.text);
  }
  return commands.filter((c) => c.length > 0);
}

interface Word {
  text: string;
  operator: boolean;
}

function shellWords(text: string): Word[] {
  const words: Word[] = [];
  const pattern =
    /[ \t\r]*(?:(#[^\n]*)|(\n)|(2>&1|\|\||&&|>>|2>|[|&;<>()])|((?:'[^']*'|"(?:\\.|[^"\\])*"|\\.|[^\s|&;<>()'"])+))/g;
  for (const match of text.matchAll(pattern)) {
    const [, comment, newline, operator, word] = match;
    if (comment !== undefined) continue;
    if (newline !== undefined) words.push({ text: ';', operator: true });
    else if (operator !== undefined) words.push({ text: operator, operator: OPERATORS.has(operator) });
    else if (word !== undefined) words.push({ text: unquote(word), operator: false });
  }
  return words;
}

function unquote(word: string): string {
  return word.replace(
    /'([^']*)'|"((?:\\.|[^"\\])*)"|\\(.)/g,
    (_, single, double, escaped) => single ?? (double !== undefined ? double.replace(/\\([\\"$`])/g, '$1') : escaped),
  );
}

/** The `imagestreams …` commands of shell text: simple commands whose program is `imagestreams` (any directory). */
export function imagestreamsCommands(text: string, where: string): ExampleCommand[] {
  return shellCommands(text)
    .filter(([program]) => basename(program!) === 'imagestreams')
    .map(([, ...args]) => ({ where, args }));
}

/** Every `run:` script of a GitHub Actions workflow, with the job and step it belongs to. */
export function workflowCommands(text: string): ExampleCommand[] {
  const workflow = parseAllDocuments(text)[0]!.toJS() as {
    jobs: Record<string, { steps?: { run?: string }[] }>;
  };
  return Object.entries(workflow.jobs).flatMap(([job, { steps = [] }]) =>
    steps.flatMap((step, i) => (step.run ? imagestreamsCommands(step.run, `jobs.${job}.steps[${i}].run`) : [])),
  );
}

/** The `ExecStart=` lines of a systemd unit (continuation lines joined). */
export function systemdCommands(text: string): ExampleCommand[] {
  const lines = text.replace(/\\\n/g, ' ').split('\n');
  return lines
    .filter((line) => line.startsWith('ExecStart='))
    .flatMap((line) => imagestreamsCommands(line.slice('ExecStart='.length), 'ExecStart'));
}

/**
 * The commands the containers of Kubernetes workloads run, for an image whose entrypoint is `entrypoint` (from its
 * Containerfile): `command` when a container sets one, else the entrypoint, followed by `args`.
 */
export function kubernetesCommands(text: string, entrypoint: string[]): ExampleCommand[] {
  const docs = parseAllDocuments(text).map((doc) => doc.toJS() as KubernetesObject | null);
  return docs.flatMap((doc) => {
    const containers = doc?.spec?.template?.spec?.containers ?? [];
    return containers.flatMap((container) => {
      const [program, ...rest] = [...(container.command ?? entrypoint), ...(container.args ?? [])];
      if (basename(program ?? '') !== 'imagestreams') return [];
      return [{ where: `${doc!.kind} ${doc!.metadata?.name} container ${container.name}`, args: rest }];
    });
  });
}

interface KubernetesObject {
  kind?: string;
  metadata?: { name?: string };
  spec?: { template?: { spec?: { containers?: { name?: string; command?: string[]; args?: string[] }[] } } };
}

/** The ENTRYPOINT of a Containerfile, in its exec (JSON array) form. */
export function containerEntrypoint(text: string): string[] {
  const line = text.split('\n').find((l) => l.startsWith('ENTRYPOINT '));
  if (!line) throw new Error('the Containerfile has no ENTRYPOINT');
  return JSON.parse(line.slice('ENTRYPOINT '.length)) as string[];
}
