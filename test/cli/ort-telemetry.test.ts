import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { disableOrtTelemetryUnlessChosen, ORT_TELEMETRY_ENV } from '../../src/cli/ort-telemetry.js';

describe("ONNX Runtime's telemetry switch", () => {
  test('unset: nin-sdk turns it off', () => {
    const env: NodeJS.ProcessEnv = {};
    disableOrtTelemetryUnlessChosen(env);
    assert.deepEqual(env, { [ORT_TELEMETRY_ENV]: '1' });
  });

  test("set to anything, '0' (telemetry on) included: the user's value stays", () => {
    for (const value of ['0', 'false', '1', 'yes', '']) {
      const env: NodeJS.ProcessEnv = { [ORT_TELEMETRY_ENV]: value };
      disableOrtTelemetryUnlessChosen(env);
      assert.deepEqual(env, { [ORT_TELEMETRY_ENV]: value });
    }
  });
});
