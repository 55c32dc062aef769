import {
  CIFAR10_COPIED_STD_PREPROCESSING,
  CIFAR10_PREPROCESSING,
  IMAGENET_CAFFE_PREPROCESSING,
  type PreprocessSpec,
} from '../preprocess/index.js';
import type { ArchLayer, Architecture } from './architecture.js';
import { IMAGENET_LABELS } from './labels/imagenet.js';
import { CIFAR10_LABELS, CIFAR100_LABELS, FASHION_MNIST_LABELS, SVHN_LABELS } from './labels/small-sets.js';

/**
 * The known NIN implementations, as data: each entry is the model class of a public repository, read from its
 * source (see docs/architectures.md). Recognition matches a checkpoint's keys and shapes against every entry.
 */

// ---- small builders: names follow the PyTorch module paths ------------------------------------------------------

const conv = (name: string, kernel: number, stride = 1, padding = 0, bias = true): ArchLayer => ({
  kind: 'conv',
  name,
  kernel,
  stride,
  padding,
  bias,
});
const relu = (name: string): ArchLayer => ({ kind: 'relu', name });
const dropout = (name: string): ArchLayer => ({ kind: 'dropout', name, p: 0.5 });
const maxPool = (name: string, kernel: number, stride: number, padding: number, ceilMode: boolean): ArchLayer => ({
  kind: 'maxPool',
  name,
  kernel,
  stride,
  padding,
  ceilMode,
});
const avgPool = (name: string, kernel: number, stride: number, padding: number, ceilMode: boolean): ArchLayer => ({
  kind: 'avgPool',
  name,
  kernel,
  stride,
  padding,
  ceilMode,
  countIncludePad: true,
});
const batchNorm = (name: string): ArchLayer => ({ kind: 'batchNorm', name, eps: 1e-5, affine: true });

// ---- jiecaoyu/pytorch-nin-cifar10 and pytorch-nin: one nn.Sequential, its indices the layer names ----------------

/**
 * pytorch-nin-cifar10 (`original.py`): `self.classifier = nn.Sequential(...)`, keys classifier.{0,2,4,8,…,20}. The
 * CIFAR-10 NIN's layers, input (3 × 32 × 32), labels and preprocessing: the family a NIN is trained from scratch in.
 *
 * @example
 * ```ts
 * import { architectureFromWidths, NIN_CIFAR10 } from 'nin-sdk/train';
 * // The paper's widths; the last convolution's is the class count.
 * const architecture = architectureFromWidths(NIN_CIFAR10, [192, 160, 96, 192, 192, 192, 192, 192, 10]);
 * console.log(NIN_CIFAR10.inputSize, NIN_CIFAR10.labels.length); // 32 10
 * ```
 */
export const NIN_CIFAR10: Architecture = {
  id: 'cifar10',
  title: 'pytorch-nin-cifar10',
  source: 'jiecaoyu/pytorch-nin-cifar10 original.py (and copies: rasbt nin-cifar10.ipynb …)',
  layers: [
    conv('classifier.0', 5, 1, 2),
    relu('classifier.1'),
    conv('classifier.2', 1),
    relu('classifier.3'),
    conv('classifier.4', 1),
    relu('classifier.5'),
    maxPool('classifier.6', 3, 2, 1, false),
    dropout('classifier.7'),
    conv('classifier.8', 5, 1, 2),
    relu('classifier.9'),
    conv('classifier.10', 1),
    relu('classifier.11'),
    conv('classifier.12', 1),
    relu('classifier.13'),
    avgPool('classifier.14', 3, 2, 1, false),
    dropout('classifier.15'),
    conv('classifier.16', 3, 1, 1),
    relu('classifier.17'),
    conv('classifier.18', 1),
    relu('classifier.19'),
    conv('classifier.20', 1),
    relu('classifier.21'),
    avgPool('classifier.22', 8, 1, 0, false),
  ],
  inputSize: 32,
  inputChannels: 3,
  labels: CIFAR10_LABELS,
  preprocessing: CIFAR10_PREPROCESSING,
  keyPrefixes: [''],
  optionalContainer: 'classifier.',
};

