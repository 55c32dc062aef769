/** Declarations of scripts/testing-doc.mjs, for the test that checks docs/testing.md. */
export declare const TESTING_DOC: string;
export declare const MARKER: string;
export declare function testingDoc(current?: string): string;
export declare function describeFile(file: string): string;
