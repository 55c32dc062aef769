import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { ROOT } from '../support/fixtures.js';

/** The shell commands of the README's "The two commands" section, in order: set up and run, then test. */
function readmeCommands(): string[] {
  const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');
  const section = readme.split(/^## /m).find((part) => part.startsWith('The two commands'));
  assert.ok(section !== undefined, 'README.md has no "## The two commands" section');
  return [...section.matchAll(/```sh\n([\s\S]*?)```/g)].map((match) => match[1]!.trim());
}

/** Runs a README command as a user's shell would, in the clone, outside CI: nothing beside the clone is there. */
function runInClone(clone: string, command: string, timeoutMs: number): { status: number | null; output: string } {
  const env = { ...process.env };
  delete env['CI'];
  // Set by this test runner for its children: a nested `node --test` would then run no file and exit 0.
  delete env['NODE_TEST_CONTEXT'];
  const result = spawnSync('bash', ['-c', command], {
    cwd: clone,
    env,
    encoding: 'utf8',
    timeout: timeoutMs,
    maxBuffer: 64 * 1024 * 1024,
  });
  return { status: result.status, output: `${result.stdout}${result.stderr}` };
}

/**
 * A user's clone has no ../shared and none of what CI makes (the --large fixtures): the README's two commands must
 * pass there as written. The clone is of the committed HEAD, in a temporary folder with no siblings; the unit tier
 * that `npm test` runs holds no test of this kind, so the run does not recurse.
 */
describe("the README's two commands on a lone clone", { timeout: 20 * 60_000 }, () => {
  const parent = mkdtempSync(join(tmpdir(), 'nin-lone-'));
  const clone = join(parent, 'nin-sdk');
  after(() => rmSync(parent, { recursive: true, force: true }));

  it('sets up, classifies, and passes the tests with the data-bound ones skipped and saying why', () => {
    const cloned = spawnSync('git', ['clone', '-q', ROOT, clone], { encoding: 'utf8' });
    assert.equal(cloned.status, 0, cloned.stderr);
    assert.equal(existsSync(join(parent, 'shared')), false);

    const [setup, test, ...rest] = readmeCommands();
    assert.ok(setup !== undefined && test !== undefined && rest.length === 0, 'README: expected exactly two commands');

    const main = runInClone(clone, setup, 5 * 60_000);
    assert.equal(main.status, 0, main.output.slice(-4000));
    // The README's photo is fixtures/images/cifar10/cat-0000.jpg: the embedded model's top answer is "cat".
    assert.match(main.output, /cat-0000\.jpg {2}cat \d+\.\d%/);

    const tests = runInClone(clone, test, 15 * 60_000);
    assert.equal(tests.status, 0, tests.output.slice(-6000));
    // node --test writes TAP to a pipe.
    assert.match(tests.output, /^# fail 0$/m);
    const passed = Number(/^# pass (\d+)$/m.exec(tests.output)?.[1] ?? 0);
    assert.ok(passed > 500, `only ${passed} tests passed`);
    // What needs ../shared or the large fixtures is skipped with its reason, not failed and not silently passed.
    assert.match(tests.output, /# SKIP .*\.\.\/shared\/data\)/);
    assert.match(tests.output, /# SKIP fixtures\/generated-large is missing/);
  });
});
