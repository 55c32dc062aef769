/** Declarations of scripts/layers.mjs, for the tests that import it. */
export declare const LAYERS: readonly (readonly string[])[];
export declare const ENTRIES: Readonly<Record<string, readonly string[]>>;
export interface Zone {
  readonly target: string | readonly string[];
  readonly from: string | readonly string[];
  readonly except?: readonly string[];
  readonly message: string;
}
export declare function layerZones(): Zone[];
export declare function entryZones(): Zone[];
