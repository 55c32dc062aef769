import type { PreprocessSpec } from '../preprocess/spec.js';
import type { ArchLayer, ArchLayerKind, Architecture } from './architecture.js';
import { ArchitectureError } from './errors.js';
import { excerpt } from '../formats/pth/errors.js';

/**
 * A user's own architecture (`nin-convert --arch my-net.json`), in the registry's vocabulary. Every problem is an
 * ArchitectureError naming the layer (index, name, kind) and the field. Defaults are PyTorch's: conv stride 1,
 * padding 0, bias true; pool stride = kernel, padding 0, ceil_mode false, count_include_pad true; BatchNorm eps
 * 1e-5, affine true; dropout p 0.5. See docs/architectures.md for a full example.
 */

const KINDS: readonly ArchLayerKind[] = [
  'conv',
  'batchNorm',
  'relu',
  'leakyRelu',
  'sign',
  'maxPool',
  'avgPool',
  'adaptiveAvgPool',
  'dropout',
  'flatten',
  'linear',
  'softmax',
];

/** Fields each kind accepts (besides kind and name). */
const FIELDS: Readonly<Record<ArchLayerKind, readonly string[]>> = {
  conv: ['kernel', 'stride', 'padding', 'bias', 'weights'],
  batchNorm: ['eps', 'affine', 'minWeight'],
  relu: [],
  leakyRelu: ['slope'],
  sign: [],
  maxPool: ['kernel', 'stride', 'padding', 'ceilMode'],
  avgPool: ['kernel', 'stride', 'padding', 'ceilMode', 'countIncludePad'],
  adaptiveAvgPool: ['outputSize'],
  dropout: ['p'],
  flatten: [],
  linear: ['bias'],
  softmax: [],
};

const TOP_FIELDS = [
  'id',
  'title',
  'source',
  'notes',
  'inputSize',
  'inputChannels',
  'labels',
  'preprocessing',
  'keyPrefixes',
  'layers',
];
const PREPROCESSING_FIELDS = ['resizeShorterSide', 'channelOrder', 'scale', 'mean', 'std'];
const MAX_LAYERS = 1000;

type Json = Record<string, unknown>;

export function parseArchitectureJson(text: string, source = 'architecture'): Architecture {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw new ArchitectureError(
      `${source}: not valid JSON (${error instanceof Error ? error.message : String(error)})`,
    );
  }
  return validateArchitecture(value, source);
}

/**
 * An architecture as the JSON that validateArchitecture reads back (what a training checkpoint keeps of a custom
 * one): its own fields only, the preprocessing without the input size (the architecture's).
 */
export function architectureToJson(architecture: Architecture): Record<string, unknown> {
  const { id, title, source, notes, inputSize, inputChannels, labels, keyPrefixes, layers } = architecture;
  const { resizeShorterSide, channelOrder, scale, mean, std } = architecture.preprocessing;
  return {
    id,
    title,
    source,
    ...(notes === undefined ? {} : { notes }),
    inputSize,
    inputChannels,
    labels,
    preprocessing: { resizeShorterSide, channelOrder, scale, mean, std },
    keyPrefixes,
    layers,
  };
}