/**
 * pytorch-nin (`NIN.py`, from Caffe's NIN-ImageNet): `self.features = nn.Sequential(...)`, ceil-mode pools. The
 * ImageNet NIN's layers, input (3 × 224 × 224), 1000 labels and Caffe preprocessing, for training one from scratch.
 *
 * @example
 * ```ts
 * import { architectureFromWidths, NIN_IMAGENET } from 'nin-sdk/train';
 * // Caffe's NIN-ImageNet widths, with a 100-class last convolution.
 * const widths = [96, 96, 96, 256, 256, 256, 384, 384, 384, 1024, 1024, 100];
 * const architecture = architectureFromWidths(NIN_IMAGENET, widths);
 * console.log(NIN_IMAGENET.inputSize); // 224
 * ```
 */
export const NIN_IMAGENET: Architecture = {
  id: 'imagenet',
  title: 'pytorch-nin (ImageNet)',
  source: 'jiecaoyu/pytorch-nin NIN.py (Caffe NIN-ImageNet; neural-style-pt loads it too)',
  layers: [
    conv('features.0', 11, 4, 0),
    relu('features.1'),
    conv('features.2', 1),
    relu('features.3'),
    conv('features.4', 1),
    relu('features.5'),
    maxPool('features.6', 3, 2, 0, true),
    conv('features.7', 5, 1, 2),
    relu('features.8'),
    conv('features.9', 1),
    relu('features.10'),
    conv('features.11', 1),
    relu('features.12'),
    maxPool('features.13', 3, 2, 0, true),
    conv('features.14', 3, 1, 1),
    relu('features.15'),
    conv('features.16', 1),
    relu('features.17'),
    conv('features.18', 1),
    relu('features.19'),
    maxPool('features.20', 3, 2, 0, true),
    dropout('features.21'),
    conv('features.22', 3, 1, 1),
    relu('features.23'),
    conv('features.24', 1),
    relu('features.25'),
    conv('features.26', 1),
    relu('features.27'),
    avgPool('features.28', 6, 1, 0, true),
    { kind: 'softmax', name: 'features.29' },
  ],
  inputSize: 224,
  inputChannels: 3,
  labels: IMAGENET_LABELS,
  preprocessing: IMAGENET_CAFFE_PREPROCESSING,
  keyPrefixes: [''],
  optionalContainer: 'features.',
};

/**
 * The two pytorch-nin entries: what `nin-convert --family` names (an alias of `--arch <id>`, kept from before the
 * registry) and what `nin-sdk train` trains from scratch.
 */
export const PYTORCH_NIN_IDS: readonly string[] = Object.freeze([NIN_CIFAR10.id, NIN_IMAGENET.id]);

/** ToTensor() only: RGB in [0, 1], no normalisation, the whole 32×32 image. */
const UNNORMALISED_32: PreprocessSpec = Object.freeze({
  inputSize: 32,
  resizeShorterSide: 32,
  channelOrder: 'RGB',
  scale: 1 / 255,
  mean: [0, 0, 0] as const,
  std: [1, 1, 1] as const,
});

/** pytorchcv's cifar10_val_transform, used for CIFAR-10, CIFAR-100 and SVHN alike. */
const PYTORCHCV_CIFAR = CIFAR10_COPIED_STD_PREPROCESSING;

/** d2l's load_data_fashion_mnist(resize=224): Resize + ToTensor, one grey channel in [0, 1]. */
const D2L_FASHION_MNIST: PreprocessSpec = Object.freeze({
  inputSize: 224,
  resizeShorterSide: 224,
  channels: 1,
  channelOrder: 'RGB',
  scale: 1 / 255,
  mean: [0, 0, 0] as const,
  std: [1, 1, 1] as const,
});

// ---- osmr/imgclsmob pytorchcv: nin_cifar10 / nin_cifar100 / nin_svhn (pytorch/pytorchcv/models/nin_cifar.py) -----

function ninUnit(stage: number, unit: number, kernel: number): ArchLayer[] {
  const name = `features.stage${stage}.unit${unit}`;
  return [conv(`${name}.conv`, kernel, 1, (kernel - 1) / 2), relu(`${name}.activ`)];
}

