/**
 * The package's public entry points: the import specifier a user writes, the source file behind it and its built
 * declarations (package.json `exports`), and the name of its API report. One list for the API report, the
 * reference and the check that every exported name is documented.
 */
export interface PublicEntry {
  /** What a user imports. */
  readonly specifier: string;
  /** The entry's source, relative to the repository. */
  readonly source: string;
  /** Its declarations after `npm run build`, as package.json `exports` names them. */
  readonly declarations: string;
  /** docs/api-report/<reportName>.api.md */
  readonly reportName: string;
}

export const PUBLIC_ENTRIES: readonly PublicEntry[] = [
  { specifier: 'nin-sdk', source: 'src/index.ts', declarations: 'dist/src/index.d.ts', reportName: 'nin-sdk' },
  {
    specifier: 'nin-sdk/common',
    source: 'src/common.ts',
    declarations: 'dist/src/common.d.ts',
    reportName: 'nin-sdk-common',
  },
  {
    specifier: 'nin-sdk/web',
    source: 'src/web/index.ts',
    declarations: 'dist/src/web/index.d.ts',
    reportName: 'nin-sdk-web',
  },
  {
    specifier: 'nin-sdk/train',
    source: 'src/train/index.ts',
    declarations: 'dist/src/train/index.d.ts',
    reportName: 'nin-sdk-train',
  },
];
