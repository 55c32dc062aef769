// Preloaded with `node --import <this file>` (plain JavaScript: it must run without tsx): appends to the file named
// by NIN_RECORD_LOADS the URL of every ES module the process loads, and at exit every CommonJS file it required.
import { appendFileSync } from 'node:fs';
import { createRequire, register } from 'node:module';

const log = process.env.NIN_RECORD_LOADS;
if (log) {
  register(new URL('./record-loads-hooks.mjs', import.meta.url), { data: { log } });
  const cache = createRequire(import.meta.url).cache;
  process.on('exit', () =>
    appendFileSync(
      log,
      Object.keys(cache)
        .map((path) => `file://${path}\n`)
        .join(''),
    ),
  );
}
