import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { builtinModules } from 'node:module';
import { join, posix } from 'node:path';
import { describe, it } from 'node:test';
import { ROOT } from '../support/fixtures.js';

/** The part of `npm pack --json`'s report that the tests read. */
interface PackReport {
  readonly files: readonly { readonly path: string }[];
  readonly size: number;
  readonly unpackedSize: number;
}
interface PackageManifest {
  readonly bin: Readonly<Record<string, string>>;
  readonly main: string;
  readonly types: string;
  readonly exports: Readonly<Record<string, string | Readonly<Record<string, string>>>>;
  readonly dependencies: Readonly<Record<string, string>>;
  readonly peerDependencies: Readonly<Record<string, string>>;
  readonly peerDependenciesMeta: Readonly<Record<string, { readonly optional?: boolean }>>;
  readonly devDependencies: Readonly<Record<string, string>>;
  readonly engines: Readonly<Record<string, string>>;
  readonly scripts: Readonly<Record<string, string>>;
}

const manifest = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as PackageManifest;

/**
 * What `npm pack` (and so `npm publish`) would put in the tarball, without writing it. Scripts are skipped:
 * `npm test` has just built dist/, and `prepack` would build it again.
 */
function packReport(): PackReport {
  const json = execFileSync('npm', ['pack', '--dry-run', '--json', '--ignore-scripts'], {
    cwd: ROOT,
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'ignore'],
  });
  const [report] = JSON.parse(json) as PackReport[];
  assert.ok(report !== undefined, 'npm pack --json printed no report');
  return report;
}

