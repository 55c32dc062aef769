#!/usr/bin/env bash
# Packs what bench/gpu-check.sh needs on a machine that has no Node.js, no npm and no network (the GPU machines
# lent to this project), into two folders that git ignores (.git/info/exclude) and that travel with the checkout:
#
#   .gpu/node.xz         this machine's node, stripped and xz-compressed (~20 MB)
#   .gpu/ort.tar.xz      onnxruntime-node (linux-x64 binaries only) and onnxruntime-common (~12 MB)
#   .gpu/gpu-check.mjs   bench/gpu-check.ts bundled into one file, onnxruntime-node left outside
#   .gl/*.deb            the Vulkan loader and GL dispatch libraries for amd64 from Debian (webgpu needs libvulkan.so.1)
#
# Run it after `npm ci`, on x86-64 Linux, as root (apt-get download). Takes ~3 minutes (xz -9).
set -euo pipefail
cd "$(dirname "$0")/.."

[ "$(uname -m)" = x86_64 ] || { echo 'gpu-pack: the GPU machines are x86-64: pack on x86-64' >&2; exit 1; }
mkdir -p .gpu .gl
touch .git/info/exclude
for folder in /.gpu/ /.gl/; do grep -qxF "$folder" .git/info/exclude || echo "$folder" >>.git/info/exclude; done

echo 'gpu-pack: node'
strip -o .gpu/node.tmp "$(command -v node)"
xz -9 -T0 -c .gpu/node.tmp >.gpu/node.xz.tmp && mv .gpu/node.xz.tmp .gpu/node.xz
rm -f .gpu/node.tmp

echo 'gpu-pack: onnxruntime-node'
tar -C node_modules -cf - onnxruntime-node/package.json onnxruntime-node/dist onnxruntime-node/script \
  onnxruntime-node/bin/napi-v6/linux/x64 onnxruntime-common | xz -9 -T0 >.gpu/ort.tar.xz.tmp
mv .gpu/ort.tar.xz.tmp .gpu/ort.tar.xz

echo 'gpu-pack: gpu-check bundle'
npx esbuild bench/gpu-check.ts --bundle --platform=node --format=esm --target=node20 \
  --external:onnxruntime-node --outfile=.gpu/gpu-check.mjs --log-level=warning \
  --banner:js="import { createRequire as __ninCreateRequire } from 'node:module'; const require = __ninCreateRequire(import.meta.url);"

echo 'gpu-pack: Vulkan loader'
lists=$(mktemp -d)
apt_amd64=(-oAPT::Architecture=amd64 -oAPT::Architectures=amd64 "-oDir::State::Lists=$lists")
mkdir -p "$lists/partial"
apt-get "${apt_amd64[@]}" update >/dev/null
(cd .gl && apt-get "${apt_amd64[@]}" download libvulkan1 libegl1 libglvnd0 libopengl0 libgl1 libglx0 libgles2 >/dev/null 2>&1)
rm -rf "$lists"

du -ch .gpu/* .gl/* | tail -1 | sed 's/total/gpu-pack: in all (travels with the checkout)/'
