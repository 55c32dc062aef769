import * as v from 'valibot';

/**
 * The one way nin-sdk checks JSON that anyone could have written (model metadata, training checkpoints, settings,
 * requests): a valibot schema, parsed by `parseUntrusted`, refusals in one style:
 *
 *     <what>: <field path> must be …, got <the value>
 *
 * Every limit (sizes, lengths, counts) is in the schema, so that nothing downstream sees a value the schema did not
 * bound. valibot: MIT, no dependencies, tree-shaken (each schema function is its own export), Node and browsers.
 */

/** Parses `value` against `schema`; throws a RangeError naming the first field that is wrong. */
export function parseUntrusted<S extends v.GenericSchema>(schema: S, value: unknown, what: string): v.InferOutput<S> {
  const result = v.safeParse(schema, value, { abortEarly: true });
  if (result.success) return result.output;
  const issue = result.issues[0];
  const path = pathOf(issue.path);
  throw new RangeError(`${what}: ${path === '' ? '' : `${path} `}${issue.message}`);
}

/** A field path as code writes it: `groups[2].lr`. */
function pathOf(path: readonly v.IssuePathItem[] | undefined): string {
  let text = '';
  for (const item of path ?? []) {
    const key = item.key;
    if (typeof key === 'number') text += `[${key}]`;
    else text += text === '' ? String(key) : `.${String(key)}`;
  }
  return text;
}

/** A message that ends with the value it refuses: `must be …, got <value>`. */
export function got(text: string): (issue: v.BaseIssue<unknown>) => string {
  return (issue) => `${text}, got ${describeValue(issue.input)}`;
}

/** A value as a message shows it: numbers and short arrays of numbers as themselves, anything else as short JSON. */
export function describeValue(value: unknown): string {
  if (typeof value === 'number') return String(value);
  if (Array.isArray(value) && value.length <= 8 && value.every((x) => typeof x === 'number'))
    return `[${value.join(', ')}]`;
  let json: string;
  try {
    json = value === undefined ? 'nothing' : (JSON.stringify(value) ?? String(value));
  } catch {
    json = typeof value; // a BigInt or a cycle: not what JSON gives, but a message must not throw
  }
  return json.length > 40 ? `${json.slice(0, 40)}…` : json;
}

/** A plain JSON object: not null, not an array. */
export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** A JSON object (not an array) with these fields; others are ignored, and left out of the result. */
export function record<const E extends v.ObjectEntries>(entries: E) {
  return v.pipe(v.unknown(), v.check(isRecord, got('must be an object')), v.object(entries, got('must be an object')));
}

/** A finite number (JSON gives Infinity for 1e999). */
export function finiteNumber(text = 'must be a finite number') {
  return v.pipe(v.number(got(text)), v.finite(got(text)));
}

/** A whole number from `min` to `max` (default: any safe integer from `min`). */
export function wholeNumber(min: number, max = Number.MAX_SAFE_INTEGER) {
  const text =
    max === Number.MAX_SAFE_INTEGER
      ? `must be a whole number ≥ ${min}`
      : `must be a whole number from ${min} to ${max}`;
  return v.pipe(v.number(got(text)), v.safeInteger(got(text)), v.minValue(min, got(text)), v.maxValue(max, got(text)));
}

/** A string of at most `maxLength` characters. */
export function boundedString(maxLength: number, text = `must be a string of at most ${maxLength} characters`) {
  return v.pipe(v.string(got(text)), v.maxLength(maxLength, got(text)));
}

/** An array of at most `maxItems` items, each checked by `item`. */
export function boundedArray<S extends v.GenericSchema>(item: S, maxItems: number, text: string) {
  return v.pipe(v.array(item, got(text)), v.maxLength(maxItems, got(text)));
}

/** One of `values`. */
export function oneOf<const T extends readonly string[]>(values: T, text = `should be one of ${values.join(', ')}`) {
  return v.picklist(values, got(text));
}

/** `schema`, any failure inside it reported once for the whole field with `text` (e.g. "three finite numbers"). */
export function whole<S extends v.GenericSchema>(schema: S, text: string) {
  return v.pipe(
    v.unknown(),
    v.check((input) => v.is(schema, input), got(text)),
    v.transform((input) => input as v.InferOutput<S>),
  );
}