/** The module specifiers a compiled file loads: static and dynamic imports, re-exports, require.resolve. */
function specifiers(compiled: string): string[] {
  // Comments quote usage (`import … from 'nin-sdk/web'`) that the file itself does not load.
  const source = compiled.replace(/\/\*[\s\S]*?\*\//g, '').replace(/^\s*\/\/.*$/gm, '');
  const patterns = [
    /\b(?:import|export)\s[^'";]*?\bfrom\s*['"]([^'"]+)['"]/g,
    /\bimport\s*['"]([^'"]+)['"]/g,
    /\bimport\s*\(\s*['"]([^'"]+)['"]\s*\)/g,
    /\.resolve\(\s*['"]([^'"]+)['"]\s*\)/g,
  ];
  return patterns.flatMap((pattern) => [...source.matchAll(pattern)].map((match) => match[1]!));
}

/** 'onnxruntime-node' of 'onnxruntime-node/dist/x.js', '@jsquash/jpeg' of '@jsquash/jpeg/codec/dec/y.wasm'. */
function packageName(specifier: string): string {
  const parts = specifier.split('/');
  return specifier.startsWith('@') ? `${parts[0]}/${parts[1]}` : parts[0]!;
}

describe('the npm package (npm pack)', () => {
  const report = packReport();
  const paths = new Set(report.files.map((file) => file.path));

  it('holds the runtime and its documentation: the build, the embedded model, the manifest, README, docs and LICENSE', (t) => {
    t.diagnostic(
      `${report.files.length} files, ${(report.size / 1e6).toFixed(1)} MB packed, ${(report.unpackedSize / 1e6).toFixed(1)} MB unpacked`,
    );
    const outside = [...paths].filter(
      (path) =>
        !/^(dist\/cli\/|dist\/src\/|models\/|docs\/[\w.-]+\.md$|docs\/explain\/[\w.-]+\.png$)/.test(path) &&
        !['package.json', 'README.md', 'LICENSE'].includes(path),
    );
    assert.deepEqual(outside, []);
    assert.ok(paths.has('LICENSE'));
    assert.ok(paths.has('models/nin-cifar10.onnx'));
  });

  it('resolves every relative link of its README and docs inside the package (npm shows no repository files)', () => {
    const broken: string[] = [];
    for (const path of paths) {
      if (!path.endsWith('.md')) continue;
      const text = readFileSync(join(ROOT, path), 'utf8');
      for (const [, target] of text.matchAll(/\]\(([^)\s]+)\)/g)) {
        if (/^[a-z][a-z0-9+.-]*:/i.test(target!) || target!.startsWith('#')) continue;
        const file = posix.normalize(posix.join(posix.dirname(path), target!.split('#')[0]!));
        if (!paths.has(file)) broken.push(`${path} → ${target}`);
      }
    }
    assert.deepEqual(broken, []);
    assert.ok(paths.has('docs/install.md'));
  });

  it('has a README of at most 12 KB whose Dependencies list names every runtime dependency', () => {
    const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');
    assert.ok(Buffer.byteLength(readme) <= 12 * 1024, `README.md is ${Buffer.byteLength(readme)} bytes`);
    const section = readme.split(/^## /m).find((part) => part.startsWith('Dependencies'));
    assert.ok(section !== undefined, 'README.md has no "## Dependencies" section');
    assert.deepEqual(
      Object.keys(manifest.dependencies).filter((name) => !section.includes(`\`${name}\``)),
      [],
    );
  });

  it('contains every file that package.json names: bins, main, types, exports', () => {
    const named = [
      ...Object.values(manifest.bin),
      manifest.main,
      manifest.types,
      ...Object.values(manifest.exports).flatMap((target) =>
        typeof target === 'string' ? [target] : Object.values(target),
      ),
    ]
      .filter((target) => !target.includes('*'))
      .map((target) => posix.normalize(target));
    assert.deepEqual(
      named.filter((path) => !paths.has(path)),
      [],
    );
    for (const bin of Object.values(manifest.bin)) {
      assert.match(readFileSync(join(ROOT, bin), 'utf8'), /^#!\/usr\/bin\/env node\n/, `${bin} has no node shebang`);
    }
  });

  it('is self-contained: every relative import is packed, every package it loads is a dependency and the reverse', (t) => {
    const builtins = new Set(builtinModules);
    const unresolved: string[] = [];
    const undeclared = new Set<string>();
    const packages = new Set<string>();
    let relative = 0;
    for (const path of paths) {
      if (!/\.(m?js|d\.ts)$/.test(path)) continue;
      for (const specifier of specifiers(readFileSync(join(ROOT, path), 'utf8'))) {
        if (specifier.startsWith('.')) {
          relative += 1;
          const target = posix.join(posix.dirname(path), specifier);
          if (!paths.has(target)) unresolved.push(`${path} → ${specifier}`);
        } else if (!specifier.startsWith('node:') && !builtins.has(specifier)) {
          const name = packageName(specifier);
          packages.add(name);
          // Declarations may name dev-only types (@types/node); what runs must be a dependency, or the optional
          // peer onnxruntime-web, which only the browser entry (dist/src/web) may load.
          const peer = manifest.peerDependencies[name] !== undefined && path.startsWith('dist/src/web/');
          if (!path.endsWith('.d.ts') && manifest.dependencies[name] === undefined && !peer)
            undeclared.add(`${name} (${path})`);
        }
      }
    }
    t.diagnostic(`${relative} relative imports; packages used: ${[...packages].sort().join(', ')}`);
    assert.deepEqual(unresolved, []);
    assert.deepEqual([...undeclared], []);
    // And the reverse: a dependency that nothing loads is only a download for every user.
    assert.deepEqual(
      [...Object.keys(manifest.dependencies), ...Object.keys(manifest.peerDependencies)].filter(
        (name) => !packages.has(name),
      ),
      [],
    );
  });

  it('ships no source maps (they would point at sources that are not shipped)', () => {
    assert.deepEqual(
      [...paths].filter((path) => path.endsWith('.map')),
      [],
    );
  });
});

describe('install footprint and versions (package.json)', () => {
  it('pins ONNX Runtime to one exact version, so that a user gets one onnxruntime-common', () => {
    const versions = {
      common: manifest.dependencies['onnxruntime-common'],
      node: manifest.dependencies['onnxruntime-node'],
      webPeer: manifest.peerDependencies['onnxruntime-web'],
      webDev: manifest.devDependencies['onnxruntime-web'],
    };
    assert.match(versions.node!, /^\d+\.\d+\.\d+$/);
    assert.deepEqual(new Set(Object.values(versions)), new Set([versions.node]));
    const installed = (name: string) =>
      (JSON.parse(readFileSync(join(ROOT, 'node_modules', name, 'package.json'), 'utf8')) as { version: string })
        .version;
    assert.deepEqual(['onnxruntime-common', 'onnxruntime-node', 'onnxruntime-web'].map(installed), [
      versions.node,
      versions.node,
      versions.node,
    ]);
  });

  it('onnxruntime-web (145 MB) is an optional peer: only nin-sdk/web needs it', () => {
    assert.equal(manifest.dependencies['onnxruntime-web'], undefined);
    assert.deepEqual(manifest.peerDependenciesMeta['onnxruntime-web'], { optional: true });
  });

  it('builds at prepack (no prepare script for npm to warn about), and engines say what require(esm) needs', () => {
    assert.equal(manifest.scripts['prepare'], undefined);
    assert.equal(manifest.scripts['prepack'], 'npm run build');
    assert.equal(manifest.engines['node'], '^20.19.0 || >=22.12.0');
  });
});
