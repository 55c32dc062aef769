/**
 * An integer with thousands separators, as `toLocaleString('en-US')` writes it (7,595,176), without Intl:
 * the first Intl call of a process loads ICU's locale data, a visible part of a conversion's start-up
 * (docs/startup.md).
 */
export function formatCount(value: number): string {
  if (!Number.isSafeInteger(value)) return String(value);
  const digits = String(Math.abs(value));
  const grouped = digits.replace(/\B(?=(\d{3})+$)/g, ',');
  return value < 0 ? `-${grouped}` : grouped;
}
