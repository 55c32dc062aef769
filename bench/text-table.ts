/** A plain-text table: the first column left-aligned, the others (numbers) right-aligned. */
export function formatTable(header: readonly string[], rows: readonly (readonly string[])[]): string {
  const widths = header.map((h, col) => Math.max(h.length, ...rows.map((r) => (r[col] ?? '').length)));
  const line = (cells: readonly string[]): string =>
    cells
      .map((cell, col) => (col === 0 ? cell.padEnd(widths[col]!) : cell.padStart(widths[col]!)))
      .join('  ')
      .trimEnd();
  const rule = widths.map((w) => '-'.repeat(w)).join('  ');
  return [line(header), rule, ...rows.map(line)].join('\n');
}

/** Table cells shared by the parts' tables. */
export const fixed = (n: number, digits = 0): string => n.toFixed(digits);
export const times = (n: number): string => `${n.toFixed(2)}×`;
export const verdict = (met: boolean): string => (met ? 'met' : 'MISSED');
