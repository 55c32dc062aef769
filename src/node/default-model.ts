import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { ModelDtype } from '../model/index.js';

/** File name of the embedded default model inside the package's `models/` folder. */
export const DEFAULT_MODEL_FILE = 'nin-cifar10.onnx';

/** The same model quantized to int8 by `nin-sdk quantize` (calibrated on 1,000 CIFAR-10 training images). */
export const DEFAULT_INT8_MODEL_FILE = 'nin-cifar10-int8.onnx';

/**
 * The package root, found by walking up from this module: the same code runs from src/ under tsx and from
 * dist/src/ once built, at different depths.
 */
export function packageRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (;;) {
    const manifest = join(dir, 'package.json');
    if (existsSync(manifest) && (JSON.parse(readFileSync(manifest, 'utf8')) as { name?: string }).name === 'nin-sdk')
      return dir;
    const parent = dirname(dir);
    if (parent === dir) throw new Error('nin-sdk: cannot find the package root from ' + fileURLToPath(import.meta.url));
    dir = parent;
  }
}

/**
 * Path of the embedded default model: a NIN of the pytorch-nin-cifar10 structure trained on CIFAR-10, float32 or
 * int8.
 *
 * @param dtype - 'fp32' (default) or 'int8' (the same model quantized by `nin-sdk quantize`)
 * @returns the absolute path of the model file inside the installed package
 * @example
 * ```ts
 * import { defaultModelPath, readModelInfo } from 'nin-sdk';
 * import { readFileSync } from 'node:fs';
 * const path = defaultModelPath('int8');
 * console.log(readModelInfo(readFileSync(path), path).labels); // ['airplane', 'automobile', …]
 * ```
 */
export function defaultModelPath(dtype: ModelDtype = 'fp32'): string {
  return join(packageRoot(), 'models', dtype === 'int8' ? DEFAULT_INT8_MODEL_FILE : DEFAULT_MODEL_FILE);
}
