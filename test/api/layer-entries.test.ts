/**
 * The layers' entry modules (scripts/layers.mjs ENTRIES, docs/architecture.md): from outside a layer folder only its
 * entry modules may be imported, and lint says so. Runs ESLint with the project's own configuration on small
 * sources placed (in name only) inside src/.
 */
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { ESLint } from 'eslint';
import { ENTRIES, LAYERS } from '../../scripts/layers.mjs';
import { ROOT } from '../support/fixtures.js';

const eslint = new ESLint({ cwd: ROOT });

/** The restricted-path messages ESLint gives `code` as the file `file` (relative to the repository). */
async function restrictions(file: string, code: string): Promise<string[]> {
  const [result] = await eslint.lintText(code, { filePath: join(ROOT, file) });
  return result!.messages.filter((m) => m.ruleId === 'import-x/no-restricted-paths').map((m) => m.message);
}

test('every layer folder lists its entry modules, and they exist', () => {
  const folders = LAYERS.flat().filter((layer) => !layer.endsWith('.ts'));
  assert.deepEqual(Object.keys(ENTRIES).sort(), [...folders].sort());
  for (const [folder, entries] of Object.entries(ENTRIES)) {
    for (const entry of entries) assert.ok(existsSync(join(ROOT, folder, entry)), `${folder}/${entry}`);
  }
});

test("another layer's module is imported only through its entry module", async () => {
  assert.deepEqual(
    await restrictions('src/cli/example.ts', "import { checkModel } from '../model/checked-model.js';"),
    [
      'Unexpected path "../model/checked-model.js" imported in restricted zone. from another layer, import src/model ' +
        'through index.ts (scripts/layers.mjs).',
    ],
  );
  assert.deepEqual(await restrictions('src/cli/example.ts', "import { checkModel } from '../model/index.js';"), []);
});

test('type imports, re-exports and import() of a deep path are refused alike', async () => {
  const message = (path: string) =>
    `Unexpected path "${path}" imported in restricted zone. from another layer, import src/runtime through ` +
    'index.ts or node/index.ts (scripts/layers.mjs).';
  const deep = '../runtime/node/worker/worker-messages.js';
  assert.deepEqual(await restrictions('src/serve/example.ts', `import type { WorkerSetup } from '${deep}';`), [
    message(deep),
  ]);
  assert.deepEqual(await restrictions('src/serve/example.ts', `export type { WorkerSetup } from '${deep}';`), [
    message(deep),
  ]);
  assert.deepEqual(await restrictions('src/serve/example.ts', `export const load = () => import('${deep}');`), [
    message(deep),
  ]);
  // The Node-only part has its own entry.
  assert.deepEqual(
    await restrictions('src/serve/example.ts', "import type { WorkerSetup } from '../runtime/node/index.js';"),
    [],
  );
});

test('inside a layer, files import each other by deep paths', async () => {
  assert.deepEqual(
    await restrictions(
      'src/model/example.ts',
      "import { checkModel } from './checked-model.js';\nexport { checkModel };",
    ),
    [],
  );
  assert.deepEqual(
    await restrictions('src/train/loop/example.ts', "import { buildTrainingArtifacts } from '../artifacts.js';"),
    [],
  );
});

test("train's surface to the layers above is internal.ts, not the public nin-sdk/train", async () => {
  assert.deepEqual(
    await restrictions('src/cli/example.ts', "import { buildTrainingArtifacts } from '../train/index.js';"),
    [
      'Unexpected path "../train/index.js" imported in restricted zone. from another layer, import src/train ' +
        'through internal.ts or node/index.ts (scripts/layers.mjs).',
    ],
  );
  assert.deepEqual(
    await restrictions('src/cli/example.ts', "import { buildTrainingArtifacts } from '../train/internal.js';"),
    [],
  );
});
