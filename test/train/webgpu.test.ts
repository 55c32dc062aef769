import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { test } from 'node:test';
import { ROOT } from '../support/fixtures.js';
import { SWIFTSHADER, swiftShaderMissing } from '../support/prerequisites.js';

test(
  "training and SGD steps on WebGPU (Dawn on SwiftShader, no CPU fallback) give the CPU provider's results within 1e-4",
  { timeout: 300_000 },
  (t) => {
    const missing = swiftShaderMissing();
    if (missing !== undefined) return void t.skip(missing);
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
