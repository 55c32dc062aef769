import { readdirSync, readFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { join } from 'node:path';

const CPU_SYSFS = '/sys/devices/system/cpu';

/**
 * Physical cores of this machine (Linux sysfs; elsewhere, or if sysfs cannot be read, the logical CPUs this
 * process may use). The intra-op thread count nin-sdk gives ONNX Runtime on Node, and PyTorch in the benchmarks.
 */
export function physicalCoreCount(): number {
  coreCount ??= countPhysicalCores();
  return coreCount;
}

/** Read once per process: sysfs has a few files per logical CPU, and the topology does not change under us. */
let coreCount: number | undefined;

function countPhysicalCores(): number {
  try {
    const cores = new Set<string>();
    for (const cpu of readdirSync(CPU_SYSFS).filter((name) => /^cpu\d+$/.test(name))) {
      const topology = join(CPU_SYSFS, cpu, 'topology');
      const read = (file: string): string => readFileSync(join(topology, file), 'utf8').trim();
      cores.add(`${read('physical_package_id')}:${read('core_id')}`);
    }
    if (cores.size > 0) return Math.min(cores.size, availableParallelism());
  } catch {
    // No sysfs topology (not Linux, or a sandbox): fall through.
  }
  return availableParallelism();
}

/**
 * Intra-op threads for a Node session: the caller's count, else one per physical core. ONNX Runtime's own
 * default is not that everywhere: on a 2-core cloud VM (AMD EPYC, sysfs showing 2 cores of 1 thread) its
 * cpuinfo-based count gave a pool of 1, so every run used one core of two.
 */
export function intraOpThreads(requested?: number): number {
  return requested ?? physicalCoreCount();
}
