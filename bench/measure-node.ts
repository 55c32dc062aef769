import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { StageMark } from './memory-stages.js';
import { CONVERT_CLI, MEMORY_STAGES_SCRIPT, PROCESS_PROBE } from './paths.js';
import { PROBE_FILE_VARIABLE, type ProbeReport } from './process-probe.js';
import { runChild } from './run-child.js';

export interface NodeSample extends ProbeReport {
  readonly wallMs: number;
}

/** `nin-convert <checkpoint> <out>` in a fresh node process: the real CLI, as a user runs it. */
export function measureOurConversion(checkpointPath: string, onnxPath: string): Promise<NodeSample> {
  return runProbed([CONVERT_CLI, checkpointPath, onnxPath, '--quiet']);
}

/** An empty node process: the RSS and time that any node command costs before it does anything. */
export function measureEmptyNode(): Promise<NodeSample> {
  return runProbed(['-e', '0']);
}

/** `nin-convert --version`: the same CLI and modules (protobuf schema included) loaded, nothing converted. */
export function measureCliStartup(): Promise<NodeSample> {
  return runProbed([CONVERT_CLI, '--version']);
}

/** The stages of convertCheckpoint one by one in a fresh process, with the peak RSS after each. */
export async function measureMemoryStages(checkpointPath: string): Promise<StageMark[]> {
  const { stdout } = await runChild(process.execPath, [MEMORY_STAGES_SCRIPT, checkpointPath]);
  return JSON.parse(stdout) as StageMark[];
}

async function runProbed(args: readonly string[]): Promise<NodeSample> {
  const probeDir = mkdtempSync(join(tmpdir(), 'nin-bench-probe-'));
  const probeFile = join(probeDir, 'probe.json');
  try {
    const nodeArgs = ['--import', pathToFileURL(PROCESS_PROBE).href, ...args];
    const { wallMs } = await runChild(process.execPath, nodeArgs, {
      env: { ...process.env, [PROBE_FILE_VARIABLE]: probeFile },
    });
    const report = JSON.parse(readFileSync(probeFile, 'utf8')) as ProbeReport;
    return { wallMs, ...report };
  } finally {
    rmSync(probeDir, { recursive: true, force: true });
  }
}
