import { createInterface } from 'node:readline';

/**
 * Asks a yes/no question on the terminal (stderr, so stdout stays clean); only "y" or "yes" is a
 * yes, and end of input (Ctrl-D) is a no.
 */
export function confirm(question: string): Promise<boolean> {
  const prompt = createInterface({ input: process.stdin, output: process.stderr });
  return new Promise<boolean>((resolve) => {
    prompt.once('close', () => resolve(false));
    prompt.question(question, (answer) => {
      resolve(/^\s*y(es)?\s*$/i.test(answer));
      prompt.close();
    });
  });
}
