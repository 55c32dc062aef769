import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { test } from 'node:test';
import { ROOT } from '../support/fixtures.js';
import { SWIFTSHADER, swiftShaderMissing } from '../support/prerequisites.js';

test(
  'a TrainingSession on WebGPU (SwiftShader, no CPU fallback) trains as on CPU, within 1e-4, and says so',
  { timeout: 120_000 },
  (t) => {
    const missing = swiftShaderMissing();
    if (missing !== undefined) return void t.skip(missing);
    const child = spawnSync(
      process.execPath,
      ['--import', 'tsx', join(ROOT, 'test', 'train-session', 'support', 'webgpu-session.ts')],
      {
        cwd: ROOT,
        env: { ...process.env, VK_DRIVER_FILES: SWIFTSHADER },
        encoding: 'utf8',
      },
    );
    assert.equal(child.status, 0, child.stderr);
    const result = JSON.parse(child.stdout.trim().split('\n').pop()!) as {
      providers: string[];
      parameters: number;
      momentum: number;
      logits: number;
    };
    t.diagnostic(
      `WebGPU vs CPU after two steps, worst relative error: parameters ${result.parameters.toExponential(2)}, momentum ${result.momentum.toExponential(2)}, logits ${result.logits.toExponential(2)}`,
    );
    assert.deepEqual(result.providers, ['cpu', 'webgpu']);
    for (const key of ['parameters', 'momentum', 'logits'] as const)
      assert.ok(result[key] <= 1e-4, `${key} differ by ${result[key]}`);
  },
);