const PYTORCHCV_LAYERS: readonly ArchLayer[] = [
  ...ninUnit(1, 1, 5),
  ...ninUnit(1, 2, 1),
  ...ninUnit(1, 3, 1),
  maxPool('features.stage2.pool2', 3, 2, 1, false),
  dropout('features.stage2.dropout2'),
  ...ninUnit(2, 1, 5),
  ...ninUnit(2, 2, 1),
  ...ninUnit(2, 3, 1),
  avgPool('features.stage3.pool3', 3, 2, 1, false),
  dropout('features.stage3.dropout3'),
  ...ninUnit(3, 1, 3),
  ...ninUnit(3, 2, 1),
  conv('output.final_conv.conv', 1),
  relu('output.final_conv.activ'),
  avgPool('output.final_pool', 8, 1, 0, false),
];

function pytorchcv(id: string, model: string, labels: readonly string[]): Architecture {
  return {
    id,
    title: `pytorchcv ${model}`,
    source: 'osmr/imgclsmob pytorch/pytorchcv/models/nin_cifar.py',
    layers: PYTORCHCV_LAYERS,
    inputSize: 32,
    inputChannels: 3,
    // CIFARNIN(channels, first_kernel_sizes, in_channels=3, …)
    inputChannelsFromWeights: true,
    labels,
    preprocessing: PYTORCHCV_CIFAR,
    keyPrefixes: [''],
    fileNameHint: `${model}-`,
  };
}

export const PYTORCHCV_NIN_CIFAR10 = pytorchcv('pytorchcv-nin-cifar10', 'nin_cifar10', CIFAR10_LABELS);
export const PYTORCHCV_NIN_CIFAR100 = pytorchcv('pytorchcv-nin-cifar100', 'nin_cifar100', CIFAR100_LABELS);
export const PYTORCHCV_NIN_SVHN = pytorchcv('pytorchcv-nin-svhn', 'nin_svhn', SVHN_LABELS);

// ---- d2l: chapter "Network in Network" (nin_block, floor max pools, AdaptiveAvgPool2d, Flatten) --------------------

function ninBlock(index: number, kernel: number, stride: number, padding: number): ArchLayer[] {
  return [
    conv(`${index}.0`, kernel, stride, padding),
    relu(`${index}.1`),
    conv(`${index}.2`, 1),
    relu(`${index}.3`),
    conv(`${index}.4`, 1),
    relu(`${index}.5`),
  ];
}

export const D2L_NIN: Architecture = {
  id: 'd2l-nin',
  title: 'd2l NiN (Fashion-MNIST)',
  source: 'd2l-ai/d2l-en chapter_convolutional-modern/nin (net = nn.Sequential(nin_block(1, 96, …), …))',
  layers: [
    ...ninBlock(0, 11, 4, 0),
    maxPool('1', 3, 2, 0, false),
    ...ninBlock(2, 5, 1, 2),
    maxPool('3', 3, 2, 0, false),
    ...ninBlock(4, 3, 1, 1),
    maxPool('5', 3, 2, 0, false),
    dropout('6'),
    ...ninBlock(7, 3, 1, 1),
    { kind: 'adaptiveAvgPool', name: '8', outputSize: 1 },
    { kind: 'flatten', name: '9' },
  ],
  inputSize: 224,
  inputChannels: 1,
  // nin_block(in_channels, …) in the book's first edition, LazyConv2d in the class NiN: any channel count.
  inputChannelsFromWeights: true,
  labels: FASHION_MNIST_LABELS,
  preprocessing: D2L_FASHION_MNIST,
  // The later d2l class NiN(d2l.Classifier) holds the same Sequential as self.net.
  keyPrefixes: ['', 'net.'],
};

// ---- rasbt/deeplearning-models nin-cifar10_batchnorm: conv (no bias) → BatchNorm2d → ReLU ---------------------------

function convBnRelu(first: number, kernel: number, padding: number): ArchLayer[] {
  return [
    conv(`classifier.${first}`, kernel, 1, padding, false),
    batchNorm(`classifier.${first + 1}`),
    relu(`classifier.${first + 2}`),
  ];
}

