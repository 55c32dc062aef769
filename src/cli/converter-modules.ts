/**
 * The converter proper (pickle, zip, graph, ONNX writer) as nin-convert uses it: imported only with import(), so
 * that `nin-convert --help` and usage errors answer at once and a conversion loads these modules while the
 * checkpoint is read. Nothing may import this module statically: esbuild then bundles it as a chunk of its own.
 */
export {
  adoptOnnxClassifier,
  ArchitectureError,
  convertCheckpoint,
  describeRemedy,
  usedArchitectureJson,
} from '../convert/index.js';
