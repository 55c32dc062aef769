/**
 * The local entries of a zip without data descriptors (what fflate writes), read header by header from the
 * start: where each entry's data begins, to check alignment and storage without trusting a zip library.
 */
export interface LocalEntry {
  readonly name: string;
  readonly method: number;
  readonly dataOffset: number;
  readonly size: number;
  readonly extra: Uint8Array;
}

const LOCAL_HEADER_SIGNATURE = 0x04034b50;

export function localEntries(bytes: Uint8Array): LocalEntry[] {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const entries: LocalEntry[] = [];
  let at = 0;
  while (at + 30 <= bytes.length && view.getUint32(at, true) === LOCAL_HEADER_SIGNATURE) {
    const method = view.getUint16(at + 8, true);
    const size = view.getUint32(at + 18, true);
    const nameLength = view.getUint16(at + 26, true);
    const extraLength = view.getUint16(at + 28, true);
    const name = new TextDecoder().decode(bytes.subarray(at + 30, at + 30 + nameLength));
    const extra = bytes.subarray(at + 30 + nameLength, at + 30 + nameLength + extraLength);
    const dataOffset = at + 30 + nameLength + extraLength;
    entries.push({ name, method, dataOffset, size, extra });
    at = dataOffset + size;
  }
  return entries;
}
