#!/usr/bin/env node
/**
 * docs/testing.md's list of test files, by tier, from scripts/test-tiers.mjs: `npm run docs:testing` rewrites it;
 * test/docs/testing-doc.test.ts fails when the committed list is stale. The prose above the marker is hand-written
 * and kept as it is. Each file is described by the first sentence of its header comment, else by the titles of its
 * top-level describe() blocks, else by its first test's title.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { allTestFiles, isE2e, ROOT } from './test-tiers.mjs';

export const TESTING_DOC = join(ROOT, 'docs', 'testing.md');
export const MARKER =
  '<!-- Generated from here on by `npm run docs:testing` (scripts/testing-doc.mjs): do not edit. -->';

/** docs/testing.md as it should be: its prose as committed, then the generated list. */
export function testingDoc(current = readFileSync(TESTING_DOC, 'utf8')) {
  const at = current.indexOf(MARKER);
  const prose = (at === -1 ? current : current.slice(0, at)).trimEnd();
  const files = allTestFiles();
  const unit = files.filter((file) => !isE2e(file));
  const e2e = files.filter((file) => isE2e(file));
  return [
    prose,
    '',
    MARKER,
    '',
    '## The files of each tier',
    '',
    `${files.length} files: ${unit.length} in \`npm test\` (unit), ${e2e.length} in \`npm run test:e2e\`.`,
    '',
    ...section('`npm test` (unit)', unit),
    ...section('`npm run test:e2e`', e2e),
  ].join('\n');
}

function section(title, files) {
  return [
    `### ${title}`,
    '',
    '| file | what it tests |',
    '| --- | --- |',
    ...files.map((file) => `| \`${file}\` | ${describeFile(file).replaceAll('|', '\\|')} |`),
    '',
  ];
}

/** One line for a test file, from its own words. */
export function describeFile(file) {
  const source = readFileSync(join(ROOT, file), 'utf8');
  const header = /^(?:#![^\n]*\n)?\s*\/\*\*([\s\S]*?)\*\//.exec(source);
  if (header !== null) {
    const text = header[1]
      .split('\n')
      .map((line) => line.replace(/^\s*\* ?/, '').trim())
      .join(' ')
      .replace(/\s+/g, ' ')
      .trim();
    return firstSentence(text);
  }
  const titles = [...source.matchAll(/^describe\(\s*(['"`])((?:(?!\1).)*)\1/gm)].map((m) => m[2]);
  if (titles.length > 0) return titles.join('; ');
  const first = /^\s*(?:test|it)\(\s*(['"`])((?:(?!\1).)*)\1/m.exec(source);
  return first === null ? '' : first[2];
}

function firstSentence(text) {
  // A sentence ends at '. ' before a capital or a backquote; abbreviations ('e.g. x') and paths ('a.ts') do not end one.
  const end = /\.\s+(?=[A-Z`(])/.exec(text);
  return end === null ? text.replace(/\.$/, '') : text.slice(0, end.index);
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const before = readFileSync(TESTING_DOC, 'utf8');
  const after = testingDoc(before);
  if (after !== before) writeFileSync(TESTING_DOC, after);
  console.log(after === before ? 'docs/testing.md is up to date' : 'wrote docs/testing.md');
}
