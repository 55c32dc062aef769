import type { ModelProto } from 'onnx-buf';
import { canonicalOnnxBytes, decodeOnnx, encodeOnnx } from '../graph/index.js';
import { checkIntermediateSizes } from './intermediate-sizes.js';
import { ModelError } from './model-error.js';
import { CLASSIFIER_OPERATORS, checkOperators } from './operator-allow-list.js';
import { checkSelfContained } from './self-contained.js';

declare const CHECKED: unique symbol;

/**
 * Bytes that checkModel encoded, the only bytes nin-sdk gives ONNX Runtime: a type brand (nothing at run time), so
 * that a file's own bytes cannot be passed where these are expected. A worker thread of this process receives them
 * in its setup message (src/runtime/node/worker/worker-messages.ts), whose field has this type: the sender had a CheckedModel.
 */
export type CheckedBytes = Uint8Array & { readonly [CHECKED]: true };

/** What ONNX Runtime is given a model as: checked bytes and the model's name for errors (a CheckedModel is one). */
export interface SessionModel {
  readonly bytes: CheckedBytes;
  /** How errors name the model: its path, or 'model bytes'. */
  readonly source: string;
}

/** Bytes that do not decode as an ONNX ModelProto at all (a ModelError, told apart from a model refused for what it holds). */
export class NotOnnxError extends ModelError {}

/** What a model may do, beyond being self-contained (which every model must be). */
export interface ModelPolicy {
  /** The ai.onnx operators it may use (default: CLASSIFIER_OPERATORS). */
  readonly operators?: ReadonlySet<string>;
  /** Refuse intermediate tensors above a bound tied to the input and weights (default true; see intermediate-sizes.ts). */
  readonly boundIntermediates?: boolean;
}

/**
 * An ONNX model decoded once, checked, and encoded again: the only form in which nin-sdk hands a model to ONNX
 * Runtime (openSession takes nothing else). A check is only as good as the agreement between the reader that checks
 * and the one that acts: protobuf's C++ parser keeps the low 32 bits of an over-long tag and merges a second `graph`
 * field into the first, so a model's original bytes can say to ONNX Runtime what no other reader saw. ONNX Runtime
 * gets `bytes`, the canonical encoding of `proto`, which is the tree every check and the metadata came from.
 */
export class CheckedModel implements SessionModel {
  private constructor(
    /** The decoded model, as checked; read it rather than decoding `bytes` again. Do not change it. */
    readonly proto: ModelProto,
    /** The canonical encoding of `proto`: what ONNX Runtime loads (the given bytes themselves when they were it). */
    readonly bytes: CheckedBytes,
    /** How errors name the model: its path, or 'model bytes'. */
    readonly source: string,
  ) {}

  /**
   * Decodes `bytes` as protobuf does, refuses what nin-sdk does not run (external data anywhere, operators outside
   * the policy, intermediate tensors above the bound), and re-encodes the decoded model, or keeps `bytes` when they
   * are that encoding already (compared in place: every model nin-sdk writes). Throws ModelError in one line naming
   * `source`. `bytes` must not change afterwards.
   */
  static check(bytes: Uint8Array, source: string, policy: ModelPolicy = {}): CheckedModel {
    let proto: ModelProto;
    try {
      proto = decodeOnnx(bytes);
    } catch (error) {
      throw new NotOnnxError(`${source} is not an ONNX model (${(error as Error).message})`);
    }
    CheckedModel.checkProto(proto, source, policy);
    return new CheckedModel(proto, canonicalOnnxBytes(proto, bytes) as CheckedBytes, source);
  }

  /**
   * The checks of `check` on a model already decoded (one that check gave, edited in memory: class-maps.ts adds an
   * output to it), and its canonical encoding. The edit is checked as the file was: a model is never run unchecked.
   */
  static checkDecoded(proto: ModelProto, source: string, policy: ModelPolicy = {}): CheckedModel {
    CheckedModel.checkProto(proto, source, policy);
    return new CheckedModel(proto, encodeOnnx(proto) as CheckedBytes, source);
  }

  private static checkProto(proto: ModelProto, source: string, policy: ModelPolicy): void {
    checkSelfContained(proto, source);
    checkOperators(proto, source, policy.operators ?? CLASSIFIER_OPERATORS);
    if (policy.boundIntermediates ?? true) checkIntermediateSizes(proto.graph, source);
  }
}

/** CheckedModel.check: decode, check, re-encode (see CheckedModel). */
export function checkModel(bytes: Uint8Array, source: string, policy?: ModelPolicy): CheckedModel {
  return CheckedModel.check(bytes, source, policy);
}
