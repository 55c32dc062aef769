/**
 * A Triton model configuration (the ModelConfig message of triton-inference-server/common's
 * protobuf/model_config.proto, the fields nin-sdk sets), built once from a served model and written two
 * ways: protobuf text format for `config.pbtxt`, and the JSON Triton answers at `GET /v2/models/{name}/config`,
 * which `connect()` reads for the labels and preprocessing carried in `parameters`.
 */
import { METADATA_KEYS, type NinModelMetadata } from '../../model/index.js';
import type { Datatype } from '../../runtime/index.js';
import type { ModelMetadata, TensorMetadata } from '../protocol.js';
import { ONNX_PLATFORM } from '../served-model.js';

export interface TritonTensorConfig {
  readonly name: string;
  readonly data_type: `TYPE_${Datatype}`;
  readonly format?: 'FORMAT_NHWC' | 'FORMAT_NCHW';
  /** Without the batch dimension, as Triton wants when max_batch_size > 0. */
  readonly dims: readonly number[];
  readonly label_filename?: string;
}

export interface TritonModelConfig {
  readonly name: string;
  readonly platform: string;
  readonly max_batch_size: number;
  readonly input: readonly TritonTensorConfig[];
  readonly output: readonly TritonTensorConfig[];
  readonly dynamic_batching?: { readonly max_queue_delay_microseconds: number };
  readonly instance_group?: readonly { readonly kind: 'KIND_CPU' | 'KIND_GPU' | 'KIND_AUTO'; readonly count: number }[];
  /** nin-sdk's model metadata (labels, preprocessing…), as Triton's string parameters. */
  readonly parameters: Readonly<Record<string, { readonly string_value: string }>>;
}

/** The label file Triton reads for the classification extension, one label per line. */
export const LABEL_FILE = 'labels.txt';

export interface TritonConfigOptions {
  readonly maxBatchSize: number;
  readonly maxQueueDelayMicroseconds?: number;
  readonly instances?: number;
  readonly instanceKind?: 'KIND_CPU' | 'KIND_GPU' | 'KIND_AUTO';
  /** Whether labels.txt is written beside the config (export), so outputs name it. */
  readonly labelFile?: boolean;
}

/** [S, S, C] with C an image's 1 (grey) or 3 (RGB) channels: the pixel model's layout; [C, S, S] otherwise. */
function isChannelsLast(dims: readonly (number | string)[]): boolean {
  return (dims[2] === 3 || dims[2] === 1) && dims[0] !== dims[2];
}

export function tritonModelConfig(
  model: { readonly name: string; readonly metadata: ModelMetadata; readonly info: NinModelMetadata | undefined },
  options: TritonConfigOptions,
): TritonModelConfig {
  const info = model.info;
  const classes = info?.labels.length;
  const tensor = (t: TensorMetadata, isOutput: boolean): TritonTensorConfig => {
    const dims = t.shape.slice(1);
    const image = !isOutput && dims.length === 3;
    return {
      name: t.name,
      data_type: `TYPE_${t.datatype}`,
      ...(image ? { format: isChannelsLast(dims) ? ('FORMAT_NHWC' as const) : ('FORMAT_NCHW' as const) } : {}),
      dims,
      ...(isOutput && options.labelFile && dims.length === 1 && dims[0] === classes
        ? { label_filename: LABEL_FILE }
        : {}),
    };
  };
  const parameters: Record<string, { string_value: string }> = {};
  if (info !== undefined) {
    parameters[METADATA_KEYS.family] = { string_value: info.family };
    parameters[METADATA_KEYS.labels] = { string_value: JSON.stringify(info.labels) };
    parameters[METADATA_KEYS.preprocessing] = { string_value: JSON.stringify(info.preprocessing) };
    parameters[METADATA_KEYS.outputs] = { string_value: JSON.stringify(info.outputs) };
  }
  return {
    name: model.name,
    platform: ONNX_PLATFORM,
    max_batch_size: options.maxBatchSize,
    input: model.metadata.inputs.map((t) => tensor(t, false)),
    output: model.metadata.outputs.map((t) => tensor(t, true)),
    ...(options.maxQueueDelayMicroseconds === undefined
      ? {}
      : { dynamic_batching: { max_queue_delay_microseconds: options.maxQueueDelayMicroseconds } }),
    ...(options.instances === undefined
      ? {}
      : { instance_group: [{ kind: options.instanceKind ?? 'KIND_AUTO', count: options.instances }] }),
    parameters,
  };
}