export const RASBT_NIN_BATCHNORM: Architecture = {
  id: 'rasbt-nin-batchnorm',
  title: 'rasbt NiN with BatchNorm (CIFAR-10)',
  source: 'rasbt/deeplearning-models pytorch_ipynb/cnn/nin-cifar10_batchnorm.ipynb',
  layers: [
    ...convBnRelu(0, 5, 2),
    ...convBnRelu(3, 1, 0),
    ...convBnRelu(6, 1, 0),
    maxPool('classifier.9', 3, 2, 1, false),
    dropout('classifier.10'),
    ...convBnRelu(11, 5, 2),
    ...convBnRelu(14, 1, 0),
    ...convBnRelu(17, 1, 0),
    avgPool('classifier.20', 3, 2, 1, false),
    dropout('classifier.21'),
    ...convBnRelu(22, 3, 1),
    ...convBnRelu(25, 1, 0),
    conv('classifier.28', 1),
    relu('classifier.29'),
    avgPool('classifier.30', 8, 1, 0, false),
  ],
  inputSize: 32,
  inputChannels: 3,
  labels: CIFAR10_LABELS,
  preprocessing: UNNORMALISED_32,
  keyPrefixes: [''],
  optionalContainer: 'classifier.',
  notes:
    "BatchNorm eps 1e-5 and affine (nn.BatchNorm2d's defaults, as the notebook uses them), folded into the convs; ToTensor() inputs in [0, 1]",
};

// ---- yangqiongyongyu/Network-In-Network-Pytorch models/nin.py: ceil-mode pools without padding ---------------------

export const YANGQIONGYONGYU_NIN: Architecture = {
  id: 'yangqiongyongyu-nin',
  title: 'yangqiongyongyu Network-In-Network-Pytorch (CIFAR-10)',
  source: 'yangqiongyongyu/Network-In-Network-Pytorch models/nin.py',
  layers: [
    conv('features.0', 5, 1, 2),
    relu('features.1'),
    conv('features.2', 1),
    relu('features.3'),
    conv('features.4', 1),
    relu('features.5'),
    maxPool('features.6', 3, 2, 0, true),
    dropout('features.7'),
    conv('features.8', 5, 1, 2),
    relu('features.9'),
    conv('features.10', 1),
    relu('features.11'),
    conv('features.12', 1),
    relu('features.13'),
    avgPool('features.14', 3, 2, 0, true),
    dropout('features.15'),
    conv('features.16', 3, 1, 1),
    relu('features.17'),
    conv('features.18', 1),
    relu('features.19'),
    conv('features.20', 1),
    relu('features.21'),
    avgPool('features.22', 8, 1, 0, false),
  ],
  inputSize: 32,
  inputChannels: 3,
  labels: CIFAR10_LABELS,
  preprocessing: UNNORMALISED_32,
  keyPrefixes: [''],
};

// ---- jiecaoyu/XNOR-Net-PyTorch CIFAR_10/models/nin.py: BatchNorm(affine=False), BinConv2d = BN → sign → conv → ReLU --

/** BinConv2d: BatchNorm2d(eps 1e-4, γ clamped ≥ 0.01 by Net.forward) → BinActive (sign) → [Dropout] → conv → ReLU. */
function binConv(index: number, kernel: number, padding: number, withDropout = false): ArchLayer[] {
  const name = `xnor.${index}`;
  return [
    { kind: 'batchNorm', name: `${name}.bn`, eps: 1e-4, affine: true, minWeight: 0.01 },
    { kind: 'sign', name: `${name}.sign` },
    ...(withDropout ? [dropout(`${name}.dropout`)] : []),
    { kind: 'conv', name: `${name}.conv`, kernel, stride: 1, padding, bias: true, weights: 'xnor-binarized' },
    relu(`${name}.relu`),
  ];
}

