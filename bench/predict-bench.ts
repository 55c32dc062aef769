import { compareTop1, type Top1Agreement } from './predict-agreement.js';
import { runSdkPredict, runTorchPredict } from './predict-commands.js';
import type { ChildRun } from './run-child.js';

export interface PredictComparison {
  /** Images each run classifies. */
  readonly images: number;
  /** Spawn to exit of each timed run, stdout to /dev/null. */
  readonly sdkWallMs: readonly number[];
  readonly torchWallMs: readonly number[];
  /** The extra command timed in the same turns, if one was given (a bare `node -e 0` for the cold start). */
  readonly baselineWallMs: readonly number[];
  /** From the untimed first run of each, whose lines were kept. */
  readonly agreement: Top1Agreement;
}

/**
 * `nin-sdk predict <paths>` against bench/torch_predict.py on the same paths, each a fresh process. One untimed
 * run of each first (it checks that both give the same answers, and puts the files and both runtimes in the page
 * cache: what is measured is a fresh process, not a cold disk); then `repetitions` timed runs of each, in
 * alternating order, so that the machine's load falls on both alike.
 */
export async function comparePredict(
  paths: readonly string[],
  repetitions: number,
  torchThreads: number,
  baseline?: () => Promise<ChildRun>,
): Promise<PredictComparison> {
  const sdkCheck = await runSdkPredict(paths, 'capture');
  const torchCheck = await runTorchPredict(paths, torchThreads, 'capture');
  const agreement = compareTop1(sdkCheck.stdout, torchCheck.stdout);

  const sdkWallMs: number[] = [];
  const torchWallMs: number[] = [];
  const timeSdk = async (): Promise<void> => void sdkWallMs.push((await runSdkPredict(paths, 'discard')).wallMs);
  const timeTorch = async (): Promise<void> =>
    void torchWallMs.push((await runTorchPredict(paths, torchThreads, 'discard')).wallMs);
  const baselineWallMs: number[] = [];
  const timeBaseline = async (): Promise<void> => {
    if (baseline !== undefined) baselineWallMs.push((await baseline()).wallMs);
  };
  for (let rep = 0; rep < repetitions; rep++) {
    for (const run of rep % 2 === 0 ? [timeSdk, timeBaseline, timeTorch] : [timeTorch, timeBaseline, timeSdk])
      await run();
  }
  return { images: agreement.images, sdkWallMs, torchWallMs, baselineWallMs, agreement };
}
