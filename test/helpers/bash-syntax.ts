import { execFileSync } from 'node:child_process';

/** `bash -n`: the problems bash finds parsing `text`, empty when none. */
export function bashSyntax(text: string): string {
  try {
    execFileSync('bash', ['-n'], { input: text, stdio: ['pipe', 'pipe', 'pipe'] });
    return '';
  } catch (error) {
    return String((error as { stderr?: Buffer }).stderr ?? error);
  }
}
