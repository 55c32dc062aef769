/**
 * Classification in Chromium against Node: the browser's preprocessing (decoding by Chromium, then the shared
 * pure pipeline) against the sharp path on the same files, and onnxruntime-web's probabilities on WebGPU
 * (SwiftShader) and wasm against onnxruntime-node's CPU provider on the same tensors.
 *
 * Measured here (Chromium 156, onnxruntime-web 1.30 vs onnxruntime-node 1.30, 22 fixture images, 3 models):
 * the tensors are bit-identical for every PNG and JPEG (8- and 16-bit, grey, EXIF-rotated, transparent); the
 * probabilities differ by at most 3e-6 on wasm and 2e-6 on WebGPU. Asserted: tensors within 1e-6 (PNG) and
 * 2 levels (JPEG: Chromium's decoder may drift from libjpeg-turbo across versions), probabilities within 1e-5.
 */
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, test, type TestContext } from 'node:test';
import { loadClassifier, type NodeClassifier } from '../../src/index.js';
import { preprocessImage } from '../../src/preprocess/node/index.js';
import type { WebProvider } from '../../src/web/index.js';
import { FIXTURES, maxAbsDiff } from '../support/fixtures.js';
import { browserUnavailable } from './support/browser.js';
import { maxLevelDifference, row } from './support/compare.js';
import { HarnessPage } from './support/harness-calls.js';
import { openHarnessSession, type HarnessSession } from './support/harness-session.js';

const PNG_IMAGES = [
  'cat-upscaled-96x96.png',
  'odd-33x47.png',
  'portrait-270x450.png',
  'rgb16-48x40.png',
  'rgba-200x240.png',
];
const JPEG_IMAGES = [
  'cat.jpg',
  'exif-rotated-320x240.jpg',
  'grey-400x300.jpg',
  'large-1600x1200.jpg',
  'panorama-1000x200.jpg',
  'cifar10/airplane-0003.jpg',
  'cifar10/frog-0250.jpg',
];
const ALL_IMAGES = [...PNG_IMAGES, ...JPEG_IMAGES];
const PROBABILITY_TOLERANCE = 1e-5;
const PNG_TENSOR_TOLERANCE = 1e-6;
const JPEG_LEVEL_TOLERANCE = 2;

/**
 * SwiftShader runs WebGPU on the CPU at about a second per CIFAR image and several per ImageNet one on this
 * machine: WebGPU gets a few images per model, wasm all of them.
 */
const CASES: readonly { model: string; provider: WebProvider; images: readonly string[] }[] = [
  { model: 'nin-cifar10.onnx', provider: 'wasm', images: ALL_IMAGES },
  { model: 'models/imagenet-small.onnx', provider: 'wasm', images: ALL_IMAGES },
  { model: 'nin-cifar10.onnx', provider: 'webgpu', images: ['rgba-200x240.png', 'cifar10/frog-0250.jpg'] },
  {
    model: 'models/cifar-small.onnx',
    provider: 'webgpu',
    images: ['cat-upscaled-96x96.png', 'cat.jpg', 'grey-400x300.jpg'],
  },
  {
    model: 'models/imagenet-small.onnx',
    provider: 'webgpu',
    images: ['portrait-270x450.png', 'exif-rotated-320x240.jpg'],
  },
];

