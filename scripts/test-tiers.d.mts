/** Declarations of scripts/test-tiers.mjs, for the tests that import it. */
export declare const E2E: readonly string[];
export declare const ROOT: string;
export declare function isE2e(file: string): boolean;
export declare function allTestFiles(): string[];
export declare function staleE2eEntries(files?: readonly string[]): string[];
