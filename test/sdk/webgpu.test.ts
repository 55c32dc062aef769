import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { ROOT } from '../support/fixtures.js';

/** Debian's chromium package ships SwiftShader, a software Vulkan driver: a WebGPU adapter without a GPU. */
const SWIFTSHADER = '/usr/lib/chromium/vk_swiftshader_icd.json';

test("WebGPU (Dawn on SwiftShader) gives the CPU provider's probabilities within 1e-5", { timeout: 300_000 }, (t) => {
  if (!existsSync(SWIFTSHADER)) {
    if (process.env['CI']) assert.fail(`${SWIFTSHADER} is missing: .ci/run must install Debian's chromium package`);
    t.skip(`no software Vulkan driver at ${SWIFTSHADER} (apt-get install chromium)`);
    return;
  }
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
