/**
 * Structure-aware fuzzing of readCheckpoint. Each seed's
 * cases run in a child process (test/pth/fuzz/worker.ts) with a bounded heap
 * and a time limit; every case is read from a view inside a larger buffer of
 * canary bytes. A case passes when it ends in a one-line CheckpointError (of
 * the expected code, when the mutation determines it) or in a valid
 * checkpoint whose tensors hold no byte from outside the view; a crash, an
 * out-of-memory, a hang, another exception, or more than 64 MB of array
 * buffers fails the test, naming the case.
 *
 * Reproduce a finding with its seed, PRNG seed and case number:
 *   node --import tsx --max-old-space-size=256 test/pth/fuzz/worker.ts <seed> <prng seed> <case + 1>
 * and raise PTH_FUZZ_CASES (and vary PTH_FUZZ_SEED) for a longer hunt.
 *
 * Which guard each class of finding depends on is in docs/security-testing.md:
 * with any one of them removed, this test fails.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { dirname, join } from 'node:path';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { readCheckpoint } from '../../src/formats/pth/index.js';
import { fuzzSeeds } from './fuzz/seeds.js';

const WORKER = join(dirname(fileURLToPath(import.meta.url)), 'fuzz/worker.ts');
const CASES_PER_SEED = Number(process.env.PTH_FUZZ_CASES ?? 300);
const PRNG_SEED_BASE = Number(process.env.PTH_FUZZ_SEED ?? 0x5eed0000);
/** The heap a worker gets: far above what any case needs (a few MB), far below what a blow-up takes. */
const WORKER_HEAP_MB = 256;
/** Per seed: generous, for a loaded machine; a hang is caught here. */
const WORKER_TIMEOUT_MS = 60_000 + CASES_PER_SEED * 400;

interface WorkerResult {
  readonly exitCode: number | null;
  readonly signal: NodeJS.Signals | null;
  readonly timedOut: boolean;
  readonly lastStarted: number;
  readonly lastDescription: string;
  readonly findings: ReadonlyArray<{ readonly case: number; readonly description: string; readonly finding: string }>;
  readonly summary?: {
    readonly summary: { valid: number; refused: number; findings: number };
    readonly codes: Record<string, number>;
  };
  readonly stderr: string;
}

function runWorker(seed: string, prngSeed: number, cases: number): Promise<WorkerResult> {
  return new Promise((resolve) => {
    const child = spawn(
      process.execPath,
      ['--import', 'tsx', `--max-old-space-size=${WORKER_HEAP_MB}`, WORKER, seed, String(prngSeed), String(cases)],
      {
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    let stdout = '';
    let stderr = '';
    let timedOut = false;
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const timer = setTimeout(() => {
      timedOut = true;
      child.kill('SIGKILL');
    }, WORKER_TIMEOUT_MS);
    child.on('close', (exitCode, signal) => {
      clearTimeout(timer);
      let lastStarted = -1;
      let lastDescription = '';
      const findings: WorkerResult['findings'][number][] = [];
      let summary: WorkerResult['summary'];
      for (const line of stdout.split('\n')) {
        if (line.startsWith('start ')) {
          const [, number, description] = /^start (\d+) (.*)$/.exec(line) ?? [];
          lastStarted = Number(number);
          lastDescription = description ?? '';
        } else if (line.startsWith('{')) {
          const parsed = JSON.parse(line) as WorkerResult['findings'][number] | NonNullable<WorkerResult['summary']>;
          if ('finding' in parsed) findings.push(parsed);
          else summary = parsed;
        }
      }
      resolve({
        exitCode,
        signal,
        timedOut,
        lastStarted,
        lastDescription,
        findings,
        summary,
        stderr: stderr.slice(-2000),
      });
    });
  });
}

describe('fuzzing readCheckpoint, structure-aware, one child process per seed', () => {
  const seeds = fuzzSeeds();

  it('every seed reads as it is', () => {
    for (const bytes of Object.values(seeds)) assert.ok(readCheckpoint(bytes).tensors.size > 0);
    assert.ok(Object.keys(seeds).length >= 6);
  });

  let seedNumber = 0;
  for (const [name, seed] of Object.entries(seeds)) {
    seedNumber++;
    const prngSeed = PRNG_SEED_BASE + seedNumber;
    it(
      `${CASES_PER_SEED} cases from ${name} (${seed.length} bytes): refused in one line or read without leaving the view`,
      { timeout: WORKER_TIMEOUT_MS + 10_000 },
      async (t) => {
        const result = await runWorker(name, prngSeed, CASES_PER_SEED);
        const reproduce = `node --import tsx --max-old-space-size=${WORKER_HEAP_MB} test/pth/fuzz/worker.ts ${name} ${prngSeed} ${result.lastStarted + 1}`;
        assert.ok(
          !result.timedOut,
          `case ${result.lastStarted} of ${name} (${result.lastDescription}) did not finish within the worker's ${WORKER_TIMEOUT_MS} ms (${reproduce})`,
        );
        assert.equal(
          result.exitCode,
          0,
          `the worker died in case ${result.lastStarted} of ${name}, ${result.lastDescription} (signal ${result.signal}): ${result.stderr} (${reproduce})`,
        );
        assert.deepEqual(
          result.findings.slice(0, 5),
          [],
          `${result.findings.length} findings in ${name} (prng seed ${prngSeed})`,
        );
        const summary = result.summary;
        assert.ok(summary !== undefined, 'no summary from the worker');
        t.diagnostic(JSON.stringify(summary));
        // Both outcomes must occur, and many kinds of refusal, or the mutations are not reaching the parsers.
        assert.ok(
          summary.summary.valid > CASES_PER_SEED / 20 && summary.summary.refused > CASES_PER_SEED / 2,
          JSON.stringify(summary.summary),
        );
        assert.ok(Object.keys(summary.codes).length >= 6, JSON.stringify(summary.codes));
      },
    );
  }
});
