import type { CatalogPathOptions } from './catalog-options.js';

/** What `plan --out FILE` says last: where the plan is and the command that applies it, ready to paste. */
export function savedPlanHint(planFile: string, options: CatalogPathOptions & { authfile?: string }): string {
  return `\nSaved the plan to: ${planFile}\n\nTo apply exactly this plan, run:\n    ${applyCommandLine(planFile, options)}\n`;
}

/** `imagestreams apply FILE`, with the options that find the same catalog, state and credentials, shell-quoted. */
export function applyCommandLine(planFile: string, options: CatalogPathOptions & { authfile?: string }): string {
  const words = ['imagestreams', 'apply'];
  for (const dir of options.allowPath ?? []) words.push('--allow-path', dir);
  if (options.file !== undefined && options.file !== 'imagestreams.yaml') words.push('-f', options.file);
  if (options.state !== undefined) words.push('--state', options.state);
  if (options.authfile !== undefined) words.push('--authfile', options.authfile);
  if (planFile.startsWith('-')) words.push('--');
  words.push(planFile);
  return words.map(shellWord).join(' ');
}

/** A word as a POSIX shell reads it back: as it is when that is safe, else in single quotes. */
export function shellWord(word: string): string {
  if (/^[\w./:=@%+,-]+$/.test(word)) return word;
  return `'${word.replaceAll("'", `'\\''`)}'`;
}
