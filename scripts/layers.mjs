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