export function validateArchitecture(value: unknown, source = 'architecture'): Architecture {
  const fail = (message: string): never => {
    throw new ArchitectureError(`${source}: ${message}`);
  };
  const top = object(value, fail, 'the file');
  unknownFields(top, TOP_FIELDS, fail, 'the file');
  const id = string(top['id'], fail, 'id');
  if (!/^[A-Za-z0-9][A-Za-z0-9._-]*$/.test(id)) fail(`id must be letters, digits, '.', '_' or '-', got ${shown(id)}`);
  const inputSize = integer(top['inputSize'], fail, 'inputSize', 1, 4096);
  const inputChannels = integer(top['inputChannels'] ?? 3, fail, 'inputChannels', 1, 4096);
  const labels = stringList(top['labels'], fail, 'labels');
  const keyPrefixes = top['keyPrefixes'] === undefined ? [''] : stringList(top['keyPrefixes'], fail, 'keyPrefixes');
  const preprocessing = parsePreprocessing(top['preprocessing'], inputSize, fail);
  if (inputChannels === 1) {
    // One grey plane takes one mean and one std (the SDK's spec check refuses a grey spec with three different ones).
    for (const field of ['mean', 'std'] as const) {
      const values = preprocessing[field];
      if (!values.every((x) => x === values[0]))
        fail(`preprocessing: ${field} must be three equal numbers for inputChannels 1, got ${shown(values)}`);
    }
  }
  if (!Array.isArray(top['layers']) || top['layers'].length === 0) fail('layers must be a non-empty list');
  const rawLayers = top['layers'] as unknown[];
  if (rawLayers.length > MAX_LAYERS) fail(`layers: at most ${MAX_LAYERS}, got ${rawLayers.length}`);
  const names = new Set<string>();
  const layers = rawLayers.map((raw, index) => {
    const layer = parseLayer(raw, index, fail);
    if (names.has(layer.name)) fail(`layers[${index}] (${layer.name}): name is used twice`);
    names.add(layer.name);
    return layer;
  });
  if (!layers.some((l) => l.kind === 'conv' || l.kind === 'linear'))
    fail('layers: no conv or linear layer, so nothing to read from the checkpoint');
  return {
    id,
    title: top['title'] === undefined ? id : string(top['title'], fail, 'title'),
    source: top['source'] === undefined ? `${source} (--arch)` : string(top['source'], fail, 'source'),
    layers,
    inputSize,
    inputChannels,
    labels,
    preprocessing,
    keyPrefixes,
    ...(top['notes'] === undefined ? {} : { notes: string(top['notes'], fail, 'notes') }),
  };
}

function parseLayer(raw: unknown, index: number, fail: (message: string) => never): ArchLayer {
  const at = `layers[${index}]`;
  const layer = object(raw, fail, at);
  const kind = layer['kind'];
  if (typeof kind !== 'string' || !KINDS.includes(kind as ArchLayerKind)) {
    fail(`${at}: kind must be one of ${KINDS.join(', ')}, got ${shown(kind ?? null)}`);
  }
  const k = kind as ArchLayerKind;
  const where = `${at} (${typeof layer['name'] === 'string' ? `${layer['name']}, ` : ''}${k})`;
  const name = string(layer['name'], fail, `${where}: name`);
  unknownFields(layer, ['kind', 'name', ...FIELDS[k]], fail, where);
  const int = (field: string, fallback: number | undefined, min: number) =>
    integer(layer[field] ?? fallback, fail, `${where}: ${field}`, min, 4096);
  const bool = (field: string, fallback: boolean) => boolean(layer[field] ?? fallback, fail, `${where}: ${field}`);
  switch (k) {
    case 'conv': {
      const conv = {
        kind: k,
        name,
        kernel: int('kernel', undefined, 1),
        stride: int('stride', 1, 1),
        padding: int('padding', 0, 0),
        bias: bool('bias', true),
      };
      const weights = layer['weights'] ?? 'real';
      if (weights !== 'real' && weights !== 'xnor-binarized')
        fail(`${where}: weights must be "real" or "xnor-binarized", got ${shown(weights)}`);
      return weights === 'xnor-binarized' ? { ...conv, weights } : conv;
    }
    case 'batchNorm': {
      const eps = layer['eps'] ?? 1e-5;
      if (typeof eps !== 'number' || !(eps > 0) || !Number.isFinite(eps))
        fail(`${where}: eps must be a positive number, got ${shown(eps)}`);
      const minWeight = layer['minWeight'];
      if (minWeight !== undefined && (typeof minWeight !== 'number' || !Number.isFinite(minWeight))) {
        fail(`${where}: minWeight must be a number, got ${shown(minWeight)}`);
      }
      const bn = { kind: k, name, eps: eps as number, affine: bool('affine', true) };
      return minWeight === undefined ? bn : { ...bn, minWeight: minWeight as number };
    }
    case 'maxPool':
    case 'avgPool': {
      const kernel = int('kernel', undefined, 1);
      const padding = int('padding', 0, 0);
      if (2 * padding > kernel)
        fail(`${where}: padding must be at most half the kernel (PyTorch's rule), got ${padding} for kernel ${kernel}`);
      const common = { name, kernel, stride: int('stride', kernel, 1), padding, ceilMode: bool('ceilMode', false) };
      return k === 'maxPool'
        ? { kind: k, ...common }
        : { kind: k, ...common, countIncludePad: bool('countIncludePad', true) };
    }
    case 'adaptiveAvgPool':
      if ((layer['outputSize'] ?? 1) !== 1)
        fail(`${where}: outputSize must be 1 (only a global average is supported), got ${shown(layer['outputSize'])}`);
      return { kind: k, name, outputSize: 1 };
    case 'dropout': {
      const p = layer['p'] ?? 0.5;
      if (typeof p !== 'number' || !(p >= 0 && p < 1))
        fail(`${where}: p must be a number from 0 to below 1, got ${shown(p)}`);
      return { kind: k, name, p: p as number };
    }
    case 'linear':
      return { kind: k, name, bias: bool('bias', true) };
    case 'leakyRelu': {
      const slope = layer['slope'] ?? 0.01;
      if (typeof slope !== 'number' || !Number.isFinite(slope))
        fail(`${where}: slope must be a number (nn.LeakyReLU's negative_slope, default 0.01), got ${shown(slope)}`);
      return { kind: k, name, slope: slope as number };
    }
    case 'relu':
    case 'sign':
    case 'flatten':
    case 'softmax':
      return { kind: k, name };
  }
}

