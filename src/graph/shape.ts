import type { Dim, Shape, TensorType } from './types.js';

export function isStaticDim(d: Dim): d is number {
  return typeof d === 'number';
}

export function isStaticShape(shape: Shape): shape is readonly number[] {
  return shape.every(isStaticDim);
}

export function formatShape(shape: Shape): string {
  return `[${shape.join(',')}]`;
}

export function formatType(type: TensorType): string {
  return `${type.dtype}${formatShape(type.shape)}`;
}

/** Turns a possibly negative axis into 0..rank-1, or undefined when it is out of range. */
export function normalizeAxis(axis: number, rank: number): number | undefined {
  const a = axis < 0 ? axis + rank : axis;
  return Number.isInteger(a) && a >= 0 && a < rank ? a : undefined;
}

/**
 * Product of dims. Static when every dim is; one symbol times 1s stays that
 * symbol; anything else is unknown (undefined), and the caller names a fresh dim.
 */
export function dimProduct(dims: Shape): Dim | undefined {
  let product = 1;
  let symbol: string | undefined;
  for (const d of dims) {
    if (isStaticDim(d)) product *= d;
    else if (symbol === undefined) symbol = d;
    else return undefined;
  }
  if (symbol === undefined) return product;
  if (product === 0) return 0;
  return product === 1 ? symbol : undefined;
}

export type BroadcastResult =
  | { readonly ok: true; readonly shape: Dim[] }
  | { readonly ok: false; readonly axis: number; readonly a: Dim; readonly b: Dim };

/**
 * Numpy (multidirectional) broadcasting of two shapes. Symbolic dims pass
 * through untouched where the other side is 1 or the same symbol; against a
 * static size other than 1 the static size wins (the symbol must equal it at
 * run time); two different symbols give a fresh one from `freshDim`.
 */
export function broadcastShapes(a: Shape, b: Shape, freshDim: (axis: number) => string): BroadcastResult {
  const rank = Math.max(a.length, b.length);
  const shape: Dim[] = [];
  for (let i = 0; i < rank; i++) {
    const da = i - (rank - a.length) >= 0 ? a[i - (rank - a.length)]! : 1;
    const db = i - (rank - b.length) >= 0 ? b[i - (rank - b.length)]! : 1;
    if (da === db || db === 1) shape.push(da);
    else if (da === 1) shape.push(db);
    else if (isStaticDim(da) && isStaticDim(db)) return { ok: false, axis: i, a: da, b: db };
    else if (isStaticDim(da)) shape.push(da);
    else if (isStaticDim(db)) shape.push(db);
    else shape.push(freshDim(i));
  }
  return { ok: true, shape };
}
