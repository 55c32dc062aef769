/** How far the two pipelines agree, from their `<file>  <label> <p>%  …` lines on the same images. */
export interface Top1Agreement {
  readonly images: number;
  /** Images whose most probable class is the same in both. */
  readonly sameTop1: number;
  /** Largest difference of the top-1 probability where the classes agree, in percentage points (printed to 0.1). */
  readonly maxTop1PointsDifference: number;
}

interface Top1 {
  readonly label: string;
  readonly percent: number;
}

export function compareTop1(sdkStdout: string, torchStdout: string): Top1Agreement {
  const sdk = parsePredictLines(sdkStdout);
  const torch = parsePredictLines(torchStdout);
  const missing = [...sdk.keys()].filter((file) => !torch.has(file));
  if (missing.length > 0 || sdk.size !== torch.size) {
    throw new Error(
      `the two pipelines classified different files (nin-sdk ${sdk.size}, python ${torch.size}; e.g. ${missing[0] ?? 'a file only python printed'})`,
    );
  }
  let sameTop1 = 0;
  let maxTop1PointsDifference = 0;
  for (const [file, ours] of sdk) {
    const theirs = torch.get(file)!;
    if (ours.label !== theirs.label) continue;
    sameTop1++;
    maxTop1PointsDifference = Math.max(maxTop1PointsDifference, Math.abs(ours.percent - theirs.percent));
  }
  return { images: sdk.size, sameTop1, maxTop1PointsDifference };
}

/** file → top-1 class; fields are separated by two spaces in both pipelines' output. */
function parsePredictLines(stdout: string): Map<string, Top1> {
  const top1 = new Map<string, Top1>();
  for (const line of stdout.split('\n')) {
    if (line.trim() === '') continue;
    const [file, first] = line.split('  ');
    const match = first === undefined ? null : /^(.+) (\d+(?:\.\d+)?)%$/.exec(first);
    if (file === undefined || match === null) throw new Error(`not a predict line: ${line}`);
    top1.set(file, { label: match[1]!, percent: Number(match[2]) });
  }
  return top1;
}
