/**
 * The io layer's entry (Node-only as a whole): regular-file reads that refuse what is not a regular file, atomic
 * writes, SHA-256, the CPU core count, URL refusal, the runtime directory. The layers above import io through here.
 */
export { intraOpThreads, physicalCoreCount } from './cpu-cores.js';
export { openRegularFile, readProblem, readRegularFile, readRegularFileSync } from './read-regular-file.js';
export { ensurePrivateRuntimeDir, prepareWebGpuEnvironment } from './runtime-dir.js';
export { sha256Hex } from './sha256.js';
export { describeUrlInput } from './url-input.js';
export { checkOutputPath, writeFileAtomic } from './write-atomic.js';
