import { parseArgs } from 'node:util';

export interface BenchOptions {
  readonly repetitions: number;
  readonly secondsPerCase: number;
}

export const BENCH_HELP = `Usage: npm run bench -- [--repetitions N] [--seconds-per-case S]

  --repetitions N       conversions per checkpoint, each side (default 5; the median is reported)
  --seconds-per-case S  ONNX Runtime timing budget per model and batch, both models together (default 30)`;

export function parseBenchOptions(argv: readonly string[]): BenchOptions | 'help' {
  const { values } = parseArgs({
    args: [...argv],
    options: {
      repetitions: { type: 'string', default: '5' },
      'seconds-per-case': { type: 'string', default: '30' },
      help: { type: 'boolean', short: 'h', default: false },
    },
  });
  if (values.help) return 'help';
  return {
    repetitions: positiveNumber('repetitions', values.repetitions, true),
    secondsPerCase: positiveNumber('seconds-per-case', values['seconds-per-case'], false),
  };
}

function positiveNumber(name: string, text: string, integer: boolean): number {
  const value = Number(text);
  if (!(value > 0) || (integer && !Number.isInteger(value))) throw new RangeError(`--${name} must be a positive ${integer ? 'integer' : 'number'}, got ${text}`);
  return value;
}
