import { parseArgs } from 'node:util';
import { classMapsJson } from '../../classifier/index.js';
import { MODEL_DTYPES, ModelError } from '../../model/index.js';
import { loadClassifier, explainWith, scanWith } from '../../node/index.js';
import { checkOutputPath, writeFileAtomic } from '../../io/index.js';
import { DEFAULT_MAX_PIXELS } from '../../preprocess/node/index.js';
import { choiceOption, integerOption, parseCommandLine } from '../args.js';
import { UsageError } from '../errors.js';
import { terminalSafe } from '../terminal-text.js';

export const EXPLAIN_HELP = `Usage: nin-sdk explain <image> (-o <out.png> | --json) [options]

Shows where in the image the model found each class: NIN's class confidence maps, the last layer's map of each
class before global average pooling (each class's score is its map's mean). Each cell of a map sees part of the
image (the CIFAR-10 NIN's see 27 of 32 pixels, 4 apart), so a map says roughly where, not the exact outline.

Options:
  -o, --output <out.png>   write the image the model saw (its centre crop, long side at least 256 pixels) with the
                           class's map over it, a colour scale, and the label and probability
  --json                   print the maps (label → rows of numbers), the logits (label → number) and the grid's
                           geometry (cell stride, receptive field and offset in input pixels)
  --class <label>          the class to show (default: the most probable)
  --top <k>                show the k most probable classes, one panel each (default 1)
  --scan                   with --json: a scan of windows instead, for images larger than the model's input:
                           its own window (32×32 for CIFAR-10) slid over the image, each window classified
                           alone; prints each window's class and probability (not a whole-image answer)
  --stride <n>             pixels between scanned windows (default: a quarter of the window)
  --model <file.onnx>      a model written by nin-convert (default: the embedded CIFAR-10 NIN)
  --dtype <fp32|int8>      the embedded model's precision (default int8); with --model, the model must be of it
  --max-pixels <n>         largest image decoded, width × height (default 100000000)
  -h, --help               show this help

See docs/explain.md for what a cell covers.`;

export async function runExplain(argv: readonly string[]): Promise<number> {
  const { values, positionals } = parseCommandLine(() =>
    parseArgs({
      args: [...argv],
      allowPositionals: true,
      options: {
        output: { type: 'string', short: 'o' },
        json: { type: 'boolean', default: false },
        class: { type: 'string' },
        scan: { type: 'boolean', default: false },
        stride: { type: 'string' },
        top: { type: 'string' },
        model: { type: 'string' },
        dtype: { type: 'string' },
        'max-pixels': { type: 'string' },
        help: { type: 'boolean', short: 'h', default: false },
      },
    }),
  );
  if (values.help) {
    console.log(EXPLAIN_HELP);
    return 0;
  }
  if (positionals.length !== 1) throw new UsageError(`explain takes one image, got ${positionals.length}`);
  if (values.output === undefined && !values.json) throw new UsageError('give -o <out.png> or --json');
  if (values.class !== undefined && values.top !== undefined) throw new UsageError('give --class or --top, not both');
  if (values.scan && (values.output !== undefined || !values.json)) throw new UsageError('--scan prints --json only');
  if (values.stride !== undefined && !values.scan) throw new UsageError('--stride goes with --scan');
  if (values.scan && (values.class !== undefined || values.top !== undefined))
    throw new UsageError("--scan shows every window's top class: no --class or --top");
  const stride = values.stride === undefined ? undefined : integerOption('stride', values.stride, 1, 1, 100000);
  if (values.class === '') throw new UsageError('--class needs a label');
  const top = values.top === undefined ? undefined : integerOption('top', values.top, 1, 1, 1000);
  const dtype = choiceOption('dtype', values.dtype, MODEL_DTYPES);
  const maxPixels = integerOption('max-pixels', values['max-pixels'], DEFAULT_MAX_PIXELS, 1, Number.MAX_SAFE_INTEGER);
  const image = positionals[0]!;
  if (values.output !== undefined) await checkOutputPath(values.output);

  const classifier = await loadClassifier(values.model, {
    ...(dtype === undefined ? {} : { dtype }),
    maxPixels,
    maxPixelsName: '--max-pixels',
    optimize: 'startup',
  });
  try {
    const labels = classifier.labels;
    if (values.class !== undefined && !labels.includes(values.class)) {
      const shown = labels.length > 20 ? `${labels.slice(0, 20).join(', ')}, …` : labels.join(', ');
      throw new UsageError(`--class should be one of ${terminalSafe(shown)}, got '${terminalSafe(values.class)}'`);
    }
    if (top !== undefined && top > labels.length) {
      throw new UsageError(`--top must be at most the model's ${labels.length} classes, got ${top}`);
    }
    if (values.scan) {
      const scan = await scanWith(classifier, image, stride === undefined ? {} : { stride }, {
        maxPixels,
        maxPixelsName: '--max-pixels',
      });
      const rows = (values: (cell: number) => string | number) =>
        Array.from({ length: scan.rows }, (_, r) =>
          Array.from({ length: scan.columns }, (_, c) => values(r * scan.columns + c)),
        );
      console.log(
        JSON.stringify({
          image,
          model: classifier.source,
          scan: 'windows: each cell is one window of the image classified alone, not a classification of the whole image',
          window: scan.window,
          stride: scan.stride,
          rows: scan.rows,
          columns: scan.columns,
          labels: rows((cell) => labels[scan.best[cell]!]!),
          probabilities: rows((cell) => scan.probability[cell]!),
        }),
      );
      return 0;
    }
    if (new Set(labels).size !== labels.length) {
      throw new ModelError(`${classifier.source}: its labels repeat, so its maps cannot be told apart by label`);
    }
    const explanation = await explainWith(classifier, image, {
      ...(values.class === undefined ? {} : { label: values.class }),
      ...(top === undefined ? {} : { top }),
      maxPixels,
      maxPixelsName: '--max-pixels',
    });
    if (values.output !== undefined) {
      await writeFileAtomic(values.output, explanation.png);
      const drawn = explanation.classes.map((c) => `${c.label} ${(c.probability * 100).toFixed(1)} %`).join(', ');
      const line = `${values.output}: ${explanation.width}×${explanation.height}, ${drawn}`;
      // With --json, stdout is the JSON document alone.
      if (values.json) console.error(terminalSafe(line));
      else console.log(terminalSafe(line));
    }
    if (values.json) {
      const { maps, predictions } = explanation;
      const shown = values.class !== undefined || top !== undefined ? explanation.classes.map((c) => c.index) : null;
      const indices = shown ?? labels.map((_, i) => i);
      const { geometry, logits, maps: rows } = classMapsJson(maps, indices);
      const document = {
        image,
        model: classifier.source,
        geometry,
        predictions: predictions.top
          .slice(0, 5)
          .map(({ label, index, probability }) => ({ label, index, probability })),
        logits,
        maps: rows,
      };
      console.log(JSON.stringify(document));
    }
    return 0;
  } finally {
    await classifier.dispose();
  }
}
