/**
 * What scripts/api.ts checks of the TSDoc in API Extractor's doc model (*.api.json): every name an entry exports is
 * documented (an `@example`; for a function, `@param` for each parameter and `@returns`), and every `@example`'s
 * fenced TypeScript compiles against the built package, imported by its public specifiers ('nin-sdk', 'nin-sdk/web'
 * …, which the package's `exports` resolve to dist/ from inside the repository).
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/** The part of an API Extractor doc model item that the checks read. */
interface ModelItem {
  readonly kind: string;
  readonly name?: string;
  readonly docComment?: string;
  readonly parameters?: readonly { readonly parameterName: string }[];
  readonly returnTypeTokenRange?: { readonly startIndex: number; readonly endIndex: number };
  readonly excerptTokens?: readonly { readonly text: string }[];
  readonly members?: readonly ModelItem[];
}

/** An entry's doc model: the package, holding one entry point, holding the exported items. */
export interface EntryModel {
  readonly specifier: string;
  readonly model: ModelItem;
}

export function readEntryModel(specifier: string, file: string): EntryModel {
  return { specifier, model: JSON.parse(readFileSync(file, 'utf8')) as ModelItem };
}

/** `<specifier>: <name> lacks …` for each exported name whose TSDoc is missing a part. */
export function undocumentedNames(entries: readonly EntryModel[]): string[] {
  const problems: string[] = [];
  for (const { specifier, model } of entries) {
    for (const item of exportedItems(model)) {
      const missing = missingTags(item);
      if (missing.length > 0) problems.push(`${specifier}: ${item.name} lacks ${missing.join(', ')}`);
    }
  }
  return problems;
}

function exportedItems(model: ModelItem): ModelItem[] {
  return (model.members ?? []).flatMap((entryPoint) => entryPoint.members ?? []);
}

function missingTags(item: ModelItem): string[] {
  const doc = item.docComment ?? '';
  if (doc.trim() === '') return ['TSDoc'];
  const missing: string[] = [];
  if (!/@example\b/.test(doc)) missing.push('@example');
  if (item.kind === 'Function') {
    for (const { parameterName } of item.parameters ?? [])
      if (!new RegExp(`@param ${parameterName}\\b`).test(doc)) missing.push(`@param ${parameterName}`);
    if (!returnsVoid(item) && !/@returns\b/.test(doc)) missing.push('@returns');
  }
  return missing;
}

function returnsVoid(item: ModelItem): boolean {
  const range = item.returnTypeTokenRange;
  if (range === undefined || item.excerptTokens === undefined) return false;
  const text = item.excerptTokens
    .slice(range.startIndex, range.endIndex)
    .map((token) => token.text)
    .join('')
    .trim();
  return text === 'void';
}

/** Each fenced ```ts block of an `@example`, with the item it documents. */
export function examplesOf(entries: readonly EntryModel[]): { readonly where: string; readonly code: string }[] {
  const examples: { where: string; code: string }[] = [];
  const visit = (specifier: string, item: ModelItem, path: string) => {
    const name = path === '' ? (item.name ?? '') : `${path}.${item.name ?? ''}`;
    for (const section of (item.docComment ?? '').split(/@example\b/).slice(1)) {
      const text = section.split(/\n\s*\*\s*@(?!example)\w+/)[0]!.replace(/^\s*\* ?/gm, '');
      for (const match of text.matchAll(/```(?:ts|typescript)\n([\s\S]*?)```/g))
        examples.push({ where: `${specifier}: ${name}`, code: match[1]! });
    }
    for (const member of item.members ?? []) visit(specifier, member, item.kind === 'EntryPoint' ? '' : name);
  };
  for (const { specifier, model } of entries) for (const member of model.members ?? []) visit(specifier, member, '');
  // One example may document a name that two entries export (nin-sdk and nin-sdk/common): check it once.
  const seen = new Set<string>();
  return examples.filter(({ code }) => !seen.has(code) && seen.add(code) !== undefined);
}

/**
 * Type-checks each example as a module of its own in `folder` (inside the repository, so that 'nin-sdk' resolves to
 * this package) with the project's strictness; `<where>: <compiler error>` for each failure.
 */
export function exampleErrors(
  examples: readonly { readonly where: string; readonly code: string }[],
  folder: string,
  root: string,
): string[] {
  rmSync(folder, { recursive: true, force: true });
  mkdirSync(folder, { recursive: true });
  const files = examples.map(({ code }, i) => {
    const file = `example-${i}.ts`;
    // `export {}` keeps each a module even when it imports nothing, so that top-level await and names stay its own.
    writeFileSync(join(folder, file), `${code}\nexport {};\n`);
    return file;
  });
  writeFileSync(
    join(folder, 'tsconfig.json'),
    JSON.stringify({
      compilerOptions: {
        target: 'ES2022',
        module: 'NodeNext',
        moduleResolution: 'NodeNext',
        lib: ['ES2022', 'DOM'],
        types: ['node'],
        typeRoots: [join(root, 'node_modules', '@types')],
        strict: true,
        noUncheckedIndexedAccess: true,
        skipLibCheck: true,
        noEmit: true,
        noUnusedLocals: false,
      },
      files,
    }),
  );
  const tsc = spawnSync(process.execPath, [join(root, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', folder], {
    encoding: 'utf8',
  });
  if (tsc.status === 0) return [];
  const problems = tsc.stdout
    .split('\n')
    .map((line) => /example-(\d+)\.ts(\(.*)$/.exec(line))
    .filter((match) => match !== null)
    .map((match) => `${examples[Number(match[1])]!.where}: example${match[2]}`);
  // A failure that names no example (a broken configuration) is reported whole rather than passed over.
  return problems.length > 0 ? problems : [`the examples' type check failed: ${tsc.stdout}${tsc.stderr}`.trim()];
}
