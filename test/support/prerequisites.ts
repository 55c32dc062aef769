import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { LARGE_FIXTURES, SHARED_DATA } from './fixtures.js';

/**
 * What a test needs from the machine beyond the repository: each check returns why the test cannot run here (it
 * is then skipped, with that reason), or undefined when it can. In CI (CI set), whose .ci/run installs every one
 * of them, a missing prerequisite throws instead: a check must not pass there by being skipped.
 */
export function unlessPresent(present: boolean, reason: string): string | undefined {
  if (present) return undefined;
  if (process.env['CI']) throw new Error(`CI must run this test: ${reason}`);
  return reason;
}

/** Debian's chromium package ships SwiftShader, a software Vulkan driver: a WebGPU adapter without a GPU. */
export const SWIFTSHADER = '/usr/lib/chromium/vk_swiftshader_icd.json';

export function swiftShaderMissing(): string | undefined {
  return unlessPresent(
    existsSync(SWIFTSHADER),
    `no software Vulkan driver at ${SWIFTSHADER} (apt-get install chromium)`,
  );
}

/** The CIFAR-10 test tar of ../shared/data (10,000 JPEGs). */
export const CIFAR10_TEST_TAR = join(SHARED_DATA, 'cifar10', 'test.tar');

export function cifarTestTarMissing(): string | undefined {
  return unlessPresent(existsSync(CIFAR10_TEST_TAR), `${CIFAR10_TEST_TAR} is missing (../shared/data)`);
}

/** The CIFAR-10 training tar of ../shared/data (50,000 JPEGs, sorted by class). */
export const CIFAR10_TRAIN_TAR = join(SHARED_DATA, 'cifar10', 'train.tar');

export function cifarTrainTarMissing(): string | undefined {
  return unlessPresent(existsSync(CIFAR10_TRAIN_TAR), `${CIFAR10_TRAIN_TAR} is missing (../shared/data)`);
}

/** The ImageNet class names of ../shared/data, the source of the shipped labels. */
export const IMAGENET_CLASSES_TXT = join(SHARED_DATA, 'imagenet-classes.txt');

export function imagenetClassesMissing(): string | undefined {
  return unlessPresent(existsSync(IMAGENET_CLASSES_TXT), `${IMAGENET_CLASSES_TXT} is missing (../shared/data)`);
}

/** util-linux's script(1), which gives a command a pseudo-terminal (progress bars are drawn only on one). */
export function scriptMissing(): string | undefined {
  const present = spawnSync('script', ['--version'], { encoding: 'utf8' }).status === 0;
  return unlessPresent(present, 'no script(1) for a pseudo-terminal (util-linux)');
}

/** The full-width ImageNet fixtures that `make_fixtures.py --large` writes (30 MB each, not committed). */
export function largeFixturesMissing(): string | undefined {
  const present = existsSync(join(LARGE_FIXTURES, 'manifest.json'));
  return unlessPresent(present, 'fixtures/generated-large is missing: run fixtures/make_fixtures.py --large');
}
