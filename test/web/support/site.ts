import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildExample } from '../../../examples/web/build.js';
import { startStaticServer } from '../../../examples/web/serve.js';
import { convertCheckpoint } from '../../../src/convert/index.js';
import { CHECKPOINTS, FIXTURES, ROOT } from '../../support/fixtures.js';

/** Fixture checkpoints that the tests also load as ONNX models, converted by Node into the site's models/ folder. */
export const CONVERTED_FIXTURES = { 'cifar-small': 'cifar-small.pth', 'imagenet-small': 'imagenet-small.pth' } as const;
export type ConvertedFixture = keyof typeof CONVERTED_FIXTURES;

export interface Site {
  /** Base URL of the built example page ('/'); the harness is at harness.html, fixtures under /fixtures/. */
  readonly url: string;
  /** The folder it is built into. */
  readonly folder: string;
  close(): Promise<void>;
}

/**
 * Builds the example page and the test harness once (esbuild, from the package's `nin-sdk/web` export, that is
 * dist/: `npm test` builds it first), and serves them with COOP/COEP like a real deployment.
 */
export async function buildSite(): Promise<Site> {
  if (!existsSync(join(ROOT, 'dist', 'src', 'web', 'index.js'))) {
    throw new Error('dist/src/web/index.js is missing: run `npm run build` first (npm test does)');
  }
  const folder = await mkdtemp(join(tmpdir(), 'nin-sdk-web-'));
  const harness = join(ROOT, 'test', 'web', 'harness');
  await buildExample(folder, {
    extraPages: [{ script: join(harness, 'harness.ts'), html: join(harness, 'harness.html') }],
  });
  await mkdir(join(folder, 'models'));
  for (const [name, file] of Object.entries(CONVERTED_FIXTURES)) {
    const { onnx } = await convertCheckpoint(await readFile(join(CHECKPOINTS, file)));
    await writeFile(join(folder, 'models', `${name}.onnx`), onnx);
  }
  const server = await startStaticServer({ '/': folder, '/fixtures/': FIXTURES });
  return {
    url: server.url,
    folder,
    async close() {
      await server.close();
      await rm(folder, { recursive: true, force: true });
    },
  };
}
