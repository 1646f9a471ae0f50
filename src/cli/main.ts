import { createProgram } from './program.js';
import { VaflowError } from '../errors.js';
import { redact } from '../util/redact.js';

/** The bin entry: parse argv, print errors without stacks (set VAFLOW_DEBUG=1 to see one). */

// `vaflow runs ls | head -1`: a reader that stops early is not an error.
for (const stream of [process.stdout, process.stderr]) {
  stream.on('error', (error: NodeJS.ErrnoException) => {
    if (error.code === 'EPIPE') process.exit(process.exitCode ?? 0);
    throw error;
  });
}

try {
  await (await createProgram(process.argv)).parseAsync(process.argv);
} catch (error) {
  if (error instanceof VaflowError) {
    const message = redact(error.message);
    process.stderr.write(message.endsWith('\n') ? message : message + '\n');
    process.exitCode = error.exitCode;
  } else if (error && typeof error === 'object' && 'code' in error && typeof error.code === 'string' && error.code.startsWith('commander.')) {
    // Commander has printed the message; help and --version exit 0, every usage mistake exits 2.
    process.exitCode = (error as { exitCode?: number }).exitCode === 0 ? 0 : 2;
  } else {
    const message = redact(error instanceof Error ? error.message : String(error));
    process.stderr.write(`vaflow: internal error: ${message}\n`);
    if (process.env.VAFLOW_DEBUG && error instanceof Error) process.stderr.write(`${redact(error.stack ?? '')}\n`);
    process.exitCode = 1;
  }
}
