import type { Command } from 'commander';
import { UsageError } from '../../errors.js';

interface ImportOptions {
  readonly output: string;
  readonly flatten?: string;
}

const FLATTEN_ORDERS = ['channel-major', 'spatial-major'] as const;

/** `vaflow import facechannel FILE.h5 -o models/facechannel.onnx`: the authors' Keras weights → ONNX. */
export function register(program: Command): void {
  const importCmd = program.command('import').description('convert third-party model weights for vaflow');
  importCmd
    .command('facechannel')
    .description('convert the dimensional FaceChannel (Keras HDF5, e.g. DimensionalFaceChannel.h5) to ONNX; checks every layer name and shape')
    .argument('<file>', 'the Keras .h5 file')
    .requiredOption('-o, --output <file>', 'where to write the ONNX model (e.g. models/facechannel.onnx)')
    .option('--flatten <order>', `override the flatten order read from the file's model_config: ${FLATTEN_ORDERS.join(' | ')}`)
    .action(async (file: string, options: ImportOptions) => {
      const flattenOrder = FLATTEN_ORDERS.find((o) => o === options.flatten);
      if (options.flatten !== undefined && !flattenOrder) throw new UsageError(`--flatten: expected ${FLATTEN_ORDERS.join(' or ')}, got "${options.flatten}"`);
      // Imported here: h5wasm and protobufjs load only for this command.
      const { convertFaceChannel } = await import('../../facechannel/convert.js');
      const report = await convertFaceChannel({ input: file, output: options.output, flattenOrder });
      process.stdout.write(`wrote ${report.output} (${report.parameters.toLocaleString('en')} parameters${report.kerasVersion ? `, Keras ${report.kerasVersion}` : ''})\n`);
      for (const note of report.notes) process.stdout.write(`  ${note}\n`);
    });
}