export const XNOR_NET_NIN: Architecture = {
  id: 'xnor-net-nin',
  title: 'XNOR-Net-PyTorch NIN (CIFAR-10)',
  source: 'jiecaoyu/XNOR-Net-PyTorch CIFAR_10/models/nin.py (Net) + util.py (BinOp)',
  layers: [
    conv('xnor.0', 5, 1, 2),
    { kind: 'batchNorm', name: 'xnor.1', eps: 1e-4, affine: false },
    relu('xnor.2'),
    ...binConv(3, 1, 0),
    ...binConv(4, 1, 0),
    maxPool('xnor.5', 3, 2, 1, false),
    ...binConv(6, 5, 2, true),
    ...binConv(7, 1, 0),
    ...binConv(8, 1, 0),
    avgPool('xnor.9', 3, 2, 1, false),
    ...binConv(10, 3, 1, true),
    ...binConv(11, 1, 0),
    { kind: 'batchNorm', name: 'xnor.12', eps: 1e-4, affine: false },
    conv('xnor.13', 1),
    relu('xnor.14'),
    avgPool('xnor.15', 8, 1, 0, false),
  ],
  inputSize: 32,
  inputChannels: 3,
  labels: CIFAR10_LABELS,
  preprocessing: NIN_CIFAR10.preprocessing,
  keyPrefixes: [''],
  notes: 'evaluated as its test() does: BinConv2d weights binarised (BinOp), first and last conv real',
  assumes: [
    "preprocessing: the cifar10 family's (RGB, ToTensor, CIFAR-10 mean and std), an approximation: XNOR-Net-PyTorch " +
      'reads CIFAR-10 from arrays it was given already preprocessed (train_data, test_data), which no checkpoint carries',
  ],
};

// ---- szagoruyko/functional-zoo nin-export.ipynb: a function over a dict of tensors (BN folded), Linear head --------

/** fb.resnet.torch's ImageNet evaluation: RGB in [0, 1], ImageNet mean/std, shorter side 256, centre 224. */
const FB_RESNET_IMAGENET: PreprocessSpec = Object.freeze({
  inputSize: 224,
  resizeShorterSide: 256,
  channelOrder: 'RGB',
  scale: 1 / 255,
  mean: [0.485, 0.456, 0.406] as const,
  std: [0.229, 0.224, 0.225] as const,
});

function functionalBlock(first: number, kernel: number, stride: number, padding: number): ArchLayer[] {
  return [first, first + 1, first + 2].flatMap((n, i) => [
    conv(`conv${n}`, i === 0 ? kernel : 1, i === 0 ? stride : 1, i === 0 ? padding : 0),
    relu(`relu${n}`),
  ]);
}

export const FUNCTIONAL_ZOO_NIN: Architecture = {
  id: 'functional-zoo-nin',
  title: 'functional-zoo NIN-ImageNet (BatchNorm folded)',
  source: 'szagoruyko/functional-zoo nin-export.ipynb (f(inputs, params), params conv0 … conv11, fc)',
  layers: [
    ...functionalBlock(0, 11, 4, 5),
    maxPool('pool0', 2, 2, 0, false),
    ...functionalBlock(3, 5, 1, 2),
    maxPool('pool1', 2, 2, 0, false),
    ...functionalBlock(6, 3, 1, 1),
    maxPool('pool2', 2, 2, 0, false),
    ...functionalBlock(9, 3, 1, 1),
    avgPool('pool3', 7, 7, 0, false),
    { kind: 'flatten', name: 'view' },
    { kind: 'linear', name: 'fc', bias: true },
  ],
  inputSize: 224,
  inputChannels: 3,
  // A function over a dict of tensors: conv0's weight alone decides.
  inputChannelsFromWeights: true,
  labels: IMAGENET_LABELS,
  preprocessing: FB_RESNET_IMAGENET,
  keyPrefixes: [''],
  notes:
    'the published weights are a hickle file (nin-export.hkl); saved with torch.save as a dict of tensors they convert as-is',
};

// ---- gidariss/FeatureLearningRotNet architectures/NetworkInNetwork.py: conv (no bias) → BatchNorm → ReLU blocks -----

/** dataloader.py's CIFAR-10: ToTensor() then Normalize(mean [125.3, 123.0, 113.9]/255, std [63.0, 62.1, 66.7]/255). */
const ROTNET_CIFAR: PreprocessSpec = Object.freeze({
  inputSize: 32,
  resizeShorterSide: 32,
  channelOrder: 'RGB',
  scale: 1 / 255,
  mean: [125.3 / 255, 123.0 / 255, 113.9 / 255] as const,
  std: [63.0 / 255, 62.1 / 255, 66.7 / 255] as const,
});

/** The rotation pretext task's four classes (RotNet's rotate_img: 0, 90, 180, 270 degrees). */
const ROTATION_LABELS: readonly string[] = Object.freeze(['0°', '90°', '180°', '270°']);

