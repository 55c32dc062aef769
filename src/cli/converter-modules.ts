/**
 * The converter proper (pickle, zip, graph, ONNX writer) as nin-convert uses it: imported only with import(), so
 * that `nin-convert --help` and usage errors answer at once and a conversion loads these modules while the
 * checkpoint is read. Nothing may import this module statically: scripts/bundle-cli.ts bundles it alone, so it holds
 * its own copy of every module it reaches. Whatever is handed to the converter comes from here too: the registry
 * entry that --arch names or --preprocessing's preset (the converter knows its registry entries by identity), not
 * from the eager side's copy of the registry.
 */
export {
  adoptOnnxClassifier,
  ArchitectureError,
  convertCheckpoint,
  describeRemedy,
  usedArchitectureJson,
} from '../convert/index.js';
export { readArchitecture, readPreprocessing } from './reading-options.js';
