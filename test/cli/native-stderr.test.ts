/**
 * Native libraries' stderr, kept off the user's terminal: `doctor` and `--provider webgpu` runs printed libwayland's
 * XDG_RUNTIME_DIR error twice, Dawn's Vulkan warning and ONNX Runtime's coloured log lines. The texts below are
 * the ones captured on this project's GPU-less machines (Mesa's lavapipe as the only Vulkan driver).
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { mayStartGpuProvider, NativeNoiseFilter } from '../../src/cli/native-stderr.js';
import { ensurePrivateRuntimeDir } from '../../src/io/runtime-dir.js';
import { ROOT } from '../support/fixtures.js';

const NIN_SDK = join(ROOT, 'dist', 'src', 'cli', 'nin-sdk.js');

const XDG = 'error: XDG_RUNTIME_DIR is invalid or not set in the environment.\n';
const DAWN =
  'Warning: Vulkan shaderUniform*ArrayDynamicIndexing required.\n' +
  ' - While initializing adapter (backend=BackendType::Vulkan)\n' +
  '    at InitializeImpl (/build/Release/_deps/dawn-src/src/dawn/native/vulkan/PhysicalDeviceVk.cpp:253)\n\n';
const ORT_LOG =
  '\x1b[1;31m2026-12-02 18:38:51.609369087 [E:onnxruntime:onnxruntime-node, provider_bridge_ort.cc:2146 Create] ' +
  '/onnxruntime_src/onnxruntime/core/session/provider_bridge_ort.cc:1988 onnxruntime::Provider& onnxruntime::ProviderLibrary::Get() ' +
  '[ONNXRuntimeError] : 1 : FAIL : Failed to load library libonnxruntime_providers_shared.so\n\x1b[m\n';

describe('native stderr', () => {
  test("the filter drops the native noise and keeps nin-sdk's lines and progress bars, across chunk boundaries", () => {
    const own = 'nin-sdk train: new run: cifar10 NIN, on cpu\n';
    const text =
      XDG +
      XDG +
      DAWN +
      own +
      ORT_LOG +
      DAWN +
      '\rbatches [###...] 1/3 2/s ' +
      '\r\x1b[K' +
      '1 of 1 image classified in 1.62 s on cpu (webgpu failed: Failed to get a WebGPU adapter: No supported adapters)\n';
    const filter = new NativeNoiseFilter();
    let out = '';
    for (let i = 0; i < text.length; i += 7) out += filter.push(text.slice(i, i + 7));
    out += filter.flush();
    assert.equal(
      out,
      own +
        '\rbatches [###...] 1/3 2/s \r\x1b[K1 of 1 image classified in 1.62 s on cpu (webgpu failed: Failed to get a WebGPU adapter: No supported adapters)\n',
    );
  });

  test('unknown text is kept: only known noise is dropped', () => {
    const filter = new NativeNoiseFilter();
    const text = 'Segmentation fault in libvulkan\n(node:123) Warning: something\n';
    assert.equal(filter.push(text) + filter.flush(), text);
  });

  test('which runs go through the filter', () => {
    assert.equal(mayStartGpuProvider(['doctor']), true);
    assert.equal(mayStartGpuProvider(['predict', '--provider', 'webgpu,cpu', 'a.jpg']), true);
    assert.equal(mayStartGpuProvider(['eval', '--provider=cuda', 'd']), true);
    assert.equal(mayStartGpuProvider(['train', '--provider', 'cpu']), false);
    assert.equal(mayStartGpuProvider(['predict', 'webgpu.jpg']), false);
    assert.equal(mayStartGpuProvider(['info']), false);
  });

  test('XDG_RUNTIME_DIR: unset or relative gets an empty private folder; a real one is left alone', () => {
    const env: NodeJS.ProcessEnv = { XDG_RUNTIME_DIR: 'relative' };
    const dir = ensurePrivateRuntimeDir(env)!;
    assert.equal(env['XDG_RUNTIME_DIR'], dir);
    assert.equal(statSync(dir).mode & 0o777, 0o700);
    const existing = mkdtempSync(join(tmpdir(), 'xdg-'));
    assert.equal(ensurePrivateRuntimeDir({ XDG_RUNTIME_DIR: existing }), undefined);
  });

  test("doctor and a webgpu run print only nin-sdk's own lines on stderr", () => {
    const env = { ...process.env };
    delete env['XDG_RUNTIME_DIR'];
    delete env['NIN_SDK_NATIVE_STDERR'];
    delete env['VK_DRIVER_FILES'];
    const doctor = spawnSync(process.execPath, [NIN_SDK, 'doctor'], { encoding: 'utf8', env });
    assert.equal(doctor.status, 0);
    assert.equal(doctor.stderr, '');
    assert.match(doctor.stdout, /\n {2}cpu {5}ok\n/);
    const predict = spawnSync(
      process.execPath,
      [NIN_SDK, 'predict', '--provider', 'webgpu,cuda', 'fixtures/images/cat.jpg'],
      { encoding: 'utf8', env, cwd: ROOT },
    );
    assert.equal(predict.status, 0, predict.stderr);
    // One line: where it ran, and why the GPU providers did not (whatever this machine has).
    assert.match(
      predict.stderr,
      /^1 of 1 image classified in \d+\.\d\d s on (cpu \(webgpu failed: .*; cuda failed: .*\)|webgpu|cuda.*)\n$/,
    );
  });
});
