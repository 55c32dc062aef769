/**
 * Child process: `node dist/bench/memory-stages.js <checkpoint>` runs the stages of convertCheckpoint one by one,
 * in its order, and prints as JSON the peak RSS (high-water mark) after each and the time each took: which stage
 * raises the peak, and where the conversion's time goes.
 * It mirrors src/convert/convert.ts; if that changes its stages, change this too.
 */
import { readFileSync } from 'node:fs';
import { readCheckpoint } from '../src/formats/pth/index.js';
import { buildArchitectureGraph, recognizeArchitecture } from '../src/convert/index.js';
import { writeOnnx } from '../src/graph/index.js';

export interface StageMark {
  readonly stage: string;
  /** process.resourceUsage().maxRSS after the stage, in KiB. */
  readonly peakRssKib: number;
  /** Bytes held in ArrayBuffers after the stage: tensors, file and output bytes. */
  readonly arrayBufferBytes: number;
  /** Wall time of the stage; for 'modules loaded', since the process started. */
  readonly milliseconds: number;
}

export interface StageBreakdown {
  readonly checkpoint: string;
  readonly marks: readonly StageMark[];
}

async function main(checkpointPath: string): Promise<void> {
  const marks: StageMark[] = [];
  // Each value a stage returns is kept alive to the end, as convertCheckpoint keeps it.
  let stageStart = 0;
  const mark = (stage: string): void => {
    const now = performance.now();
    marks.push({
      stage,
      peakRssKib: process.resourceUsage().maxRSS,
      arrayBufferBytes: process.memoryUsage().arrayBuffers,
      milliseconds: now - stageStart,
    });
    stageStart = performance.now();
  };

  mark('modules loaded');
  const bytes = readFileSync(checkpointPath);
  mark('file read');
  const checkpoint = readCheckpoint(bytes);
  mark('readCheckpoint');
  const graph = buildArchitectureGraph(recognizeArchitecture(checkpoint.tensors), checkpoint.tensors);
  mark('recognise + build graph');
  const digest = await globalThis.crypto.subtle.digest('SHA-256', bytes);
  mark('SHA-256 (WebCrypto)');
  const onnx = writeOnnx(graph);
  mark('writeOnnx');
  if (digest.byteLength === 0 || onnx.byteLength === 0) throw new Error('empty digest or model');
  console.log(JSON.stringify(marks));
}

const checkpointPath = process.argv[2];
if (checkpointPath === undefined) throw new Error('usage: memory-stages.js <checkpoint>');
await main(checkpointPath);