function parsePreprocessing(raw: unknown, inputSize: number, fail: (message: string) => never): PreprocessSpec {
  const p = object(raw, fail, 'preprocessing');
  unknownFields(p, PREPROCESSING_FIELDS, fail, 'preprocessing');
  const order = p['channelOrder'] ?? 'RGB';
  if (order !== 'RGB' && order !== 'BGR')
    fail(`preprocessing: channelOrder must be "RGB" or "BGR", got ${shown(order)}`);
  const scale = p['scale'];
  if (typeof scale !== 'number' || !(scale > 0))
    fail(`preprocessing: scale must be a positive number (1/255 for [0, 1] inputs), got ${shown(scale ?? null)}`);
  const triple = (field: string, positive: boolean): readonly [number, number, number] => {
    const v = p[field];
    if (
      !Array.isArray(v) ||
      v.length !== 3 ||
      !v.every((x) => typeof x === 'number' && Number.isFinite(x) && (!positive || x > 0))
    ) {
      fail(`preprocessing: ${field} must be three ${positive ? 'positive ' : ''}numbers, got ${shown(v ?? null)}`);
    }
    return v as unknown as readonly [number, number, number];
  };
  const resize = integer(
    p['resizeShorterSide'] ?? inputSize,
    fail,
    'preprocessing: resizeShorterSide',
    inputSize,
    65536,
  );
  return {
    inputSize,
    resizeShorterSide: resize,
    channelOrder: order as 'RGB' | 'BGR',
    scale: scale as number,
    mean: triple('mean', false),
    std: triple('std', true),
  };
}

function object(value: unknown, fail: (message: string) => never, what: string): Json {
  if (typeof value !== 'object' || value === null || Array.isArray(value))
    fail(`${what} must be a JSON object, got ${shown(value ?? null)}`);
  return value as Json;
}

function unknownFields(value: Json, allowed: readonly string[], fail: (message: string) => never, where: string): void {
  const extra = Object.keys(value).filter((key) => !allowed.includes(key));
  if (extra.length > 0) fail(`${where}: unknown field ${shown(extra[0])} (allowed: ${allowed.join(', ')})`);
}

function string(value: unknown, fail: (message: string) => never, what: string): string {
  if (typeof value !== 'string' || value === '')
    fail(`${what} must be a non-empty string, got ${shown(value ?? null)}`);
  return value as string;
}

function stringList(value: unknown, fail: (message: string) => never, what: string): readonly string[] {
  if (!Array.isArray(value) || !value.every((v) => typeof v === 'string'))
    fail(`${what} must be a list of strings, got ${shown(value ?? null)}`);
  return Object.freeze([...(value as string[])]);
}

function integer(value: unknown, fail: (message: string) => never, what: string, min: number, max: number): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
    fail(`${what} must be an integer from ${min} to ${max}, got ${shown(value ?? null)}`);
  }
  return value as number;
}

function boolean(value: unknown, fail: (message: string) => never, what: string): boolean {
  if (typeof value !== 'boolean') fail(`${what} must be true or false, got ${shown(value)}`);
  return value as boolean;
}

/** A value from the user's JSON in a message, capped: a 50 MB field must not become a 50 MB error line. */
function shown(value: unknown): string {
  return excerpt(String(JSON.stringify(value)), 80);
}
