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

/**
 * A message made into one safe terminal line: runs of whitespace (line breaks and tabs included) become one space,
 * and any other control character is escaped as terminalSafe does, so a dataset's folder name or a tar entry name
 * quoted in an error shows its escape sequence instead of running it.
 */
export function terminalLine(text: string): string {
  return terminalSafe(text.replace(/\s+/g, ' ').trim());
}
