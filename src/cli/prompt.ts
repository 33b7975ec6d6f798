import { createInterface } from 'node:readline/promises';
import type { Io } from './output.js';

/** Asks on the terminal; true only for an exact `yes`, as Terraform does. */
export async function confirm(io: Io, question: string): Promise<boolean> {
  const rl = createInterface({ input: io.stdin, terminal: false });
  try {
    io.stderr.write(`${question}\n  Only 'yes' will be accepted to approve.\n\n  Enter a value: `);
    const answer = await new Promise<string>((resolve) => {
      rl.once('line', resolve);
      rl.once('close', () => resolve(''));
    });
    return answer.trim() === 'yes';
  } finally {
    rl.close();
  }
}
