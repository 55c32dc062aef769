import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { copyFileSync, mkdirSync, mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { readCheckpoint } from '../../src/formats/pth/index.js';
import { loadClassifier } from '../../src/node/classify.js';
import { DEFAULT_MODEL_CHECKPOINT, FIXTURES, ROOT } from '../support/fixtures.js';
import { CIFAR10_TEST_TAR, cifarTestTarMissing } from '../support/prerequisites.js';
import { bundledCli } from '../support/cli.js';

const CLI = await bundledCli('nin-sdk');
const IMAGES = join(FIXTURES, 'images');

function run(...args: string[]) {
  const result = spawnSync(process.execPath, [CLI, ...args], { encoding: 'utf8', cwd: ROOT });
  return { code: result.status, stdout: result.stdout, stderr: result.stderr };
}

/** The fixture CIFAR-10 images (named `<class>-<n>.jpg`) laid out as `<class>/<n>.jpg`. */
function imageFolderDataset(): string {
  const root = mkdtempSync(join(tmpdir(), 'nin-sdk-eval-'));
  for (const file of readdirSync(join(IMAGES, 'cifar10'))) {
    const [className, number] = file.split('-') as [string, string];
    mkdirSync(join(root, className), { recursive: true });
    copyFileSync(join(IMAGES, 'cifar10', file), join(root, className, number));
  }
  return root;
}

describe('nin-sdk (built CLI)', () => {
  test('predict: one line per image with the top classes; a summary naming the provider on stderr', () => {
    const { code, stdout, stderr } = run('predict', 'fixtures/images/cifar10/cat-0000.jpg', '--top', '2');
    assert.equal(code, 0, stderr);
    assert.match(stdout, /^fixtures\/images\/cifar10\/cat-0000\.jpg {2}cat \d+\.\d% {2}\w+ \d+\.\d%\n$/);
    assert.match(stderr, /^1 of 1 image classified in \d+\.\d\d s on cpu\n$/);
  });

  test('predict: a bad file gets its own error line, the rest go on, exit code 1', () => {
    const { code, stdout, stderr } = run(
      'predict',
      'fixtures/images/invalid/not-an-image.jpg',
      'fixtures/images/cifar10',
    );
    assert.equal(code, 1);
    assert.equal(stdout.trim().split('\n').length, 10);
    assert.match(
      stderr,
      /^nin-sdk predict: fixtures\/images\/invalid\/not-an-image\.jpg is not an image in an accepted format \(JPEG, PNG, WebP, GIF, TIFF, BMP\)\n/,
    );
    assert.match(stderr, /10 of 11 images classified in .* on cpu; 1 failed\n$/);
  });

  test('predict: a BMP, named or in a folder, classified as its PNG twin (the same pixels)', () => {
    const folder = mkdtempSync(join(tmpdir(), 'nin-sdk-bmp-'));
    copyFileSync(join(IMAGES, 'bmp', 'cat-0000.bmp'), join(folder, 'a.bmp'));
    copyFileSync(join(IMAGES, 'bmp', 'cat-0000.png'), join(folder, 'b.png'));
    const named = run('predict', 'fixtures/images/bmp/cat-0000.bmp', 'fixtures/images/bmp/cat-0000.png', '--json');
    assert.equal(named.code, 0, named.stderr);
    const inFolder = run('predict', folder, '--json');
    assert.equal(inFolder.code, 0, inFolder.stderr);
    type Results = { results: { file: string; predictions: { label: string; probability: number }[] }[] };
    const [bmp, png] = (JSON.parse(named.stdout) as Results).results;
    const [folderBmp, folderPng] = (JSON.parse(inFolder.stdout) as Results).results;
    assert.equal(bmp?.predictions[0]?.label, 'cat');
    assert.deepEqual(bmp?.predictions, png?.predictions);
    assert.deepEqual([folderBmp?.file, folderPng?.file], [join(folder, 'a.bmp'), join(folder, 'b.png')]);
    assert.deepEqual(folderBmp?.predictions, bmp?.predictions);
    assert.deepEqual(folderPng?.predictions, bmp?.predictions);
  });

  test('predict --json: one document with provider and per-file results', () => {
    const { code, stdout } = run('predict', '--json', '--top', '3', 'fixtures/images/cat.jpg', 'missing.jpg');
    assert.equal(code, 1);
    const doc = JSON.parse(stdout) as {
      provider: string;
      family: string;
      results: { file: string; error?: string; predictions?: { label: string }[] }[];
    };
    assert.equal(doc.provider, 'cpu');
    assert.equal(doc.family, 'cifar10');
    assert.equal(doc.results[0]!.predictions!.length, 3);
    assert.equal(doc.results[1]!.error, 'cannot read missing.jpg: no such file');
  });

  test('predict --threads: one intra-op thread or the default (one per physical core) give the same answers', () => {
    const one = run('predict', '--threads', '1', 'fixtures/images/cifar10');
    const byDefault = run('predict', 'fixtures/images/cifar10');
    assert.equal(one.code, 0, one.stderr);
    assert.equal(one.stdout.trim().split('\n').length, 10);
    assert.equal(one.stdout, byDefault.stdout);
  });

  test('predict on 64 images or more (the model in a worker thread): the lines of fewer, a bad file its own error', () => {
    const folder = mkdtempSync(join(tmpdir(), 'nin-sdk-many-'));
    const originals = readdirSync(join(IMAGES, 'cifar10'));
    for (let copy = 0; copy < 7; copy++) {
      for (const file of originals) copyFileSync(join(IMAGES, 'cifar10', file), join(folder, `${copy}-${file}`));
    }
    copyFileSync(join(IMAGES, 'invalid', 'not-an-image.jpg'), join(folder, '3-zz-broken.jpg'));
    const few = run('predict', '--json', '--top', '10', 'fixtures/images/cifar10');
    const many = run('predict', '--json', '--top', '10', folder);
    assert.equal(few.code, 0, few.stderr);
    assert.equal(many.code, 1, many.stderr);
    assert.match(many.stderr, /^70 of 71 images classified in [\d.]+ s on cpu; 1 failed\n$/m);
    type Results = { results: { file: string; error?: string; predictions?: unknown[] }[] };
    const expected = new Map(
      (JSON.parse(few.stdout) as Results).results.map((r) => [r.file.split('/').pop()!, r.predictions]),
    );
    const { results } = JSON.parse(many.stdout) as Results;
    assert.equal(results.length, 71);
    for (const result of results) {
      const name = result.file.split('/').pop()!;
      if (name === '3-zz-broken.jpg') {
        assert.equal(
          result.error,
          `${result.file} is not an image in an accepted format (JPEG, PNG, WebP, GIF, TIFF, BMP)`,
        );
      } else {
        assert.deepEqual(result.predictions, expected.get(name.slice(2)), name);
      }
    }
  });

  test('predict: unknown provider and missing arguments are usage errors (exit 2)', () => {
    assert.deepEqual(run('predict', '--provider', 'tpu', 'fixtures/images/cat.jpg'), {
      code: 2,
      stdout: '',
      stderr:
        "nin-sdk: --provider should be one of cpu, cuda, webgpu or an ordered list of them like cuda,cpu, got 'tpu' (see nin-sdk --help)\n",
    });
    assert.equal(run('predict').stderr, 'nin-sdk: predict needs at least one image or folder (see nin-sdk --help)\n');
    assert.equal(
      run('predict', '--threads', '0', 'fixtures/images/cat.jpg').stderr,
      "nin-sdk: --threads must be an integer from 1 to 1024, got '0' (see nin-sdk --help)\n",
    );
    assert.equal(
      run('frobnicate').stderr,
      "nin-sdk: unknown command 'frobnicate': should be one of predict, eval, info, explain, train, average, convert, quantize, doctor, serve, export (see nin-sdk --help)\n",
    );
  });

  test("predict -: one image piped on standard input, named '-', in its place among the files", () => {
    const cat = readFileSync(join(IMAGES, 'cifar10', 'cat-0000.jpg'));
    const piped = spawnSync(process.execPath, [CLI, 'predict', 'fixtures/images/cifar10/dog-0007.jpg', '-'], {
      encoding: 'utf8',
      cwd: ROOT,
      input: cat,
    });
    assert.equal(piped.status, 0, piped.stderr);
    const alone = run('predict', 'fixtures/images/cifar10/cat-0000.jpg', 'fixtures/images/cifar10/dog-0007.jpg');
    const [catLine, dogLine] = alone.stdout.split('\n');
    assert.equal(piped.stdout, `${dogLine}\n${catLine!.replace('fixtures/images/cifar10/cat-0000.jpg', '-')}\n`);

    const empty = spawnSync(process.execPath, [CLI, 'predict', '-'], { encoding: 'utf8', cwd: ROOT, input: '' });
    assert.equal(empty.status, 1);
    assert.equal(empty.stderr, 'nin-sdk: standard input is empty: no image was piped in\n');
    assert.equal(
      run('predict', '-', '-').stderr,
      "nin-sdk: '-' (standard input) can be given once (see nin-sdk --help)\n",
    );
  });

  test('predict: a URL is refused in a shell user’s words, with the pipe to - as the way', () => {
    assert.deepEqual(run('predict', 'https://example.org/cat.jpg'), {
      code: 2,
      stdout: '',
      stderr:
        "nin-sdk: https://example.org/cat.jpg is a URL: nin-sdk reads images from files; download it first, or pipe it in: curl -sL 'https://example.org/cat.jpg' | nin-sdk predict - (see nin-sdk --help)\n",
    });
    assert.equal(
      run('predict', '--model', 'https://example.org/m.onnx', 'fixtures/images/cat.jpg').stderr,
      'nin-sdk: https://example.org/m.onnx is a URL: nin-sdk reads models from files; download it first (see nin-sdk --help)\n',
    );
  });

  test("eval on an ImageFolder directory prints pytorch-nin-cifar10's line and the throughput", async () => {
    const { code, stdout, stderr } = run('eval', imageFolderDataset());
    assert.equal(code, 0, stderr);
    assert.match(
      stdout,
      /^Test set: Average loss: \d+\.\d{4}, Accuracy: \d+\/10 \(\d+\.\d\d%\)\n10 images in [\d.]+ s \(\d+ images\/s\) on cpu\n$/,
    );
    // The numbers are the SDK's: the embedded model's top-1 hits and mean cross-entropy of the true classes.
    const classifier = await loadClassifier();
    let correct = 0;
    let loss = 0;
    try {
      for (const file of readdirSync(join(IMAGES, 'cifar10'))) {
        const truth = file.split('-')[0]!;
        const ranked = (await classifier.classify(join(IMAGES, 'cifar10', file), { top: 10 })).top;
        if (ranked[0]!.label === truth) correct++;
        loss -= Math.log(ranked.find((p) => p.label === truth)!.probability) / 10;
      }
    } finally {
      await classifier.dispose();
    }
    const [, printedLoss, printedCorrect] = /Average loss: ([\d.]+), Accuracy: (\d+)\//.exec(stdout)!;
    assert.equal(Number(printedCorrect), correct);
    assert.ok(Math.abs(Number(printedLoss) - loss) <= 1e-4, `printed ${printedLoss}, the SDK gives ${loss}`);
  });

  test('eval: a class folder that is not a label is named', () => {
    const root = imageFolderDataset();
    mkdirSync(join(root, 'zebra'));
    copyFileSync(join(IMAGES, 'cat.jpg'), join(root, 'zebra', 'z.jpg'));
    const { code, stderr } = run('eval', root);
    assert.equal(code, 2);
    assert.match(
      stderr,
      /^nin-sdk: zebra\/z\.jpg: class folder 'zebra' is not one of the model's labels \(airplane, automobile/,
    );
  });

  test(
    'eval on the CIFAR-10 test tar reproduces the accuracy PyTorch measured for the embedded model',
    { timeout: 600_000 },
    (t) => {
      const missing = cifarTestTarMissing();
      if (missing !== undefined) return void t.skip(missing);
      const tar = CIFAR10_TEST_TAR;
      // The checkpoint the embedded model was converted from records PyTorch's test accuracy (PIL decoding,
      // torchvision normalisation): our whole pipeline, decoding included, must land on the same figure.
      const checkpoint = readCheckpoint(readFileSync(DEFAULT_MODEL_CHECKPOINT));
      const pytorchAccuracy = Number(checkpoint.extras['best_acc']);
      // The float32 model: PyTorch's figure is float32's (the int8 default's is in docs/int8.md and bench/int8-agreement.ts).
      const { code, stdout, stderr } = run('eval', tar, '--dtype', 'fp32');
      assert.equal(code, 0, stderr);
      const match = /^Test set: Average loss: [\d.]+, Accuracy: (\d+)\/10000 \(([\d.]+)%\)$/m.exec(stdout);
      assert.ok(match, stdout);
      assert.ok(
        Math.abs(Number(match[2]) - pytorchAccuracy) <= 0.05,
        `nin-sdk eval says ${match[2]} %, PyTorch said ${pytorchAccuracy} %`,
      );
    },
  );

  test('info describes the embedded model, converted from the checkpoint whose accuracy the eval test checks', () => {
    const { code, stdout } = run('info', '--dtype', 'fp32');
    assert.equal(code, 0);
    // Without this link, replacing the model and not its checkpoint (or the reverse) would leave the eval test
    // comparing one model's accuracy with another's.
    const checkpointSha256 = createHash('sha256').update(readFileSync(DEFAULT_MODEL_CHECKPOINT)).digest('hex');
    assert.match(
      stdout,
      new RegExp(
        `\\nsource: {8}zip checkpoint, SHA-256 ${checkpointSha256}\\ntaken from: {4}checkpoint\\['state_dict'\\]\\n`,
      ),
    );
    assert.match(
      stdout,
      /^model: {9}.*models\/nin-cifar10\.onnx \([\d.]+ MB\)\nfamily: {8}cifar10\narchitecture: {2}pytorch-nin-cifar10 \[cifar10\], 3×32×32 input, 23 layers .*\nassumed: {7}took the layers of cifar10 as given \(.*\): a state_dict does not record them\nlabels: {8}airplane, automobile, bird, cat, deer, dog, frog, horse, ship, truck\n/,
    );
    assert.match(
      stdout,
      /\ninput: {9}input float32\[batch, 3, 32, 32\]\noutput: {8}logits float32\[batch, 10\]\noutput: {8}probabilities float32\[batch, 10\]\noutput: {8}class_maps float32\[batch, 10, 8, 8\]\nclass maps: {4}10 maps of 8×8 cells, 4×4 px apart, each seeing 27×27 px\nopset: {9}17 \(IR 8\), producer nin-sdk 0\.1\.0\n/,
    );
  });

  test('info with no model describes the one predict runs on the CPU (int8); --dtype picks, and must match a file', () => {
    const plain = run('info');
    assert.equal(plain.code, 0, plain.stderr);
    assert.match(plain.stdout, /^model: {9}.*models\/nin-cifar10-int8\.onnx \([\d.]+ MB\)\n/);
    assert.match(plain.stdout, /\ndtype: {9}int8 \(static QDQ: uint8 activations, int8 per-channel weights\)\n/);
    assert.equal(run('info', '--dtype', 'int8').stdout, plain.stdout);
    assert.deepEqual(run('info', 'models/nin-cifar10.onnx', '--dtype', 'int8'), {
      code: 1,
      stdout: '',
      stderr: 'nin-sdk: models/nin-cifar10.onnx is an fp32 model, not int8\n',
    });
    assert.equal(
      run('info', '--dtype', 'fp16').stderr,
      "nin-sdk: --dtype should be one of fp32, int8, got 'fp16' (see nin-sdk --help)\n",
    );
  });

  test('doctor: CPU starts; CUDA does not here, and says what it needs', () => {
    const { code, stdout } = run('doctor');
    assert.equal(code, 0);
    assert.match(stdout, /\n {2}cpu {5}ok\n/);
    assert.match(
      stdout,
      /\n {2}cuda {4}unavailable: .*\n {10}needs an NVIDIA GPU with the CUDA 12 and cuDNN 9 libraries/,
    );
  });
});

describe('nin-sdk start-up: load only what one image needs', () => {
  test('predict of one small JPEG loads the bundle, onnxruntime-node and the wasm JPEG decoder; not sharp, not the converter', () => {
    const log = join(mkdtempSync(join(tmpdir(), 'nin-sdk-loads-')), 'loads.txt');
    const result = spawnSync(
      process.execPath,
      ['--import', join(ROOT, 'test/support/record-loads.mjs'), CLI, 'predict', 'fixtures/images/cat.jpg'],
      {
        encoding: 'utf8',
        cwd: ROOT,
        env: { ...process.env, NIN_RECORD_LOADS: log },
      },
    );
    assert.equal(result.status, 0, result.stderr);
    const files = [...new Set(readFileSync(log, 'utf8').split('\n'))]
      .filter((url) => url.startsWith('file://'))
      .map((url) => url.slice('file://'.length));
    const ours = files.filter((file) => file.startsWith(join(ROOT, 'dist')));
    const packages = new Set(files.flatMap((file) => /node_modules\/((?:@[^/]+\/)?[^/]+)\//.exec(file)?.[1] ?? []));
    assert.deepEqual([...packages].sort(), ['@jsquash/jpeg', 'onnxruntime-common', 'onnxruntime-node']);
    assert.ok(
      ours.every((file) => file.startsWith(join(ROOT, 'dist', 'cli'))),
      `unbundled modules loaded: ${ours.join(', ')}`,
    );
    // nin-sdk's main and the predict command's own bundle: esbuild's chunks shared between all commands made it 27
    // files, each a module for Node's ESM loader to resolve, read, compile and link (docs/startup.md).
    assert.deepEqual(
      ours.map((file) => file.slice(join(ROOT, 'dist', 'cli').length + 1).replace(/-[A-Z0-9]{8}\.mjs$/, '-<hash>.mjs')),
      ['nin-sdk.mjs', 'commands/predict-<hash>.mjs'],
    );
    // The bundle names each module it inlines in a comment: none of the converter's, the zip reader's or sharp's.
    // The protobuf runtime is in: every model is decoded once with protobuf's own rules and ONNX Runtime loads the
    // re-encoded model that was checked (docs/security.md), about 12 ms of this start-up.
    const inlined = ours.map((file) => readFileSync(file, 'utf8')).join('\n');
    assert.doesNotMatch(
      inlined,
      /^\/\/ (node_modules\/(fflate|pickleparser|sharp)|src\/(convert|architectures|formats)\/)/m,
    );
    assert.match(inlined, /^\/\/ node_modules\/@bufbuild\/protobuf\//m);
  });

  test("predict leaves ONNX Runtime's telemetry off: no event cache in the user's home", () => {
    // A bare environment (no CI variables, which ONNX Runtime also takes as an opt-out) and a fresh HOME: without
    // ORT_DISABLE_TELEMETRY, ONNX Runtime 1.30 creates $HOME/.cache/Microsoft/DeveloperTools/.onnxruntime/ with its
    // device id and onnxruntime.db during the first session.
    const home = mkdtempSync(join(tmpdir(), 'nin-sdk-home-'));
    const result = spawnSync(process.execPath, [CLI, 'predict', 'fixtures/images/cat.jpg'], {
      encoding: 'utf8',
      cwd: ROOT,
      env: { PATH: process.env.PATH, HOME: home },
    });
    assert.equal(result.status, 0, result.stderr);
    assert.match(result.stdout, /^fixtures\/images\/cat\.jpg {2}cat /);
    assert.deepEqual(readdirSync(home), []);
  });
});
