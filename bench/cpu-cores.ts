import { readdirSync, readFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { join } from 'node:path';

const CPU_SYSFS = '/sys/devices/system/cpu';

/**
 * Physical cores: the size of ONNX Runtime's default intra-op thread pool (its cpuinfo counts cores, not SMT
 * siblings), and so the thread count PyTorch is given to compare like with like. Linux sysfs; elsewhere, or if
 * sysfs cannot be read, the logical CPUs this process may use.
 */
export function physicalCoreCount(): number {
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
