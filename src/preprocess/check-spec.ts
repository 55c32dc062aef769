import type { PreprocessSpec } from './spec.js';

/**
 * Throws a RangeError naming the field unless `spec` can drive preprocessing: whole positive sizes with the
 * resize at least as large as the crop (torchvision would pad with black otherwise, which no NIN was trained on),
 * a known channel order, finite scale and means, non-zero finite stds.
 */
export function checkPreprocessSpec(spec: PreprocessSpec): void {
  const fail = (what: string): never => {
    throw new RangeError(`preprocessing spec: ${what}`);
  };
  const { inputSize, resizeShorterSide, channelOrder, scale, mean, std } = spec;
  if (!Number.isInteger(inputSize) || inputSize < 1) fail(`inputSize must be a positive integer, got ${inputSize}`);
  if (!Number.isInteger(resizeShorterSide) || resizeShorterSide < 1) {
    fail(`resizeShorterSide must be a positive integer, got ${resizeShorterSide}`);
  }
  if (resizeShorterSide < inputSize) fail(`resizeShorterSide (${resizeShorterSide}) must be at least inputSize (${inputSize})`);
  if (channelOrder !== 'RGB' && channelOrder !== 'BGR') fail(`channelOrder must be 'RGB' or 'BGR', got ${String(channelOrder)}`);
  if (!Number.isFinite(scale) || scale === 0) fail(`scale must be a finite non-zero number, got ${scale}`);
  if (mean.length !== 3 || !mean.every(Number.isFinite)) fail(`mean must be three finite numbers, got [${mean.join(', ')}]`);
  if (std.length !== 3 || !std.every((s) => Number.isFinite(s) && s !== 0)) {
    fail(`std must be three finite non-zero numbers, got [${std.join(', ')}]`);
  }
}
