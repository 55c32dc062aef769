import { readRegularFile } from '../io/index.js';
import { UsageError } from './errors.js';

/** Class names from a text file, one per line; blank lines at the end are ignored, blank lines inside are not. */
export async function readLabelsFile(path: string): Promise<string[]> {
  const lines = (await readRegularFile(path)).toString('utf8').replace(/\r\n/g, '\n').replace(/\n+$/, '').split('\n');
  const blank = lines.findIndex((line) => line.trim() === '');
  if (lines.length === 0 || blank !== -1) {
    throw new UsageError(`labels file ${path} has an empty line at line ${blank + 1}: one class name per line`);
  }
  return lines.map((line) => line.trim());
}
