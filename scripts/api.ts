/**
 * The public API's report and reference, from the built declarations (run `npm run build` first):
 *   node --import tsx scripts/api.ts           `npm run api`: rewrite docs/api-report/*.api.md and docs/api/
 *   node --import tsx scripts/api.ts --check   exit 1, naming the entries, when the surface differs from the
 *                                              committed reports (test/api/api-report.test.ts runs it in `npm test`)
 *   --entry <specifier>   only that entry (e.g. nin-sdk/web); --reports <folder>   compare with the reports there
 * API Extractor reads each package entry's .d.ts as a user's compiler would and writes what it exports, signature by
 * signature, so that every change to the surface is a visible diff in review; API Documenter turns the same model
 * into the Markdown reference.
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { fileURLToPath } from 'node:url';
import { Extractor, ExtractorConfig, ExtractorLogLevel, type IConfigFile } from '@microsoft/api-extractor';
import { examplesOf, exampleErrors, readEntryModel, undocumentedNames } from './api-docs-check.js';
import { PUBLIC_ENTRIES } from './public-entries.js';

const ROOT = join(fileURLToPath(import.meta.url), '..', '..');
const REPORT_FOLDER = join(ROOT, 'docs', 'api-report');
const REFERENCE_FOLDER = join(ROOT, 'docs', 'api');

const USAGE =
  'usage: node --import tsx scripts/api.ts [--check [--entry <specifier>] [--reports <folder>]]; entries: ' +
  PUBLIC_ENTRIES.map((entry) => entry.specifier).join(', ');
const values = (() => {
  try {
    return parseArgs({
      options: { check: { type: 'boolean' }, entry: { type: 'string' }, reports: { type: 'string' } },
    }).values;
  } catch (error) {
    console.error(`${(error as Error).message}\n${USAGE}`);
    process.exit(2);
  }
})();
const check = values.check === true;
const reportFolder = typeof values.reports === 'string' ? values.reports : REPORT_FOLDER;
const entries = PUBLIC_ENTRIES.filter((entry) => values.entry === undefined || entry.specifier === values.entry);
if (entries.length === 0 || (!check && (values.entry !== undefined || values.reports !== undefined))) {
  console.error(USAGE);
  process.exit(2);
}

// A check works in a folder of its own, so that it can run beside another.
const TEMP = check ? mkdtempSync(join(tmpdir(), 'nin-api-')) : join(ROOT, 'dist', 'api-extractor');
rmSync(TEMP, { recursive: true, force: true });
mkdirSync(reportFolder, { recursive: true });
const changed: string[] = [];
let failed = false;
for (const entry of entries) {
  const configObject: IConfigFile = {
    projectFolder: ROOT,
    mainEntryPointFilePath: join(ROOT, entry.declarations),
    compiler: { tsconfigFilePath: join(ROOT, 'tsconfig.json') },
    apiReport: {
      enabled: true,
      reportFileName: `${entry.reportName}.api.md`,
      reportFolder,
      reportTempFolder: join(TEMP, 'report'),
    },
    docModel: { enabled: true, apiJsonFilePath: join(TEMP, 'model', `${entry.reportName}.api.json`) },
    dtsRollup: { enabled: false },
    tsdocMetadata: { enabled: false },
    messages: {
      // Release tags (@public, @beta …) are not used here: everything an entry exports is public.
      extractorMessageReporting: {
        'ae-missing-release-tag': { logLevel: ExtractorLogLevel.None },
        default: { logLevel: ExtractorLogLevel.None, addToApiReportFile: true },
      },
      tsdocMessageReporting: { default: { logLevel: ExtractorLogLevel.None, addToApiReportFile: true } },
      compilerMessageReporting: { default: { logLevel: ExtractorLogLevel.Warning } },
    },
  };
  const config = ExtractorConfig.prepare({
    configObject,
    configObjectFullPath: undefined,
    packageJsonFullPath: join(ROOT, 'package.json'),
  });
  const result = Extractor.invoke(config, { localBuild: !check, showVerboseMessages: false });
  if (result.apiReportChanged) changed.push(`${entry.reportName}.api.md (${entry.specifier})`);
  if (result.errorCount > 0) failed = true;
}

// The TSDoc: every exported name documented, every example compiling against the built package.
const models = join(TEMP, 'model');
const entryModels = entries.map((entry) =>
  readEntryModel(entry.specifier, join(models, `${entry.reportName}.api.json`)),
);
const docProblems = [
  ...undocumentedNames(entryModels),
  ...exampleErrors(
    examplesOf(entryModels),
    join(ROOT, 'dist', check ? `doc-examples-${process.pid}` : 'doc-examples'),
    ROOT,
  ),
];
if (check) rmSync(join(ROOT, 'dist', `doc-examples-${process.pid}`), { recursive: true, force: true });
for (const problem of docProblems) console.error(problem);

if (check) {
  rmSync(TEMP, { recursive: true, force: true });
  if (changed.length > 0 || failed) {
    console.error(
      `The public API differs from its committed report: ${changed.join(', ') || 'see the errors above'}. ` +
        'If the change is meant, run `npm run api` and commit the reports and docs/api/.',
    );
  }
  if (docProblems.length > 0) console.error(`${docProblems.length} TSDoc problem(s) in the public API, listed above.`);
  process.exit(changed.length > 0 || failed || docProblems.length > 0 ? 1 : 0);
}

// The reference: one model per entry, named after its report (a package name must not hold the specifier's '/').
for (const entry of PUBLIC_ENTRIES) {
  const file = join(models, `${entry.reportName}.api.json`);
  const model = JSON.parse(readFileSync(file, 'utf8')) as { name: string; canonicalReference: string };
  model.name = entry.reportName;
  writeFileSync(file, JSON.stringify(model, null, 2));
}
rmSync(REFERENCE_FOLDER, { recursive: true, force: true });
mkdirSync(REFERENCE_FOLDER, { recursive: true });
const documenter = spawnSync(
  join(ROOT, 'node_modules', '.bin', 'api-documenter'),
  ['markdown', '--input-folder', models, '--output-folder', REFERENCE_FOLDER],
  { stdio: ['ignore', 'ignore', 'inherit'] },
);
if (documenter.status !== 0) process.exit(documenter.status ?? 1);
console.log(`wrote docs/api-report/ and docs/api/ (${changed.length} report(s) changed)`);
if (docProblems.length > 0) {
  console.error(`${docProblems.length} TSDoc problem(s) in the public API, listed above: \`npm test\` fails on them.`);
  process.exit(1);
}
