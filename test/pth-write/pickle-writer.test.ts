import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  pickle,
  pyDict,
  pyFloat,
  pyGlobal,
  pyInt,
  pyReduce,
  pyTuple,
} from '../../src/formats/pth/write/pickle-writer.js';

/** Expected bytes are CPython 3's `pickle.dumps(value, protocol=2).hex()` for the Python value in each comment. */
const hex = (bytes: Uint8Array): string => Buffer.from(bytes).toString('hex');

describe('pickle writer: byte for byte what CPython pickles at protocol 2', () => {
  it('ints take the shortest of BININT1, BININT2, BININT and LONG1', () => {
    // (0, 255, 256, 65535, 65536, -1, 2**31-1, -2**31, 2**31, -2**31-1, 2**53-1, -2**63)
    const values = [0, 255, 256, 65535, 65536, -1, 2 ** 31 - 1, -(2 ** 31), 2 ** 31, -(2 ** 31) - 1, 2 ** 53 - 1];
    const bytes = pickle(pyTuple([...values.map((v) => pyInt(v)), pyInt(-(2n ** 63n))]));
    assert.equal(
      hex(bytes),
      '8002284b004bff4d00014dffff4a000001004affffffff4affffff7f4a000000808a0500000080008a05ffffff7fff8a07ffffffffffff1f8a0800000000000000807471002e',
    );
  });

  it('floats are BINFLOAT, big-endian doubles, -0.0 and infinity included', () => {
    // (0.5, -0.0, 89.64, float('inf'))
    const bytes = pickle(pyTuple([0.5, -0, 89.64, Infinity].map(pyFloat)));
    assert.equal(hex(bytes), '800228473fe000000000000047800000000000000047405668f5c28f5c29477ff00000000000007471002e');
  });

  it('strings are BINUNICODE in UTF-8, and a repeated string is a BINGET of the first', () => {
    // ('storage', 'cpu', 'storage', 'é✓')
    const bytes = pickle(pyTuple(['storage', 'cpu', 'storage', 'é✓']));
    assert.equal(
      hex(bytes),
      '800228580700000073746f7261676571005803000000637075710168005805000000c3a9e29c9371027471032e',
    );
  });

  it('True, False, None', () => {
    assert.equal(hex(pickle(pyTuple([true, false, null]))), '800288894e8771002e');
  });

  it('tuples: EMPTY_TUPLE, TUPLE1–3, MARK … TUPLE; () is not memoised', () => {
    // ((), (1,), (1, 2), (1, 2, 3), (1, 2, 3, 4))
    const t = (...items: number[]) => pyTuple(items.map((v) => pyInt(v)));
    const bytes = pickle(pyTuple([t(), t(1), t(1, 2), t(1, 2, 3), t(1, 2, 3, 4)]));
    assert.equal(hex(bytes), '800228294b018571004b014b028671014b014b024b03877102284b014b024b034b047471037471042e');
  });

  it('dicts: EMPTY_DICT, then SETITEMS (SETITEM for a single pair)', () => {
    // {'a': 1, 'b': 'x'} and {'a': 1}
    assert.equal(
      hex(
        pickle(
          pyDict([
            ['a', pyInt(1)],
            ['b', 'x'],
          ]),
        ),
      ),
      '80027d71002858010000006171014b0158010000006271025801000000787103752e',
    );
    assert.equal(hex(pickle(pyDict([['a', pyInt(1)]]))), '80027d710058010000006171014b01732e');
  });

  it('an OrderedDict is GLOBAL, (), REDUCE, then its items', () => {
    // collections.OrderedDict([('k', 1), ('k2', 2)])
    const bytes = pickle(
      pyReduce(
        pyGlobal('collections', 'OrderedDict'),
        [],
        [
          ['k', pyInt(1)],
          ['k2', pyInt(2)],
        ],
      ),
    );
    assert.equal(
      hex(bytes),
      '800263636f6c6c656374696f6e730a4f726465726564446963740a7100295271012858010000006b71024b0158020000006b3271034b02752e',
    );
  });

  it('memo slots past 255 use LONG_BINPUT and LONG_BINGET', () => {
    const strings = Array.from({ length: 300 }, (_, i) => `s${i}`);
    const bytes = pickle(pyTuple([...strings, 's299']));
    // The last item: LONG_BINGET (j) of slot 299, then TUPLE, then LONG_BINPUT (r) of slot 300, STOP.
    assert.equal(hex(bytes.subarray(-12)), '6a2b01000074722c0100002e');
  });

  it('refuses ints JavaScript cannot hold exactly', () => {
    assert.throws(() => pyInt(2 ** 53), /not a safe integer/);
    assert.throws(() => pyInt(0.5), /not a safe integer/);
  });
});
