import { createRequire } from 'node:module';
import { parseArgs } from 'node:util';
import * as ort from 'onnxruntime-node';
import sharp from 'sharp';
import { GraphBuilder, ops, writeOnnx } from '../../graph/index.js';
import { checkModel, type CheckedModel } from '../../model/index.js';
import { openSession, providersOf, requirementOf } from '../../runtime/index.js';
import { providerLibraryMissing } from '../../runtime/node/index.js';
import { NIN_SDK_VERSION } from '../../version.js';
import { parseCommandLine } from '../args.js';

export const DOCTOR_HELP = `Usage: nin-sdk doctor

Prints versions, and for each execution provider whether it can start on this machine and, if not, why and
what it needs.`;

/** A one-op model: enough to see whether a provider starts and runs, in milliseconds on a CPU. */
function probeModel(): CheckedModel {
  const g = new GraphBuilder({ name: 'doctor_probe' });
  g.output(ops.relu(g, g.input('x', 'float32', [1, 4])), 'y');
  return checkModel(writeOnnx(g.build()), 'the probe model');
}

export async function runDoctor(argv: readonly string[]): Promise<number> {
  const { values } = parseCommandLine(() =>
    parseArgs({ args: [...argv], options: { help: { type: 'boolean', short: 'h', default: false } } }),
  );
  if (values.help) {
    console.log(DOCTOR_HELP);
    return 0;
  }
  const require = createRequire(import.meta.url);
  const ortVersion = (require('onnxruntime-node/package.json') as { version: string }).version;
  console.log(`nin-sdk          ${NIN_SDK_VERSION}`);
  console.log(`node             ${process.version} (${process.platform}-${process.arch})`);
  console.log(`onnxruntime-node ${ortVersion}`);
  console.log(`sharp            ${sharp.versions.sharp ?? '?'} (libvips ${sharp.versions.vips})`);
  console.log('providers:');
  ort.env.logLevel = 'fatal';
  const model = probeModel();
  for (const provider of providersOf('node')) {
    try {
      const { session } = await openSession(ort, model, {
        providers: [provider],
        strict: true,
        platform: 'node',
        unavailable: providerLibraryMissing,
      });
      await session.run({ x: new ort.Tensor('float32', new Float32Array([-1, 0, 1, 2]), [1, 4]) });
      await session.release();
      console.log(`  ${provider.padEnd(7)} ok`);
    } catch (error) {
      const reason = error instanceof Error ? error.message : String(error);
      const why = reason.replace(/^no execution provider could start \(\w+: (.*); it needs .*\)$/s, '$1');
      console.log(`  ${provider.padEnd(7)} unavailable: ${why}`);
      console.log(`  ${''.padEnd(7)} needs ${requirementOf(provider, 'node')}`);
    }
  }
  return 0;
}
