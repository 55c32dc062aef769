import assert from 'node:assert/strict';
import { afterEach, describe, it } from 'node:test';
import { unlessPresent } from './prerequisites.js';

describe('unlessPresent', () => {
  const ci = process.env['CI'];
  afterEach(() => {
    if (ci === undefined) delete process.env['CI'];
    else process.env['CI'] = ci;
  });

  it('gives nothing to skip for when the prerequisite is present, in CI or not', () => {
    process.env['CI'] = 'true';
    assert.equal(unlessPresent(true, 'no protoc'), undefined);
    delete process.env['CI'];
    assert.equal(unlessPresent(true, 'no protoc'), undefined);
  });

  it('gives the reason to skip outside CI, and throws it in CI, where nothing may pass by being skipped', () => {
    delete process.env['CI'];
    assert.equal(unlessPresent(false, 'no protoc'), 'no protoc');
    process.env['CI'] = 'true';
    assert.throws(() => unlessPresent(false, 'no protoc'), { message: 'CI must run this test: no protoc' });
  });
});
