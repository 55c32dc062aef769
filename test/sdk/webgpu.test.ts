import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { test } from 'node:test';
import { ROOT } from '../support/fixtures.js';
import { SWIFTSHADER, swiftShaderMissing } from '../support/prerequisites.js';

test("WebGPU (Dawn on SwiftShader) gives the CPU provider's probabilities within 1e-5", { timeout: 300_000 }, (t) => {
  const missing = swiftShaderMissing();
  if (missing !== undefined) return void t.skip(missing);
  const child = spawnSync(process.execPath, ['--import', 'tsx', join(ROOT, 'test', 'support', 'webgpu-vs-cpu.ts')], {
    cwd: ROOT,
    env: { ...process.env, VK_DRIVER_FILES: SWIFTSHADER },
    encoding: 'utf8',
  });
  assert.equal(child.status, 0, child.stderr);
  const result = JSON.parse(child.stdout.trim().split('\n').pop()!) as { cpu: string; gpu: string; maxDiff: number };
  assert.equal(result.cpu, 'cpu');
  assert.equal(result.gpu, 'webgpu');
  assert.ok(result.maxDiff <= 1e-5, `WebGPU differs from CPU by ${result.maxDiff}`);
});
