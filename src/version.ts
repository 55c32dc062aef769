/** The package version, as code so that browser builds have it too (test/version.test.ts pins it to package.json). */
export const NIN_SDK_VERSION = '0.1.0';
