/**
 * Preloaded into a child node process (`node --import process-probe.js …`): when the process exits it writes
 * its peak RSS and its timings to the file named by NIN_BENCH_PROBE_FILE. This measures the real nin-convert CLI,
 * unchanged, with no dependency on /usr/bin/time.
 */
import { writeFileSync } from 'node:fs';

export interface ProbeReport {
  /** process.resourceUsage().maxRSS: the high-water mark of resident memory, in KiB. */
  readonly peakRssKib: number;
  /** Milliseconds from process start until this probe ran, i.e. Node's own bootstrap. */
  readonly bootstrappedAtMs: number;
  /** Milliseconds from process start until exit. */
  readonly exitAtMs: number;
}

export const PROBE_FILE_VARIABLE = 'NIN_BENCH_PROBE_FILE';

const reportPath = process.env[PROBE_FILE_VARIABLE];
const bootstrappedAtMs = performance.now();
if (reportPath !== undefined) {
  process.on('exit', () => {
    const report: ProbeReport = {
      peakRssKib: process.resourceUsage().maxRSS,
      bootstrappedAtMs,
      exitAtMs: performance.now(),
    };
    writeFileSync(reportPath, JSON.stringify(report));
  });
}
