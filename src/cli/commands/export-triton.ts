import { basename, extname } from 'node:path';
import { parseArgs } from 'node:util';
import { exportTritonRepository } from '../../serve/index.js';
import { choiceOption, integerOption, parseCommandLine } from '../args.js';
import { UsageError } from '../errors.js';

export const EXPORT_HELP = `Usage: nin-sdk export triton <model.onnx> <repository-dir> [options]

Writes a Triton Inference Server model repository entry: <dir>/<name>/config.pbtxt (platform onnxruntime_onnx,
max_batch_size, dynamic_batching, instance_group, inputs and outputs with dims, label_filename; the labels and
preprocessing as nin.* parameters, which 'nin-sdk predict --server' reads), <dir>/<name>/1/model.onnx and
<dir>/<name>/labels.txt. KServe's Triton runtime serves the same folder (see docs/serving.md).

Options:
  --name <name>               the model's name (default: the file name without .onnx)
  --max-batch-size <n>        largest batch Triton forms (default 64)
  --instances <n>             model instances (instance_group count, default 1)
  --kind <auto|cpu|gpu>       where the instances run (default auto: GPUs when there are)
  --max-queue-delay-us <n>    dynamic batching's max_queue_delay_microseconds (default 100)
  --with-preprocessing        put the normalisation in the graph: the model takes uint8 NHWC pixels of its input size
  --force                     replace <dir>/<name> if it exists (without it, an existing one is refused); the
                              folder is replaced whole or not at all
  -h, --help                  show this help`;

export async function runExport(argv: readonly string[]): Promise<number> {
  const { values, positionals } = parseCommandLine(() =>
    parseArgs({
      args: [...argv],
      allowPositionals: true,
      options: {
        name: { type: 'string' },
        'max-batch-size': { type: 'string' },
        instances: { type: 'string' },
        kind: { type: 'string' },
        'max-queue-delay-us': { type: 'string' },
        'with-preprocessing': { type: 'boolean', default: false },
        force: { type: 'boolean', default: false },
        help: { type: 'boolean', short: 'h', default: false },
      },
    }),
  );
  if (values.help) {
    console.log(EXPORT_HELP);
    return 0;
  }
  const [target, model, repository, ...extra] = positionals;
  if (target !== 'triton')
    throw new UsageError(`export needs a target: 'nin-sdk export triton <model.onnx> <repository-dir>'`);
  if (model === undefined || repository === undefined || extra.length > 0)
    throw new UsageError('export triton takes a model file and a repository folder');
  const kind = choiceOption('kind', values.kind, ['auto', 'cpu', 'gpu'] as const) ?? 'auto';
  const result = await exportTritonRepository(model, repository, {
    name: values.name ?? basename(model, extname(model)),
    maxBatchSize: integerOption('max-batch-size', values['max-batch-size'], 64, 1, 1 << 20),
    instances: integerOption('instances', values.instances, 1, 1, 1024),
    instanceKind: `KIND_${kind.toUpperCase()}` as 'KIND_AUTO' | 'KIND_CPU' | 'KIND_GPU',
    maxQueueDelayMicroseconds: integerOption('max-queue-delay-us', values['max-queue-delay-us'], 100, 0, 60_000_000),
    withPreprocessing: values['with-preprocessing'],
    force: values.force,
  });
  const input = result.metadata.inputs[0]!;
  console.error(`wrote ${result.directory} (input '${input.name}' ${input.datatype} [${input.shape.join(', ')}])`);
  for (const file of result.files) console.log(file);
  return 0;
}
