// The source layers, lowest first (docs/architecture.md). A file may import from its own layer or a lower one,
// never a higher one; layers on one line are side by side and may not import each other. eslint.config.js turns this
// list into import-x/no-restricted-paths zones (type imports, re-exports and import() included), and
// docs/architecture.md draws it.
export const LAYERS = [
  ['src/version.ts'],
  ['src/io', 'src/numeric', 'src/schema'],
  ['src/graph'],
  ['src/formats'],
  ['src/preprocess'],
  ['src/datasets'],
  ['src/architectures'],
  ['src/model'],
  ['src/convert'],
  ['src/runtime'],
  ['src/classifier'],
  ['src/quantize'],
  ['src/train'],
  ['src/serve'],
  ['src/node'],
  ['src/common.ts'],
  ['src/web', 'src/index.ts', 'src/browser-refusal.ts'],
  ['src/cli'],
];

/**
 * Each layer folder's entry modules, relative to the folder: its surface to the layers above. From outside the folder
 * only these may be imported; inside it, files import each other by relative deep paths. A browser-safe layer with a
 * Node-only part has that part's own entry, `node/index.ts`, so that what nin-sdk/web loads never reaches it.
 * serve's protocol client has its own entry, `client.ts`, so that the Node entry's `connect` does not load the HTTP
 * server (an unbundled `import('nin-sdk')` loads whole entry modules). src/train/index.ts is the public nin-sdk/train (the core only): the layers above see train through `internal.ts`.
 * Layers that are one file are their own entry.
 */
export const ENTRIES = {
  'src/io': ['index.ts'],
  'src/numeric': ['index.ts'],
  'src/schema': ['index.ts'],
  'src/graph': ['index.ts'],
  'src/formats': ['index.ts'],
  'src/preprocess': ['index.ts', 'node/index.ts'],
  'src/datasets': ['node/index.ts'],
  'src/architectures': ['index.ts'],
  'src/model': ['index.ts'],
  'src/convert': ['index.ts'],
  'src/runtime': ['index.ts', 'node/index.ts'],
  'src/classifier': ['index.ts'],
  'src/quantize': ['index.ts', 'node/index.ts'],
  'src/train': ['internal.ts', 'node/index.ts'],
  'src/serve': ['index.ts', 'client.ts'],
  'src/node': ['index.ts'],
  'src/web': ['index.ts'],
  'src/cli': [],
};

/** import-x/no-restricted-paths zones: each layer may not import any layer above it or beside it. */
export function layerZones() {
  const zones = [];
  LAYERS.forEach((layer, level) => {
    const above = LAYERS.slice(level + 1).flat();
    for (const target of layer) {
      const beside = layer.filter((other) => other !== target);
      const from = [...above, ...beside];
      if (from.length === 0) continue;
      zones.push({
        target: `./${target}`,
        from: from.map((path) => `./${path}`),
        message: 'layers only point down (docs/architecture.md).',
      });
    }
  });
  return zones;
}

/**
 * import-x/no-restricted-paths zones: from outside a layer folder, only its entry modules (ENTRIES) may be imported,
 * type imports, re-exports and import() included.
 */
export function entryZones() {
  const layers = LAYERS.flat();
  const folders = layers.filter((layer) => !layer.endsWith('.ts'));
  const unlisted = folders.filter((folder) => ENTRIES[folder] === undefined);
  if (unlisted.length > 0) throw new Error(`scripts/layers.mjs: no ENTRIES for ${unlisted.join(', ')}`);
  return folders.map((folder) => ({
    target: layers.filter((other) => other !== folder).map((other) => `./${other}`),
    from: `./${folder}`,
    except: ENTRIES[folder].map((entry) => `./${entry}`),
    message:
      ENTRIES[folder].length === 0
        ? 'nothing imports this layer.'
        : `from another layer, import ${folder} through ${ENTRIES[folder].join(' or ')} (scripts/layers.mjs).`,
  }));
}
