import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { ROOT } from '../support/fixtures.js';

/** Debian's chromium package ships SwiftShader, a software Vulkan driver: a WebGPU adapter without a GPU. */
const SWIFTSHADER = '/usr/lib/chromium/vk_swiftshader_icd.json';

test(
  "training and SGD steps on WebGPU (Dawn on SwiftShader, no CPU fallback) give the CPU provider's results within 1e-4",
  { timeout: 300_000 },
  (t) => {
    if (!existsSync(SWIFTSHADER)) {
      if (process.env['CI']) assert.fail(`${SWIFTSHADER} is missing: .ci/run must install Debian's chromium package`);
      t.skip(`no software Vulkan driver at ${SWIFTSHADER} (apt-get install chromium)`);
      return;
    }
    const child = spawnSync(
      process.execPath,
      ['--import', 'tsx', join(ROOT, 'test', 'train', 'support', 'webgpu-training-step.ts')],
      {
        cwd: ROOT,
        env: { ...process.env, VK_DRIVER_FILES: SWIFTSHADER },
        encoding: 'utf8',
      },
    );
    assert.equal(child.status, 0, child.stderr);
    const result = JSON.parse(child.stdout.trim().split('\n').pop()!) as {
      training: number;
      optimizer: number;
      outputs: number;
    };
    t.diagnostic(
      `WebGPU vs CPU, worst relative error: training step ${result.training.toExponential(2)}, SGD step ${result.optimizer.toExponential(2)}`,
    );
    assert.equal(result.outputs, 19, 'loss and 18 gradients');
    assert.ok(result.training <= 1e-4, `training step differs by ${result.training}`);
    assert.ok(result.optimizer <= 1e-4, `optimizer step differs by ${result.optimizer}`);
  },
);
