import { zipSync, type ZipOptions, type Zippable } from 'fflate';

/**
 * A stored (uncompressed) zip whose every entry's data starts on a 64-byte boundary, as PyTorch's writer
 * (caffe2's PyTorchStreamWriter over miniz) lays it out, so that torch.load can map storages straight from the
 * file. The container itself is fflate's zipSync; alignment comes from the local header's extra field, which
 * fflate writes as given: PyTorch pads with an extra field of id 'FB' (0x4246) filled with 'Z's, and so do we.
 *
 * fflate writes neither ZIP64 records nor data descriptors: every entry takes exactly
 * 30 + name + extra + data bytes, which is what makes the padding computable up front, and the archive must stay
 * under 4 GiB (far above any NIN: the full ImageNet one is 30 MB).
 */

export interface ZipEntry {
  readonly name: string;
  readonly data: Uint8Array;
}

const ALIGNMENT = 64;
const LOCAL_HEADER_BYTES = 30;
const EXTRA_HEADER_BYTES = 4;
/** 'FB' read as a little-endian uint16: the extra-field id PyTorch's writer uses for its padding. */
const PADDING_EXTRA_ID = 0x4246;
const PADDING_BYTE = 0x5a; // 'Z'
const ZIP32_LIMIT = 0xffffffff;
/**
 * fflate stamps each entry with a DOS date, which cannot go before 1980 (PyTorch's writer leaves it 0). A fixed
 * date, built from local-time fields because fflate reads it back in local time, keeps the output the same on
 * every machine and every run.
 */
const FIXED_MTIME = new Date(1980, 0, 1, 0, 0, 0);

export function writeAlignedZip(entries: readonly ZipEntry[]): Uint8Array {
  const encoder = new TextEncoder();
  const files: Zippable = {};
  let offset = 0;
  for (const { name, data } of entries) {
    if (name in files) throw new RangeError(`zip entry ${name} is given twice`);
    const nameBytes = encoder.encode(name).length;
    const headerEnd = offset + LOCAL_HEADER_BYTES + nameBytes + EXTRA_HEADER_BYTES;
    const padding = (ALIGNMENT - (headerEnd % ALIGNMENT)) % ALIGNMENT;
    const options: ZipOptions = {
      level: 0,
      mtime: FIXED_MTIME,
      extra: { [PADDING_EXTRA_ID]: new Uint8Array(padding).fill(PADDING_BYTE) },
    };
    files[name] = [data, options];
    offset = headerEnd + padding + data.length;
    if (offset > ZIP32_LIMIT)
      throw new RangeError(`checkpoint too large for a zip without ZIP64: entry ${name} ends past 4 GiB`);
  }
  return zipSync(files);
}
