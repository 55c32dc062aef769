/** Type guards for values parsed from untrusted JSON (model metadata, checkpoints, settings files). */

/** A plain JSON object: not null, not an array. */
export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
