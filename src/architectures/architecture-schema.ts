import * as v from 'valibot';
import type { ArchLayerKind } from './architecture.js';
import { boundedString, describeValue, finiteNumber, got, isRecord, wholeNumber } from '../schema/index.js';

/**
 * The schema of an architecture JSON (`nin-convert --arch my-net.json`, a training checkpoint's architecture, a
 * model's `nin.architecture`): every field, its type, its bounds and its default. Fields are strict: a key the
 * schema does not name is refused, so a misspelt `strde` is never silently the default. A null field counts as left
 * out (as before the schema). What needs more than one field (pool padding against kernel, unique layer names, the
 * grey plane's mean) is checked after the parse, in architecture-json.ts.
 */

export const MAX_LAYERS = 1000;
/** A layer name is a module path (`features.stage1.unit1.conv`). */
export const MAX_NAME_LENGTH = 1024;
const MAX_ID_LENGTH = 128;
const MAX_TEXT_LENGTH = 4096;
const MAX_LABELS = 100_000;
const MAX_LABEL_LENGTH = 1024;
const MAX_KEY_PREFIXES = 64;
/** Kernel, stride, padding, input size and channels: beyond it, no NiN layer is sane and the graph would be huge. */
const MAX_SIZE = 4096;
const MAX_RESIZE = 65536;

export const LAYER_KINDS = [
  'conv',
  'batchNorm',
  'relu',
  'leakyRelu',
  'sign',
  'maxPool',
  'avgPool',
  'adaptiveAvgPool',
  'dropout',
  'flatten',
  'linear',
  'softmax',
] as const satisfies readonly ArchLayerKind[];

/** An object with exactly these fields: any other is refused, naming it and the fields allowed. */
function fields<const E extends v.ObjectEntries>(entries: E, what: string) {
  const allowed = Object.keys(entries).join(', ');
  return v.strictObject(entries, (issue) =>
    issue.expected === 'never'
      ? `is not a field of ${what} (allowed: ${allowed})`
      : `must be an object, got ${describeValue(issue.input)}`,
  );
}

/** Not null, not an array: what `fields` and `variant` take for an object does not do. */
function objectOnly<S extends v.GenericSchema>(schema: S) {
  return v.pipe(v.unknown(), v.check(isRecord, got('must be an object')), schema);
}

/** Left out or null: `fallback`. */
const or = <S extends v.GenericSchema, const D extends v.InferOutput<S>>(schema: S, fallback: D) =>
  v.nullish(schema, fallback);

const nonEmpty = (maxLength: number) => {
  const text = `must be a non-empty string of at most ${maxLength} characters`;
  return v.pipe(boundedString(maxLength, text), v.minLength(1, got(text)));
};
const size = (min: number) => wholeNumber(min, MAX_SIZE);
const BOOLEAN = v.boolean(got('must be true or false'));
const NAME = nonEmpty(MAX_NAME_LENGTH);
const layer = <const K extends ArchLayerKind, const E extends v.ObjectEntries>(kind: K, entries: E) =>
  fields({ kind: v.literal(kind), name: NAME, ...entries }, `a ${kind} layer`);

const POOL = { kernel: size(1), stride: v.nullish(size(1)), padding: or(size(0), 0), ceilMode: or(BOOLEAN, false) };