/** BasicBlock(in, out, k): layers.Conv (bias=False, padding (k-1)/2), layers.BatchNorm (eps 1e-5), layers.ReLU. */
function rotnetBlock(stage: number, unit: number, kernel: number): ArchLayer[] {
  const name = `_feature_blocks.${stage - 1}.Block${stage}_ConvB${unit}.layers`;
  return [
    conv(`${name}.Conv`, kernel, 1, (kernel - 1) / 2, false),
    batchNorm(`${name}.BatchNorm`),
    relu(`${name}.ReLU`),
  ];
}

/** NetworkInNetwork({'num_stages': stages}): max pool after stage 1, avg pool after 2 (and 3 when stages > 3). */
function rotnetLayers(stages: number): ArchLayer[] {
  const stage = (s: number, first: number) => [
    ...rotnetBlock(s, 1, first),
    ...rotnetBlock(s, 2, 1),
    ...rotnetBlock(s, 3, 1),
  ];
  const layers = [
    ...stage(1, 5),
    maxPool('_feature_blocks.0.Block1_MaxPool', 3, 2, 1, false),
    ...stage(2, 5),
    avgPool('_feature_blocks.1.Block2_AvgPool', 3, 2, 1, false),
    ...stage(3, 3),
    ...(stages > 3 ? [avgPool('_feature_blocks.2.Block3_AvgPool', 3, 2, 1, false)] : []),
  ];
  for (let s = 4; s <= stages; s++) layers.push(...stage(s, 3));
  return [
    ...layers,
    { kind: 'adaptiveAvgPool', name: `_feature_blocks.${stages}.GlobalAveragePooling`, outputSize: 1 },
    { kind: 'flatten', name: `_feature_blocks.${stages}.view` },
    { kind: 'linear', name: `_feature_blocks.${stages}.Classifier`, bias: true },
  ];
}

function rotnet(id: string, stages: number, task: string, labels: readonly string[]): Architecture {
  return {
    id,
    title: `RotNet NetworkInNetwork, ${stages} blocks (${task})`,
    source: 'gidariss/FeatureLearningRotNet architectures/NetworkInNetwork.py (saved as {epoch, network})',
    layers: rotnetLayers(stages),
    inputSize: 32,
    inputChannels: 3,
    // opt['num_inchannels'], 3 by default.
    inputChannelsFromWeights: true,
    labels,
    preprocessing: ROTNET_CIFAR,
    keyPrefixes: [''],
    notes: "BatchNorm eps 1e-5 (nn.BatchNorm2d's default), folded; GlobalAveragePooling then the Linear classifier",
  };
}

/**
 * NetworkInNetwork with 3, 4 or 5 blocks (the paper's CIFAR-10 experiments), each for CIFAR-10's 10 classes
 * (config/CIFAR10_supervised_NIN.py) or the rotation task's 4 (config/CIFAR10_RotNet_NIN4blocks.py, the published
 * RotNet model): the same keys per block count, told apart by the class count.
 */
export const ROTNET_ENTRIES: readonly Architecture[] = [3, 4, 5].flatMap((stages) => [
  rotnet(`rotnet-nin${stages}-cifar10`, stages, 'CIFAR-10', CIFAR10_LABELS),
  rotnet(`rotnet-nin${stages}-rotation`, stages, 'rotation', ROTATION_LABELS),
]);

export const ARCHITECTURES: readonly Architecture[] = Object.freeze([
  NIN_CIFAR10,
  NIN_IMAGENET,
  PYTORCHCV_NIN_CIFAR10,
  PYTORCHCV_NIN_CIFAR100,
  PYTORCHCV_NIN_SVHN,
  D2L_NIN,
  RASBT_NIN_BATCHNORM,
  YANGQIONGYONGYU_NIN,
  XNOR_NET_NIN,
  FUNCTIONAL_ZOO_NIN,
  ...ROTNET_ENTRIES,
]);

export const ARCHITECTURE_IDS: readonly string[] = Object.freeze(ARCHITECTURES.map((a) => a.id));

export function architectureById(id: string): Architecture | undefined {
  return ARCHITECTURES.find((a) => a.id === id);
}
