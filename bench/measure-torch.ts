import { PYTHON, TORCH_EXPORT_SCRIPT } from './paths.js';
import { runChild } from './run-child.js';

/** What bench/torch_export.py prints: its own phase times and peak RSS. */
export interface TorchReport {
  readonly torchVersion: string;
  readonly importSeconds: number;
  readonly peakRssKib: number;
}

export interface TorchExportReport extends TorchReport {
  readonly loadSeconds: number;
  readonly buildSeconds: number;
  readonly exportSeconds: number;
}

export interface TorchSample<R extends TorchReport> {
  readonly wallMs: number;
  readonly report: R;
}

/** torch.load + nn.Module + torch.onnx.export (opset 17, dynamic batch) in a fresh python process. */
export async function measureTorchExport(
  checkpointPath: string,
  onnxPath: string,
): Promise<TorchSample<TorchExportReport>> {
  const { wallMs, stdout } = await runChild(PYTHON, [TORCH_EXPORT_SCRIPT, checkpointPath, onnxPath]);
  return { wallMs, report: parseLastLine<TorchExportReport>(stdout) };
}

/** Only `import torch`: the interpreter's baseline, as measureEmptyNode is Node's. */
export async function measureTorchImport(): Promise<TorchSample<TorchReport>> {
  const { wallMs, stdout } = await runChild(PYTHON, [TORCH_EXPORT_SCRIPT, '--import-only']);
  return { wallMs, report: parseLastLine<TorchReport>(stdout) };
}

/** torch.onnx.export may print warnings first; the script's report is always its last line. */
function parseLastLine<R>(stdout: string): R {
  const lines = stdout.trim().split('\n');
  return JSON.parse(lines[lines.length - 1] ?? '') as R;
}
