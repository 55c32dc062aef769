#!/usr/bin/env bash
# The default model on a real GPU: `cuda` and `webgpu` against `cpu` in onnxruntime-node, fp32 and int8 (when
# models/ has an int8 file): exactness (max |Δ| vs cpu, top-1 agreement) and images/s at batch 1, 32 and 256, as
# one table. Meant to be run as it is on a machine with an NVIDIA GPU; on one without, it says which providers
# are unavailable and why, and still measures cpu.
#
#   bench/gpu-check.sh [--seconds 3] [--batches 1,32,256] [--providers cpu,cuda,webgpu] [--models a.onnx,b.onnx]
#
# CUDA needs onnxruntime-node's CUDA provider libraries, which `npm install` skips here (.npmrc says
# onnxruntime-node-install=skip). This script installs them with onnxruntime-node's own installer
# (ONNXRUNTIME_NODE_INSTALL=cuda12), which downloads the NuGet package Microsoft.ML.OnnxRuntime.Gpu.Linux 1.30.0
# from api.nuget.org. Without network access, fetch that .nupkg elsewhere
# (https://www.nuget.org/api/v2/package/Microsoft.ML.OnnxRuntime.Gpu.Linux/1.30.0) and pass it:
#   NIN_ORT_CUDA_NUPKG=/path/to/microsoft.ml.onnxruntime.gpu.linux.1.30.0.nupkg bench/gpu-check.sh
# The libraries also need CUDA 12 and cuDNN 9 on the machine (libcudart.so.12, libcublas.so.12, libcudnn.so.9:
# the CUDA toolkit and cuDNN packages, or pip's nvidia-*-cu12 wheels with LD_LIBRARY_PATH pointing at them).
# WebGPU is built into onnxruntime-node 1.30 (Dawn); it needs a Vulkan loader (libvulkan.so.1) and the GPU's
# Vulkan driver (NVIDIA's ships nvidia_icd.json).
set -uo pipefail
cd "$(dirname "$0")/.."

ORT_BIN=node_modules/onnxruntime-node/bin/napi-v6/linux/x64
CUDA_LIBS=(libonnxruntime_providers_cuda.so libonnxruntime_providers_shared.so)

section() { printf '\n== %s\n' "$1"; }

if [ ! -d node_modules/onnxruntime-node ]; then
  echo "gpu-check: node_modules/onnxruntime-node is missing: run 'npm ci' first" >&2
  exit 1
fi

section 'GPU'
has_gpu=0
if command -v nvidia-smi >/dev/null 2>&1 && nvidia-smi --query-gpu=name,driver_version,memory.total --format=csv,noheader; then
  has_gpu=1
else
  echo 'no NVIDIA GPU found (no working nvidia-smi): cuda will be unavailable'
fi

section 'CUDA 12, cuDNN 9 and Vulkan libraries seen by the dynamic loader'
find_library() {
  ldconfig -p 2>/dev/null | grep -q "$1" && return 0
  local dir
  IFS=: read -ra dirs <<<"${LD_LIBRARY_PATH:-}"
  for dir in "${dirs[@]}"; do compgen -G "$dir/$1*" >/dev/null && return 0; done
  return 1
}
for lib in libcudart.so.12 libcublas.so.12 libcudnn.so.9 libvulkan.so.1; do
  if find_library "$lib"; then echo "  $lib: found"; else echo "  $lib: not found"; fi
done

section "onnxruntime-node's CUDA provider libraries"
have_cuda_libs() { for lib in "${CUDA_LIBS[@]}"; do [ -f "$ORT_BIN/$lib" ] || return 1; done; }
if have_cuda_libs; then
  echo "  already installed in $ORT_BIN"
elif [ -n "${NIN_ORT_CUDA_NUPKG:-}" ]; then
  echo "  extracting from $NIN_ORT_CUDA_NUPKG"
  /usr/bin/env python3 - "$NIN_ORT_CUDA_NUPKG" "$ORT_BIN" <<'EOF' || echo "  extraction failed"
import sys, zipfile, os
package, target = sys.argv[1], sys.argv[2]
with zipfile.ZipFile(package) as z:
    for name in z.namelist():
        if name.startswith('runtimes/linux-x64/native/libonnxruntime_providers_'):
            with z.open(name) as src, open(os.path.join(target, os.path.basename(name)), 'wb') as dst:
                dst.write(src.read())
            print('  ', os.path.basename(name))
EOF
elif [ "$has_gpu" = 1 ]; then
  echo '  installing with ONNXRUNTIME_NODE_INSTALL=cuda12 (downloads from api.nuget.org; up to 5 minutes)'
  if ! ONNXRUNTIME_NODE_INSTALL=cuda12 timeout 300 node node_modules/onnxruntime-node/script/install.js; then
    echo '  the download failed (no network to api.nuget.org?): fetch the .nupkg elsewhere and rerun with NIN_ORT_CUDA_NUPKG=<file>'
  fi
else
  echo '  not installed, and not downloaded: there is no NVIDIA GPU to use them'
fi
have_cuda_libs && echo "  present: ${CUDA_LIBS[*]}"

section 'build'
if [ ! -f dist/bench/gpu-check.js ] || [ -n "$(find bench src -name '*.ts' -newer dist/bench/gpu-check.js -print -quit)" ]; then
  npx tsc -p tsconfig.json || { echo 'gpu-check: the TypeScript build failed' >&2; exit 1; }
fi
echo '  dist/bench/gpu-check.js up to date'

section 'cpu vs cuda vs webgpu'
exec node dist/bench/gpu-check.js "$@"
