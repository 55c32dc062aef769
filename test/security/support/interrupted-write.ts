/**
 * Starts writing a large file atomically to argv[2] and, as soon as its temporary file appears, sends this very
 * process argv[3] (SIGINT or SIGTERM): an interruption in the middle of a write, as Ctrl-C or a kill would make it.
 */
import { readdirSync } from 'node:fs';
import { basename, dirname } from 'node:path';
import { writeFileAtomic } from '../../../src/io/write-atomic.js';

const [target, signal] = process.argv.slice(2) as [string, NodeJS.Signals];
const folder = dirname(target);
const prefix = `.${basename(target)}.`;
void writeFileAtomic(target, new Uint8Array(256 * 1024 * 1024).fill(1)).then(() => {
  console.log('written');
});
const poll = (): void => {
  if (readdirSync(folder).some((name) => name.startsWith(prefix))) process.kill(process.pid, signal);
  else setImmediate(poll);
};
poll();