describe(
  'nin-sdk/web classification in Chromium against Node',
  { skip: browserUnavailable() ?? false, timeout: 240_000 },
  () => {
    let session: HarnessSession;
    const nodeClassifiers = new Map<string, Promise<NodeClassifier>>();
    /** Node's CPU classifier on the very bytes the page loads (the default model may be retrained meanwhile). */
    const nodeClassifier = (model: string): Promise<NodeClassifier> => {
      let classifier = nodeClassifiers.get(model);
      if (!classifier) {
        classifier = readFile(join(session.site.folder, model)).then((bytes) =>
          loadClassifier(bytes, { provider: 'cpu' }),
        );
        nodeClassifiers.set(model, classifier);
      }
      return classifier;
    };

    before(async () => {
      session = await openHarnessSession();
    });

    after(async () => {
      for (const classifier of nodeClassifiers.values()) await (await classifier).dispose();
      await session?.close();
    });

    test('WebGPU has an adapter: SwiftShader', async () => {
      const support = await session.harness.webgpu();
      assert.ok(support.available, support.available ? '' : support.reason);
      assert.match(support.adapter, /swiftshader/);
    });

    for (const { model, provider, images } of CASES) {
      test(`${model} on ${provider}: ${images.length} images, preprocessing and probabilities equal Node's`, async (t) => {
        const run = await session.harness.run(
          model,
          provider,
          images.map((image) => `fixtures/images/${image}`),
        );
        assert.equal(run.provider, provider);
        const node = await nodeClassifier(model);
        const spec = node.info.preprocessing;
        const classes = node.labels.length;

        // The runtime alone: onnxruntime-node's CPU provider on the page's own tensors.
        const cpuOnPageTensors = await node.probabilities(run.tensors);
        const runtimeDifference = maxAbsDiff(run.probabilities, cpuOnPageTensors);
        assert.ok(
          runtimeDifference <= PROBABILITY_TOLERANCE,
          `${provider} differs from Node's CPU by ${runtimeDifference}`,
        );

        // Preprocessing, and the whole path from the file: Chromium + pipeline against sharp + pipeline.
        let jpegLevels = 0;
        for (const [i, image] of images.entries()) {
          const sharpTensor = (await preprocessImage(join(FIXTURES, 'images', image), spec)).tensor;
          const pageTensor = run.tensors[i]!;
          if (image.endsWith('.png')) {
            assert.ok(
              maxAbsDiff(pageTensor, sharpTensor) <= PNG_TENSOR_TOLERANCE,
              `${image}: the page's tensor differs from sharp's`,
            );
          } else {
            const levels = maxLevelDifference(pageTensor, sharpTensor, spec);
            jpegLevels = Math.max(jpegLevels, levels);
            assert.ok(
              levels <= JPEG_LEVEL_TOLERANCE,
              `${image}: Chromium's JPEG decoding differs from sharp's by ${levels} levels`,
            );
            if (levels > 0) continue; // different pixels: the end-to-end scores cannot be held to 1e-5
          }
          const sharpScores = await node.probabilities([sharpTensor]);
          const endToEnd = maxAbsDiff(row(run.probabilities, i, classes), sharpScores);
          assert.ok(endToEnd <= PROBABILITY_TOLERANCE, `${image}: page vs Node from the file differ by ${endToEnd}`);
        }
        report(t, { runtimeDifference, jpegLevels, milliseconds: run.milliseconds });
      });
    }

    test('an <img>, a Blob and an ImageBitmap of the same file give the same tensor as sharp', async () => {
      const node = await nodeClassifier('models/imagenet-small.onnx');
      for (const image of ['scene-640x480.jpg', 'odd-33x47.png']) {
        const sharpTensor = (await preprocessImage(join(FIXTURES, 'images', image), node.info.preprocessing)).tensor;
        const sources = await session.harness.preprocessSources(`fixtures/images/${image}`, node.info.preprocessing);
        for (const [kind, tensor] of Object.entries(sources)) {
          assert.ok(
            maxAbsDiff(tensor, sharpTensor) <= PNG_TENSOR_TOLERANCE,
            `${image} as ${kind} differs from sharp's tensor`,
          );
        }
      }
    });

    test("classify() with no model fetches nin-cifar10-int8.onnx (wasm's default dtype) next to the page and runs on wasm", async () => {
      const page = await session.harness.classify('fixtures/images/cat.jpg');
      assert.equal(page.provider, 'wasm');
      const node = (await (await nodeClassifier('nin-cifar10-int8.onnx')).classify(join(FIXTURES, 'images', 'cat.jpg')))
        .top;
      assert.deepEqual(
        page.top.map((p) => p.label),
        node.map((p) => p.label),
      );
      assert.ok(
        maxAbsDiff(
          page.top.map((p) => p.probability),
          node.map((p) => p.probability),
        ) <= PROBABILITY_TOLERANCE,
      );
    });

    test('errors name their class and what is at fault', async () => {
      // Refused from the header before the browser decodes anything, or by the browser's own decoder.
      const browserRefuses = 'is not an image this browser can decode';
      const expected: Record<string, string> = {
        'corrupt.png': browserRefuses,
        'empty.png': 'is empty \\(0 bytes\\)(\n|$)',
        'not-an-image.jpg': 'is not an image in an accepted format \\(JPEG, PNG, WebP, GIF, TIFF, BMP\\)(\n|$)',
        'truncated.jpg': browserRefuses,
        'truncated.png': browserRefuses,
        'zero-size.png': 'has no pixels \\(0×0\\)(\n|$)',
        'bomb-30000x30000.png':
          'is 30000×30000 \\(900 megapixels\\), over the limit of 100 megapixels \\(maxPixels\\)(\n|$)',
      };
      for (const [file, tail] of Object.entries(expected)) {
        await assert.rejects(
          session.harness.classify(`fixtures/images/invalid/${file}`),
          new RegExp(`ImageError: image blob \\(\\d+ bytes, image/(png|jpeg)\\) ${tail}`),
          file,
        );
      }
      await session.browser.expectingProblems(/status of 404/, () =>
        assert.rejects(
          session.harness.classify('fixtures/images/cat.jpg', 'models/missing.onnx'),
          /ModelError: cannot fetch the model http:\S+\/models\/missing\.onnx: HTTP 404/,
        ),
      );
      await assert.rejects(
        session.harness.classify('fixtures/images/cat.jpg', undefined, 'cuda' as WebProvider),
        /ProviderError: unknown provider 'cuda' for web: should be one of webgpu, wasm/,
      );
    });

    test('without WebGPU: strict webgpu fails with the reason, and otherwise wasm takes over', async () => {
      const page = await session.browser.newPage();
      await page.addInitScript({ content: 'delete Navigator.prototype.gpu;' });
      const noWebGpu = await HarnessPage.open(page, session.site.url);
      await assert.rejects(
        noWebGpu.run('models/cifar-small.onnx', 'webgpu', ['fixtures/images/cat.jpg']),
        /no execution provider could start \(webgpu: .*WebGPU/,
      );
      assert.equal(
        (await noWebGpu.classify('fixtures/images/cat.jpg', 'models/cifar-small.onnx', 'webgpu')).provider,
        'wasm',
      );
      await page.close();
    });

    test('no console errors or uncaught exceptions in the page', () => {
      assert.deepEqual(session.browser.problems, []);
    });
  },
);

function report(
  t: TestContext,
  measured: { runtimeDifference: number; jpegLevels: number; milliseconds: number },
): void {
  t.diagnostic(
    `max |Δp| vs Node CPU ${measured.runtimeDifference.toExponential(2)}, JPEG decoding ${measured.jpegLevels} levels, ` +
      `batch run ${measured.milliseconds.toFixed(0)} ms`,
  );
}
