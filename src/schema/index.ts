/** The schema layer's entry (browser-safe): untrusted JSON checked against valibot schemas, in one message style. */
export {
  boundedArray,
  boundedString,
  describeValue,
  finiteNumber,
  got,
  isRecord,
  oneOf,
  parseUntrusted,
  record,
  whole,
  wholeNumber,
} from './untrusted.js';
