import type { ModelProto } from 'onnx-buf';
import { findExternalData } from './external-data.js';
import { ModelError } from './model-error.js';

/**
 * Refuses an ONNX model whose tensors refer to external data. ONNX Runtime reads external data from the file a
 * model names, relative to the working directory when the model comes as bytes (as every nin-sdk session does):
 * a hostile model could pull `./.ssh/id_rsa` or `/etc/shadow` into its weights and have them printed as scores.
 * NIN models are far below protobuf's 2 GB limit, nin-convert and nin-sdk train never write external data, and no
 * folder check can be kept safe against a file swapped after the check, so external data is refused altogether,
 * for models given as bytes and as paths alike. Checks the decoded model, whose canonical encoding is what ONNX
 * Runtime gets (checked-model.ts).
 */
export function checkSelfContained(model: ModelProto, source: string): void {
  let references;
  try {
    references = findExternalData(model);
  } catch (error) {
    throw new ModelError(`${source} cannot be loaded: ${(error as Error).message}`);
  }
  const first = references[0];
  if (first === undefined) return;
  const tensor = first.tensor === '' ? 'a tensor' : `tensor ${JSON.stringify(first.tensor)}`;
  const more = references.length > 1 ? ` and ${references.length - 1} more` : '';
  throw new ModelError(
    `${source} refers to external data (${tensor} in ${JSON.stringify(first.location)}${more}); ` +
      'nin-sdk loads only self-contained models, with every weight inside the .onnx file',
  );
}
