import * as v from 'valibot';
import { isRecord } from '../schema/index.js';

/** A field taken when it has the expected type, left out otherwise (the summary is for reading, not for computing). */
const ifValid = <S extends v.GenericSchema>(schema: S) => v.fallback(v.optional(schema), undefined);
const TEXT = v.pipe(v.string(), v.minLength(1), v.maxLength(1024));
const WHOLE = v.pipe(v.number(), v.safeInteger(), v.minValue(1));
const SUMMARY = v.pipe(
  v.unknown(),
  v.check(isRecord),
  v.object({
    id: TEXT,
    title: ifValid(TEXT),
    source: ifValid(TEXT),
    inputChannels: ifValid(WHOLE),
    inputSize: ifValid(WHOLE),
    layers: ifValid(v.array(v.unknown())),
  }),
);

/**
 * What a model's recorded architecture ('nin.architecture', written by nin-convert) says, for people to read.
 *
 * @example
 * ```ts
 * import { loadClassifier, type ArchitectureSummary } from 'nin-sdk';
 * const summary: ArchitectureSummary | undefined = (await loadClassifier('d2l.onnx')).info.architectureSummary;
 * console.log(summary?.title, summary?.layerCount);
 * ```
 */
export interface ArchitectureSummary {
  /** Registry id (`d2l-nin`) or the id of the user's --arch JSON. */
  readonly id: string;
  readonly title?: string;
  /** The public repository and file the model class comes from. */
  readonly source?: string;
  readonly inputChannels?: number;
  readonly inputSize?: number;
  /** Layers of the recorded list, weightless ones (pools, activations) included. */
  readonly layerCount?: number;
}

/**
 * The recorded architecture's id, title, source, input and layer count, or undefined when the model has none (made
 * before the registry, or by another tool) or it is not the JSON nin-convert writes. The metadata is anyone's to
 * write: each field is taken only when it has the expected type; nothing in it drives computation.
 */
export function summarizeArchitecture(recorded: string | undefined): ArchitectureSummary | undefined {
  if (recorded === undefined) return undefined;
  let parsed: unknown;
  try {
    parsed = JSON.parse(recorded);
  } catch {
    return undefined;
  }
  const summary = v.safeParse(SUMMARY, parsed);
  if (!summary.success) return undefined;
  const { id, title, source, inputChannels, inputSize, layers } = summary.output;
  return {
    id,
    ...optional('title', title),
    ...optional('source', source),
    ...optional('inputChannels', inputChannels),
    ...optional('inputSize', inputSize),
    ...optional('layerCount', layers?.length),
  };
}

/** One line for `nin-sdk info` and the web page: `d2l NiN (Fashion-MNIST) [d2l-nin], 1×224×224 input, 24 layers`. */
export function describeArchitectureSummary(summary: ArchitectureSummary): string {
  const parts = [summary.title === undefined ? summary.id : `${summary.title} [${summary.id}]`];
  if (summary.inputChannels !== undefined && summary.inputSize !== undefined)
    parts.push(`${summary.inputChannels}×${summary.inputSize}×${summary.inputSize} input`);
  if (summary.layerCount !== undefined) parts.push(`${summary.layerCount} layers`);
  return parts.join(', ') + (summary.source === undefined ? '' : ` (from ${summary.source})`);
}

function optional<K extends string, V>(key: K, value: V | undefined): Partial<Record<K, V>> {
  return value === undefined ? {} : ({ [key]: value } as Record<K, V>);
}
