/**
 * What would make a refused checkpoint convert: name its family, or give as many labels as it has classes. Kept
 * apart from the message so that each front end says it in its own words (a flag for nin-convert, an option for
 * the API, something else for a web page, which has neither).
 *
 * @example
 * ```ts
 * import { ArchitectureError, convertCheckpoint } from 'nin-sdk';
 * declare const bytes: Uint8Array;
 * try {
 *   await convertCheckpoint(bytes);
 * } catch (error) {
 *   if (error instanceof ArchitectureError && error.remedy?.option === 'labels') console.log(`needs ${error.remedy.count} labels`);
 * }
 * ```
 */
export type ArchitectureRemedy =
  | { readonly option: 'family'; readonly choices: readonly string[] }
  | { readonly option: 'labels'; readonly count: number };

/**
 * A checkpoint that reads fine but is not a Network-in-Network model the converter knows.
 *
 * @example
 * ```ts
 * import { ArchitectureError, convertCheckpoint } from 'nin-sdk';
 * declare const bytes: Uint8Array;
 * try {
 *   await convertCheckpoint(bytes);
 * } catch (error) {
 *   if (error instanceof ArchitectureError) console.error(error.detail, error.remedy);
 * }
 * ```
 */
export class ArchitectureError extends Error {
  override readonly name = 'ArchitectureError';

  /** `detail`: what is wrong, without the remedy; the message adds the remedy in the API's words. */
  constructor(
    readonly detail: string,
    readonly remedy?: ArchitectureRemedy,
  ) {
    super(remedy === undefined ? detail : detail + describeRemedy(remedy, 'api'));
  }
}

/** The remedy as a sentence ending the detail, for the API (options) or nin-convert (flags). */
export function describeRemedy(remedy: ArchitectureRemedy, words: 'api' | 'cli'): string {
  if (remedy.option === 'family') {
    return words === 'cli'
      ? `. If the keys were renamed, name the family with --family ${remedy.choices.join('|')}`
      : `. If the keys were renamed, name the family in the family option: ${remedy.choices.map((c) => `'${c}'`).join(' or ')}`;
  }
  return words === 'cli'
    ? `; pass ${remedy.count} labels with --labels`
    : `; pass ${remedy.count} labels in the labels option`;
}
