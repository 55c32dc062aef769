import { describeUrlInput } from '../io/index.js';
import { UsageError } from './errors.js';

/**
 * Refuses a URL given where a command reads files, in a shell user's words: the library's own refusal
 * (describeUrlInput) shows JavaScript, which is no help at a prompt. Images can be piped to `-` instead.
 */
export function refuseUrlOperands(paths: readonly (string | undefined)[], what: 'image' | 'model'): void {
  const url = paths.find((path) => path !== undefined && describeUrlInput(path, what) !== undefined);
  if (url === undefined) return;
  const remedy =
    what === 'image' ? `download it first, or pipe it in: curl -sL '${url}' | nin-sdk predict -` : 'download it first';
  throw new UsageError(`${url} is a URL: nin-sdk reads ${what}s from files; ${remedy}`);
}
