/** Bytes cross page.evaluate as base64 strings: Playwright passes JSON-like values, not typed arrays. */

export function base64(values: Uint8Array | Float32Array): string {
  const bytes = new Uint8Array(values.buffer, values.byteOffset, values.byteLength);
  let text = '';
  for (let i = 0; i < bytes.length; i += 0x8000) text += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  return btoa(text);
}

export function bytesOf(text: string): Uint8Array {
  return Uint8Array.from(atob(text), (c) => c.charCodeAt(0));
}

export function float32sOf(text: string): Float32Array {
  return new Float32Array(bytesOf(text).buffer);
}
