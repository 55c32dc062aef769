/**
 * Text from a file (a model's labels, a file name from a dataset folder) made safe to print on a terminal: control
 * characters (C0, DEL, C1: escape sequences that move the cursor, rewrite the title, hide lines) and Unicode line
 * and paragraph separators are written as \u escapes, visible and inert. Printable text, accents and CJK included,
 * is left as it is. JSON output needs none of this: JSON.stringify escapes control characters itself.
 */
export function terminalSafe(text: string): string {
  return text.replace(
    /[\u0000-\u001f\u007f-\u009f\u2028\u2029]/g,
    (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`,
  );
}
