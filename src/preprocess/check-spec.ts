import * as v from 'valibot';
import { describeValue, finiteNumber, got, parseUntrusted, record, whole, wholeNumber } from '../schema/index.js';
import type { PreprocessSpec } from './spec.js';

/**
 * Largest square input and resize target accepted: a spec comes from a model's metadata, which anyone can write,
 * and a resize of the shorter side to 30,000 pixels took 2.7–4 GB; every NIN takes 32 or 224.
 */
export const MAX_PREPROCESS_SIZE = 4096;

const size = wholeNumber(1, MAX_PREPROCESS_SIZE);
const triple = (item: v.GenericSchema<unknown, number>) => v.tuple([item, item, item]);
const finite = v.pipe(v.number(), v.finite());
const sameThree = (values: readonly number[]): boolean => values.every((x) => x === values[0]);

/**
 * A spec that can drive preprocessing: whole sizes from 1 to MAX_PREPROCESS_SIZE, channels 1 or 3 (absent: 3) with
 * the resize at least as large as the crop (torchvision would pad with black otherwise, which no NIN was trained
 * on), a known channel order, a finite non-zero scale, finite means and finite positive stds (equal across the
 * three entries for a 1-channel spec: a grey tensor has one plane, and three different means would leave which one
 * applies to a guess).
 */
export const PREPROCESS_SPEC = v.pipe(
  record({
    inputSize: size,
    resizeShorterSide: size,
    channels: v.optional(v.picklist([1, 3], got('must be 1 or 3 when given'))),
    channelOrder: v.picklist(['RGB', 'BGR'], got("must be 'RGB' or 'BGR'")),
    scale: v.pipe(
      finiteNumber('must be a finite non-zero number'),
      v.notValue(0, got('must be a finite non-zero number')),
    ),
    mean: whole(triple(finite), 'must be three finite numbers'),
    std: whole(triple(v.pipe(finite, v.gtValue(0))), 'must be three finite positive numbers'),
  }),
  v.forward(
    v.partialCheck(
      [['inputSize'], ['resizeShorterSide']],
      (spec) => spec.resizeShorterSide >= spec.inputSize,
      (issue) => `(${issue.input.resizeShorterSide}) must be at least inputSize (${issue.input.inputSize})`,
    ),
    ['resizeShorterSide'],
  ),
  v.forward(
    v.partialCheck(
      [['channels'], ['mean']],
      (spec) => spec.channels !== 1 || sameThree(spec.mean),
      (issue) => `must be three equal numbers for channels 1, got ${describeValue(issue.input.mean)}`,
    ),
    ['mean'],
  ),
  v.forward(
    v.partialCheck(
      [['channels'], ['std']],
      (spec) => spec.channels !== 1 || sameThree(spec.std),
      (issue) => `must be three equal numbers for channels 1, got ${describeValue(issue.input.std)}`,
    ),
    ['std'],
  ),
);

/**
 * The one check of a preprocessing spec, wherever it comes from (a model's `nin.preprocessing` metadata, a training
 * checkpoint, a caller): throws a RangeError naming the field unless `spec` can drive preprocessing (PREPROCESS_SPEC
 * above). Takes `unknown`, so that parsed JSON is checked field by field before anything uses it.
 */
export function checkPreprocessSpec(spec: unknown): asserts spec is PreprocessSpec {
  parseUntrusted(PREPROCESS_SPEC, spec, 'preprocessing spec');
}