/** One layer: its kind decides its fields. Defaults are PyTorch's; a pool's stride (its kernel) is filled in later. */
const LAYER = objectOnly(
  v.variant(
    'kind',
    [
      layer('conv', {
        kernel: size(1),
        stride: or(size(1), 1),
        padding: or(size(0), 0),
        bias: or(BOOLEAN, true),
        weights: or(v.picklist(['real', 'xnor-binarized'], got('must be "real" or "xnor-binarized"')), 'real'),
      }),
      layer('batchNorm', {
        eps: or(
          v.pipe(finiteNumber('must be a positive number'), v.gtValue(0, got('must be a positive number'))),
          1e-5,
        ),
        affine: or(BOOLEAN, true),
        minWeight: v.optional(finiteNumber('must be a finite number')),
      }),
      layer('relu', {}),
      layer('leakyRelu', {
        slope: or(finiteNumber("must be a finite number (nn.LeakyReLU's negative_slope, default 0.01)"), 0.01),
      }),
      layer('sign', {}),
      layer('maxPool', POOL),
      layer('avgPool', { ...POOL, countIncludePad: or(BOOLEAN, true) }),
      layer('adaptiveAvgPool', {
        outputSize: or(v.literal(1, got('must be 1 (only a global average is supported)')), 1),
      }),
      layer('dropout', {
        p: or(
          v.pipe(
            v.number(got('must be a number from 0 to below 1')),
            v.minValue(0, got('must be a number from 0 to below 1')),
            v.ltValue(1, got('must be a number from 0 to below 1')),
          ),
          0.5,
        ),
      }),
      layer('flatten', {}),
      layer('linear', { bias: or(BOOLEAN, true) }),
      layer('softmax', {}),
    ],
    (issue) =>
      issue.expected === 'Object'
        ? `must be an object, got ${describeValue(issue.input)}`
        : `must be one of ${LAYER_KINDS.join(', ')}, got ${describeValue(issue.input)}`,
  ),
);

/** A list whose length is checked before its items: a million entries are refused without reading them. */
function list<S extends v.GenericSchema>(item: S, min: number, max: number, what: string) {
  const text = min === 0 ? `must be a list of at most ${max} ${what}` : `must be a list of ${min} to ${max} ${what}`;
  const message = (issue: v.BaseIssue<unknown>) =>
    `${text}, got ${Array.isArray(issue.input) ? `${issue.input.length}` : describeValue(issue.input)}`;
  return v.pipe(
    v.array(v.unknown(), got(text)),
    v.minLength(min, message),
    v.maxLength(max, message),
    v.array(item),
    v.readonly(),
  );
}

const triple = (text: string, item: v.GenericSchema<unknown, number>) =>
  v.pipe(
    v.unknown(),
    v.check((x) => v.is(v.strictTuple([item, item, item]), x), got(text)),
    v.transform((x) => x as readonly [number, number, number]),
  );

const PREPROCESSING = objectOnly(
  fields(
    {
      resizeShorterSide: v.nullish(wholeNumber(1, MAX_RESIZE)),
      channelOrder: or(v.picklist(['RGB', 'BGR'], got('must be "RGB" or "BGR"')), 'RGB'),
      scale: v.pipe(
        finiteNumber('must be a positive number (1/255 for [0, 1] inputs)'),
        v.gtValue(0, got('must be a positive number (1/255 for [0, 1] inputs)')),
      ),
      mean: triple('must be three finite numbers', finiteNumber()),
      std: triple('must be three positive numbers', v.pipe(finiteNumber(), v.gtValue(0))),
    },
    'preprocessing',
  ),
);

const LABEL = boundedString(MAX_LABEL_LENGTH);

/** The whole file. Its output is close to an Architecture; architecture-json.ts fills in what depends on other fields. */
export const ARCHITECTURE_JSON = objectOnly(
  fields(
    {
      id: v.pipe(
        nonEmpty(MAX_ID_LENGTH),
        v.regex(/^[A-Za-z0-9][A-Za-z0-9._-]*$/, got("must be letters, digits, '.', '_' or '-'")),
      ),
      title: v.optional(nonEmpty(MAX_TEXT_LENGTH)),
      source: v.optional(nonEmpty(MAX_TEXT_LENGTH)),
      notes: v.optional(nonEmpty(MAX_TEXT_LENGTH)),
      inputSize: size(1),
      inputChannels: or(size(1), 3),
      labels: list(LABEL, 0, MAX_LABELS, `strings of at most ${MAX_LABEL_LENGTH} characters`),
      preprocessing: PREPROCESSING,
      keyPrefixes: v.optional(list(LABEL, 0, MAX_KEY_PREFIXES, 'strings'), ['']),
      layers: list(LAYER, 1, MAX_LAYERS, 'layers'),
    },
    'an architecture',
  ),
);

export type ArchitectureJson = v.InferOutput<typeof ARCHITECTURE_JSON>;
export type LayerJson = ArchitectureJson['layers'][number];
