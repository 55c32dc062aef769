/**
 * `nin-sdk/train` exports the core only: building artifacts, running a session, checkpoints, the NIN and
 * fine-tuning callers, exports. Everything else (autodiff rules, optimizer graphs, the loop) is imported by path.
 */
import assert from 'node:assert/strict';
import { it } from 'node:test';
import * as train from '../../src/train/index.js';

it('nin-sdk/train exports exactly its core values', () => {
  assert.deepEqual(Object.keys(train).sort(), [
    'NIN_CIFAR10',
    'NIN_IMAGENET',
    'TrainingSession',
    'architectureFromWidths',
    'buildTrainingArtifacts',
    'decodeTrainingCheckpoint',
    'dropoutLayers',
    'encodeTrainingCheckpoint',
    'exportInferenceOnnx',
    'exportPytorchCheckpoint',
    'exportTrainedOnnx',
    'fineTuneForwardModel',
    'fineTuneStart',
    'initialCheckpoint',
    'initialModelCheckpoint',
    'initialParameters',
    'ninForwardModel',
    'readTrainingStart',
    'recipeOptimizer',
    'softmaxCrossEntropyLoss',
    'withNewClassifier',
  ]);
});
