/**
 * Reads an ImageBitmap's pixels without passing them through premultiplied alpha, through WebGL: a 2D canvas
 * stores colour multiplied by alpha, so colours under partly transparent pixels come back rounded and those under
 * fully transparent ones as black, whereas PIL's convert('RGB') (and the sharp path) keep them as the file has
 * them. A texture uploaded with UNPACK_PREMULTIPLY_ALPHA off and read back from a framebuffer keeps every byte.
 */
let shared: WebGL2RenderingContext | undefined;

/** RGBA bytes of `bitmap` (decode it with premultiplyAlpha: 'none'), or nothing where WebGL 2 is unavailable. */
export function readUnpremultiplied(bitmap: ImageBitmap): Uint8ClampedArray | undefined {
  const gl = context();
  if (gl === undefined) return undefined;
  const texture = gl.createTexture();
  const framebuffer = gl.createFramebuffer();
  try {
    gl.bindTexture(gl.TEXTURE_2D, texture);
    gl.pixelStorei(gl.UNPACK_PREMULTIPLY_ALPHA_WEBGL, false);
    gl.pixelStorei(gl.UNPACK_COLORSPACE_CONVERSION_WEBGL, gl.NONE);
    gl.pixelStorei(gl.UNPACK_FLIP_Y_WEBGL, false);
    gl.texImage2D(gl.TEXTURE_2D, 0, gl.RGBA8, gl.RGBA, gl.UNSIGNED_BYTE, bitmap);
    gl.bindFramebuffer(gl.FRAMEBUFFER, framebuffer);
    gl.framebufferTexture2D(gl.FRAMEBUFFER, gl.COLOR_ATTACHMENT0, gl.TEXTURE_2D, texture, 0);
    if (gl.checkFramebufferStatus(gl.FRAMEBUFFER) !== gl.FRAMEBUFFER_COMPLETE) return undefined;
    const pixels = new Uint8ClampedArray(bitmap.width * bitmap.height * 4);
    // Row 0 of the texture is the image's top row (no FLIP_Y), and readPixels starts at row 0: no flip needed.
    gl.readPixels(0, 0, bitmap.width, bitmap.height, gl.RGBA, gl.UNSIGNED_BYTE, pixels);
    return gl.getError() === gl.NO_ERROR ? pixels : undefined;
  } finally {
    gl.bindFramebuffer(gl.FRAMEBUFFER, null);
    gl.deleteFramebuffer(framebuffer);
    gl.deleteTexture(texture);
  }
}

/** One WebGL 2 context for every image (browsers cap live contexts at a few dozen), made again if lost. */
function context(): WebGL2RenderingContext | undefined {
  if (shared !== undefined && !shared.isContextLost()) return shared;
  const canvas =
    typeof OffscreenCanvas !== 'undefined'
      ? new OffscreenCanvas(1, 1)
      : typeof document !== 'undefined'
        ? document.createElement('canvas')
        : undefined;
  const gl = canvas?.getContext('webgl2', { premultipliedAlpha: false, antialias: false, depth: false }) ?? null;
  shared = gl instanceof WebGL2RenderingContext ? gl : undefined;
  return shared;
}