/** The JSON form, as Triton's `GET /v2/models/{name}/config` answers it. */
export function tritonConfigJson(config: TritonModelConfig): TritonModelConfig {
  return config;
}

/**
 * Protobuf text format of the config, the `config.pbtxt` Triton reads from a model repository. Every string field
 * is quoted (textFormatString), whatever it looks like: a model named `TYPE_FP32` or a tensor named `KIND_GPU`,
 * written bare, reads as an enum value and Triton refuses the file. Only enum fields are bare.
 */
export function tritonConfigText(config: TritonModelConfig): string {
  const lines: string[] = [];
  const text = (key: string, value: string): string => `${key}: ${textFormatString(value)}`;
  const enumValue = (key: string, value: `${'TYPE' | 'KIND' | 'FORMAT'}_${string}`): string => `${key}: ${value}`;
  const integer = (key: string, value: number): string => `${key}: ${value}`;
  const tensorBlock = (t: TritonTensorConfig, indent: string): string[] => [
    `${indent}{`,
    `${indent}  ${text('name', t.name)}`,
    `${indent}  ${enumValue('data_type', t.data_type)}`,
    ...(t.format === undefined ? [] : [`${indent}  ${enumValue('format', t.format)}`]),
    `${indent}  dims: [ ${t.dims.join(', ')} ]`,
    ...(t.label_filename === undefined ? [] : [`${indent}  ${text('label_filename', t.label_filename)}`]),
    `${indent}}`,
  ];
  const list = (key: string, tensors: readonly TritonTensorConfig[]): void => {
    lines.push(`${key} [`);
    tensors.forEach((t, i) => {
      const block = tensorBlock(t, '  ');
      if (i < tensors.length - 1) block[block.length - 1] += ',';
      lines.push(...block);
    });
    lines.push(']');
  };
  lines.push(
    text('name', config.name),
    text('platform', config.platform),
    integer('max_batch_size', config.max_batch_size),
  );
  list('input', config.input);
  list('output', config.output);
  if (config.dynamic_batching !== undefined) {
    lines.push(
      'dynamic_batching {',
      `  ${integer('max_queue_delay_microseconds', config.dynamic_batching.max_queue_delay_microseconds)}`,
      '}',
    );
  }
  for (const group of config.instance_group ?? []) {
    lines.push(
      'instance_group [',
      '  {',
      `    ${integer('count', group.count)}`,
      `    ${enumValue('kind', group.kind)}`,
      '  }',
      ']',
    );
  }
  for (const [key, value] of Object.entries(config.parameters)) {
    lines.push('parameters {', `  ${text('key', key)}`, `  value { ${text('string_value', value.string_value)} }`, '}');
  }
  return `${lines.join('\n')}\n`;
}

const ESCAPES: Readonly<Record<number, string>> = { 0x22: '\\"', 0x5c: '\\\\', 0x0a: '\\n', 0x0d: '\\r', 0x09: '\\t' };

/**
 * A string as a protobuf text-format literal: double-quoted; `"` and `\` escaped; line breaks and tabs as `\n`,
 * `\r`, `\t`; other control bytes as three-digit octal escapes; anything else as itself, written as UTF-8 (as
 * protobuf's own printer writes string fields). Text format has no `\u` escape, so JSON's quoting is not this.
 *
 * @example textFormatString('a "b"\n') // '"a \\"b\\"\\n"'
 */
export function textFormatString(value: string): string {
  let out = '"';
  for (const char of value) {
    const code = char.codePointAt(0)!;
    out += ESCAPES[code] ?? (code < 0x20 || code === 0x7f ? `\\${code.toString(8).padStart(3, '0')}` : char);
  }
  return `${out}"`;
}
