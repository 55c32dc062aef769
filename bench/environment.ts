import { cpus } from 'node:os';
import * as ort from 'onnxruntime-node';

export interface BenchEnvironment {
  readonly cpuModel: string;
  readonly cpuCount: number;
  /** 1-minute load average before the bench started: above ~0 means other work shared the CPUs. */
  readonly loadAverageAtStart: number;
  readonly node: string;
  readonly onnxruntimeNode: string;
  readonly torch: string;
}

export function describeEnvironment(loadAverageAtStart: number, torchVersion: string): BenchEnvironment {
  const cores = cpus();
  return {
    cpuModel: cores[0]?.model ?? 'unknown',
    cpuCount: cores.length,
    loadAverageAtStart,
    node: process.version,
    onnxruntimeNode: ort.env.versions.node ?? 'unknown',
    torch: torchVersion,
  };
}
