/**
 * The package version, as code so that browser builds have it too (test/version.test.ts pins it to package.json).
 *
 * @example
 * ```ts
 * import { NIN_SDK_VERSION } from 'nin-sdk';
 * console.log(`nin-sdk ${NIN_SDK_VERSION}`);
 * ```
 */
export const NIN_SDK_VERSION = '0.1.0';
