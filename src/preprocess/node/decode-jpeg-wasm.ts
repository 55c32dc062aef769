import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { readJpegHeader, type JpegHeader } from '../jpeg-header.js';
import type { RawPixels } from '../pixels.js';

/**
 * Small JPEGs (CIFAR-10's are 32×32) are decoded in process by libjpeg-turbo's decoder compiled to WebAssembly
 * (mozjpeg, from @jsquash/jpeg) instead of sharp: sharp's fixed cost per image (a libvips pipeline on the thread pool)
 * is many times the decoding itself at that size (docs/benchmarks.md). The pixels are the same bit for bit (the same
 * IDCT and upsampling as libjpeg-turbo in sharp and PIL; test/preprocess compares them). Larger images go to sharp,
 * whose SIMD decoder is faster there.
 */
export const WASM_JPEG_MAX_PIXELS = 512 * 512;

interface DecodedRgba {
  readonly data: Uint8ClampedArray;
  readonly width: number;
  readonly height: number;
}

interface MozJpegModule {
  decode(data: Uint8Array, preserveOrientation: boolean): DecodedRgba | null;
}

type MozJpegFactory = (options: {
  noInitialRun: boolean;
  instantiateWasm: (
    imports: WebAssembly.Imports,
    done: (instance: WebAssembly.Instance) => void,
  ) => WebAssembly.Exports;
  printErr: (message: string) => void;
  print: (message: string) => void;
}) => Promise<MozJpegModule>;

/** What the module's C++ side builds its result with (`new ImageData(data, w, h)`), for runtimes without one. */
class PlainImageData implements DecodedRgba {
  constructor(
    readonly data: Uint8ClampedArray,
    readonly width: number,
    readonly height: number,
  ) {}
}

/** Undefined inside when the module cannot load (a bundle without its .wasm file): sharp then decodes everything. */
let decoder: Promise<WasmJpegDecoder | undefined> | undefined;

/**
 * The pixels of a small, ordinary JPEG (8-bit Huffman-coded grey or colour, upright, complete), or undefined when the
 * file is anything else or libjpeg has the least complaint about it: sharp then decodes it, or explains what is
 * wrong, exactly as for every other image.
 */
export async function decodeSmallJpeg(bytes: Uint8Array, maxPixels: number): Promise<RawPixels | undefined> {
  const header = readJpegHeader(bytes);
  if (header === undefined || !isSmallOrdinaryJpeg(header, maxPixels) || !endsWithEndOfImage(bytes)) return undefined;
  preloadJpegDecoder();
  return (await decoder)?.decode(bytes, header);
}

/**
 * Starts loading the decoder, if it is not loading yet: its WebAssembly compiles on V8's background threads, so a
 * caller that starts it before some long synchronous work (ONNX Runtime building a session) gets it for free.
 */
export function preloadJpegDecoder(): void {
  decoder ??= WasmJpegDecoder.create().catch(() => undefined);
}

/** SOF0 baseline, SOF1 extended and SOF2 progressive, all Huffman-coded: the codings PIL and sharp see every day. */
const ORDINARY_FRAMES: ReadonlySet<number> = new Set([0xc0, 0xc1, 0xc2]);

function isSmallOrdinaryJpeg(header: JpegHeader, maxPixels: number): boolean {
  const pixels = header.width * header.height;
  return (
    ORDINARY_FRAMES.has(header.frameMarker) &&
    header.precision === 8 &&
    (header.components === 1 || header.components === 3) &&
    (header.orientation === undefined || header.orientation === 1) &&
    pixels > 0 &&
    pixels <= Math.min(maxPixels, WASM_JPEG_MAX_PIXELS)
  );
}

/** A truncated file lacks its closing marker; libjpeg would pad it with grey where PIL and sharp refuse it. */
function endsWithEndOfImage(bytes: Uint8Array): boolean {
  return bytes[bytes.length - 2] === 0xff && bytes[bytes.length - 1] === 0xd9;
}

class WasmJpegDecoder {
  private constructor(
    private readonly module: MozJpegModule,
    /** libjpeg's warnings and errors of the current call (it prints them to stderr, which the module routes here). */
    private readonly messages: string[],
  ) {}

  static async create(): Promise<WasmJpegDecoder> {
    // Compiled asynchronously (off this thread), and the loader imported only now: a run with no small JPEG loads neither.
    const compiling = WebAssembly.compile(
      readFileSync(createRequire(import.meta.url).resolve('@jsquash/jpeg/codec/dec/mozjpeg_dec.wasm')),
    );
    const [wasm, { default: mozjpegFactory }] = await Promise.all([
      compiling,
      import('@jsquash/jpeg/codec/dec/mozjpeg_dec.js'),
    ]);
    const messages: string[] = [];
    const module = await (mozjpegFactory as unknown as MozJpegFactory)({
      noInitialRun: true,
      instantiateWasm: (imports, done) => {
        const instance = new WebAssembly.Instance(wasm, imports);
        done(instance);
        return instance.exports;
      },
      printErr: (message) => messages.push(message),
      print: (message) => messages.push(message),
    });
    return new WasmJpegDecoder(module, messages);
  }

  /** Synchronous inside: nothing else can run between clearing the messages and reading them. */
  decode(bytes: Uint8Array, header: JpegHeader): RawPixels | undefined {
    this.messages.length = 0;
    const global = globalThis as { ImageData?: unknown };
    const lendImageData = global.ImageData === undefined;
    if (lendImageData) global.ImageData = PlainImageData;
    let rgba: DecodedRgba | null;
    try {
      rgba = this.module.decode(bytes, false);
    } catch {
      return undefined; // libjpeg's fatal errors arrive as exceptions; the module stays usable
    } finally {
      if (lendImageData) delete global.ImageData;
    }
    if (rgba === null || this.messages.length > 0 || rgba.width !== header.width || rgba.height !== header.height)
      return undefined;
    return { data: rgbaToRgb(rgba.data), width: rgba.width, height: rgba.height, channels: 3 };
  }
}

function rgbaToRgb(rgba: Uint8ClampedArray): Uint8Array {
  const rgb = new Uint8Array((rgba.length / 4) * 3);
  for (let i = 0, j = 0; i < rgba.length; i += 4, j += 3) {
    rgb[j] = rgba[i]!;
    rgb[j + 1] = rgba[i + 1]!;
    rgb[j + 2] = rgba[i + 2]!;
  }
  return rgb;
}
