/**
 * CMYK samples → RGB exactly as PIL's `convert('RGB')` computes them (libImaging/Convert.c, `cmyk2rgb`):
 * R = (255 − K) − C·(255 − K)/255, rounded as PIL's MULDIV255 rounds, likewise G from M and B from Y. No colour
 * profile: PIL applies none, so an ICC conversion (sharp's default for CMYK) lands some 15 levels away from what a
 * torchvision pipeline fed the model. `cmyk` holds 4 bytes a pixel, as JPEG decoders give them after undoing
 * Adobe's inversion.
 */
export function cmykToRgbAsPil(cmyk: Uint8Array): Uint8Array {
  if (cmyk.length % 4 !== 0) throw new RangeError(`CMYK data of ${cmyk.length} bytes is not 4 bytes a pixel`);
  const rgb = new Uint8Array((cmyk.length / 4) * 3);
  for (let source = 0, target = 0; source < cmyk.length; source += 4, target += 3) {
    const notBlack = 255 - cmyk[source + 3]!;
    rgb[target] = notBlack - mulDiv255(cmyk[source]!, notBlack);
    rgb[target + 1] = notBlack - mulDiv255(cmyk[source + 1]!, notBlack);
    rgb[target + 2] = notBlack - mulDiv255(cmyk[source + 2]!, notBlack);
  }
  return rgb;
}

/** a·b/255 rounded to nearest, in PIL's integer form: t = a·b + 128, ((t >> 8) + t) >> 8. */
function mulDiv255(a: number, b: number): number {
  const t = a * b + 128;
  return ((t >> 8) + t) >> 8;
}
