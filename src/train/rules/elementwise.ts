import { ops } from '../../graph/index.js';
import type { GradientRule } from '../autodiff/rule.js';
import { unbroadcast } from './unbroadcast.js';

/** y = a + b: both operands get dY, summed back over any broadcast axes. */
export const addGradient: GradientRule = (ctx, dY) => [
  ctx.needsGradient(0) ? unbroadcast(ctx.g, dY, ctx.input(0)) : undefined,
  ctx.needsGradient(1) ? unbroadcast(ctx.g, dY, ctx.input(1)) : undefined,
];

/** y = a − b. */
export const subGradient: GradientRule = (ctx, dY) => [
  ctx.needsGradient(0) ? unbroadcast(ctx.g, dY, ctx.input(0)) : undefined,
  ctx.needsGradient(1) ? unbroadcast(ctx.g, ops.neg(ctx.g, dY), ctx.input(1)) : undefined,
];

/** y = a·b: how dropout applies its (scaled) mask. */
export const mulGradient: GradientRule = (ctx, dY) => [
  ctx.needsGradient(0) ? unbroadcast(ctx.g, ops.mul(ctx.g, dY, ctx.input(1)), ctx.input(0)) : undefined,
  ctx.needsGradient(1) ? unbroadcast(ctx.g, ops.mul(ctx.g, dY, ctx.input(0)), ctx.input(1)) : undefined,
];

/** y = a / b: da = dY / b, db = −dY·y / b. */
export const divGradient: GradientRule = (ctx, dY) => {
  const { g } = ctx;
  const b = ctx.input(1);
  return [
    ctx.needsGradient(0) ? unbroadcast(g, ops.div(g, dY, b), ctx.input(0)) : undefined,
    ctx.needsGradient(1) ? unbroadcast(g, ops.neg(g, ops.div(g, ops.mul(g, dY, ctx.output(0)), b)), b) : undefined,
  ];
};

export const negGradient: GradientRule = (ctx, dY) => [ops.neg(ctx.g, dY)];

export const identityGradient: GradientRule = (_ctx, dY) => [dY];
