import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { formatDuration, TrainingPace } from '../../src/cli/commands/train-pace.js';

describe('TrainingPace', () => {
  it('gives the images/s since the process started and the time left at that rate', () => {
    let now = 1000;
    const pace = new TrainingPace(50_000 * 3 - 12_800, () => now);
    assert.equal(pace.describe(), 'no batch trained yet');
    now += 100_000;
    pace.record(6000);
    assert.equal(pace.describe(), '60.0 images/s, about 36 min to go');
    pace.record(131_200);
    assert.equal(pace.describe(), '1372.0 images/s, done');
  });

  it('formats durations coarsely', () => {
    assert.deepEqual([0, 44.6, 59.4, 60, 3569, 3599, 22_020, 90_000].map(formatDuration), [
      '0 s',
      '45 s',
      '59 s',
      '1 min',
      '59 min',
      '1 h 00 min',
      '6 h 07 min',
      '25 h 00 min',
    ]);
  });
});
