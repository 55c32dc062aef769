import type { PreprocessSpec } from './spec.js';

/**
 * Largest square input and resize target accepted: a spec comes from a model's metadata, which anyone can write,
 * and a resize of the shorter side to 30,000 pixels took 2.7–4 GB; every NIN takes 32 or 224.
 */
export const MAX_PREPROCESS_SIZE = 4096;

/**
 * The one check of a preprocessing spec, wherever it comes from (a model's `nin.preprocessing` metadata, a training
 * checkpoint, a caller): throws a RangeError naming the field unless `spec` can drive preprocessing: whole sizes from
 * 1 to MAX_PREPROCESS_SIZE, channels 1 or 3 (absent: 3) with the resize at least as large as the crop (torchvision would pad with black
 * otherwise, which no NIN was trained on), a known channel order, a finite non-zero scale, finite means and finite
 * positive stds (equal across the three entries for a 1-channel spec). Takes `unknown`, so that parsed JSON is checked field by field before anything uses it.
 */
export function checkPreprocessSpec(spec: unknown): asserts spec is PreprocessSpec {
  const fail = (what: string): never => {
    throw new RangeError(`preprocessing spec: ${what}`);
  };
  if (typeof spec !== 'object' || spec === null || Array.isArray(spec))
    fail(`must be an object, got ${describe(spec)}`);
  const { inputSize, resizeShorterSide, channels, channelOrder, scale, mean, std } = spec as Record<
    keyof PreprocessSpec,
    unknown
  >;
  const size = (name: string, value: unknown, min: number): void => {
    if (!Number.isInteger(value) || (value as number) < 1 || (value as number) > MAX_PREPROCESS_SIZE) {
      fail(`${name} must be a whole number from 1 to ${MAX_PREPROCESS_SIZE}, got ${describe(value)}`);
    }
    if ((value as number) < min) fail(`resizeShorterSide (${describe(value)}) must be at least inputSize (${min})`);
  };
  size('inputSize', inputSize, 1);
  size('resizeShorterSide', resizeShorterSide, inputSize as number);
  if (channels !== undefined && channels !== 1 && channels !== 3)
    fail(`channels must be 1 or 3 when given, got ${describe(channels)}`);
  if (channelOrder !== 'RGB' && channelOrder !== 'BGR')
    fail(`channelOrder must be 'RGB' or 'BGR', got ${describe(channelOrder)}`);
  if (typeof scale !== 'number' || !Number.isFinite(scale) || scale === 0)
    fail(`scale must be a finite non-zero number, got ${describe(scale)}`);
  const triple = (value: unknown, valid: (x: number) => boolean): boolean =>
    Array.isArray(value) && value.length === 3 && value.every((x) => typeof x === 'number' && valid(x));
  if (!triple(mean, Number.isFinite)) fail(`mean must be three finite numbers, got ${describe(mean)}`);
  if (!triple(std, (s) => Number.isFinite(s) && s > 0))
    fail(`std must be three finite positive numbers, got ${describe(std)}`);
  // A grey tensor has one plane: three different means would leave which one applies to a guess.
  const same = (values: readonly number[]): boolean => values.every((x) => x === values[0]);
  if (channels === 1 && !same(mean as number[]))
    fail(`mean must be three equal numbers for channels 1, got ${describe(mean)}`);
  if (channels === 1 && !same(std as number[]))
    fail(`std must be three equal numbers for channels 1, got ${describe(std)}`);
}

/** A value as a message shows it: numbers and arrays of numbers as themselves, anything else as short JSON. */
function describe(value: unknown): string {
  if (typeof value === 'number') return String(value);
  if (Array.isArray(value) && value.length <= 8 && value.every((x) => typeof x === 'number'))
    return `[${value.join(', ')}]`;
  const json = value === undefined ? 'nothing' : (JSON.stringify(value) ?? String(value));
  return json.length > 40 ? `${json.slice(0, 40)}…` : json;
}
