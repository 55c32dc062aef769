#!/usr/bin/env bash
# The default model on a real GPU: `cuda` and `webgpu` against `cpu` in onnxruntime-node, fp32 and int8 (when
# models/ has an int8 file): exactness (max |Δ| vs cpu, top-1 agreement) and images/s at batch 1, 32 and 256, as
# one table; then the same checkpoint in PyTorch on cpu and cuda (bench/torch_gpu_baseline.py) when python3 has
# torch, as the baseline. Meant to be run as it is on a machine with an NVIDIA GPU; on one without, it says which
# providers are unavailable and why, and still measures cpu.
#
#   bench/gpu-check.sh [--seconds 3] [--batches 1,32,256] [--providers cpu,cuda,webgpu]
#
# On a machine with no Node.js, no npm and no network (the GPU machines lent to this project), run
# bench/gpu-pack.sh here first: it writes .gpu/ (this machine's node, onnxruntime-node's linux-x64 files, and this
# check bundled into one file) and .gl/ (the Vulkan loader's Debian packages); take the checkout with both there
# and run this script as root.
#
# CUDA needs onnxruntime-node's CUDA provider libraries, which `npm install` skips (.npmrc says
# onnxruntime-node-install=skip). They are taken, first found first: from NIN_ORT_CUDA_NUPKG, the NuGet package
# Microsoft.ML.OnnxRuntime.Gpu.Linux 1.30.0 fetched elsewhere
# (https://www.nuget.org/api/v2/package/Microsoft.ML.OnnxRuntime.Gpu.Linux/1.30.0); from python3's onnxruntime
# when it is the GPU build of the same version (its capi/ folder holds the same two libraries); or by
# onnxruntime-node's own installer (ONNXRUNTIME_NODE_INSTALL=cuda12, a download from api.nuget.org).
# They also need CUDA 12 and cuDNN 9 (libcudart.so.12, libcublas.so.12, libcudnn.so.9: the CUDA toolkit and
# cuDNN packages, or pip's nvidia-*-cu12 wheels, whose lib folders this script puts on LD_LIBRARY_PATH).
# WebGPU is built into onnxruntime-node 1.30 (Dawn); it needs a Vulkan loader (libvulkan.so.1) and the GPU's
# Vulkan driver (NVIDIA's ships nvidia_icd.json).
set -uo pipefail
cd "$(dirname "$0")/.."

ORT_BIN=node_modules/onnxruntime-node/bin/napi-v6/linux/x64
CUDA_LIBS=(libonnxruntime_providers_cuda.so libonnxruntime_providers_shared.so)
BASELINE_CHECKPOINT=fixtures/sdk-train/nin-cifar10-sdk.pth

section() { printf '\n== %s\n' "$1"; }

section 'Node.js and onnxruntime-node'
if ! command -v node >/dev/null 2>&1 && [ -f .gpu/node.xz ]; then
  mkdir -p /tmp/nin-gpu-bin && xz -dc .gpu/node.xz >/tmp/nin-gpu-bin/node && chmod +x /tmp/nin-gpu-bin/node
  export PATH="/tmp/nin-gpu-bin:$PATH"
  echo '  node unpacked from .gpu/node.xz'
fi
if [ ! -d node_modules/onnxruntime-node ] && [ -f .gpu/ort.tar.xz ]; then
  mkdir -p node_modules && tar -xJf .gpu/ort.tar.xz -C node_modules && echo '  onnxruntime-node unpacked from .gpu/ort.tar.xz'
fi
if ! command -v node >/dev/null 2>&1; then
  echo 'gpu-check: no node on PATH (and no .gpu/node.xz: run bench/gpu-pack.sh where Node.js is installed)' >&2
  exit 1
fi
if [ ! -d node_modules/onnxruntime-node ]; then
  echo "gpu-check: node_modules/onnxruntime-node is missing: run 'npm ci' first (or bench/gpu-pack.sh)" >&2
  exit 1
fi
echo "  node $(node -v)"

section 'GPU'
has_gpu=0
if command -v nvidia-smi >/dev/null 2>&1 && nvidia-smi --query-gpu=name,driver_version,memory.total --format=csv,noheader; then
  has_gpu=1
else
  echo 'no NVIDIA GPU found (no working nvidia-smi): cuda will be unavailable'
fi

section 'CUDA, cuDNN and Vulkan libraries seen by the dynamic loader'
# pip's CUDA wheels (nvidia-cublas-cu12, nvidia-cudnn-cu12, …) keep their libraries in site-packages/nvidia/*/lib.
nvidia_dirs=$(python3 -c "
import glob, os, nvidia
found = {os.path.dirname(p) for root in nvidia.__path__ for p in glob.glob(os.path.join(root, '**', 'lib*.so*'), recursive=True)}
print('\n'.join(sorted(found)))" 2>/dev/null)
if [ -n "$nvidia_dirs" ]; then
  export LD_LIBRARY_PATH="$(paste -sd: <<<"$nvidia_dirs")${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}"
  echo "  on LD_LIBRARY_PATH: $(wc -l <<<"$nvidia_dirs") library folders of pip's nvidia packages"
fi
if ! ldconfig -p 2>/dev/null | grep -q libvulkan.so.1 && compgen -G '.gl/*.deb' >/dev/null && [ "$(id -u)" = 0 ]; then
  for deb in .gl/*.deb; do dpkg -x "$deb" /; done
  ldconfig
  echo '  Vulkan loader unpacked from .gl/'
fi
nvidia_icd=/usr/local/nvidia/share/vulkan/icd.d/nvidia_icd.json
if [ -z "${VK_DRIVER_FILES:-}" ] && [ -f "$nvidia_icd" ]; then export VK_DRIVER_FILES="$nvidia_icd"; fi
find_library() {
  ldconfig -p 2>/dev/null | grep -q "$1" && return 0
  local dir
  IFS=: read -ra dirs <<<"${LD_LIBRARY_PATH:-}"
  for dir in "${dirs[@]}"; do compgen -G "$dir/$1*" >/dev/null && return 0; done
  return 1
}
for lib in libcudart.so.12 libcublas.so.12 libcudart.so.13 libcublas.so.13 libcudnn.so.9 libvulkan.so.1; do
  if find_library "$lib"; then echo "  $lib: found"; else echo "  $lib: not found"; fi
done

section "onnxruntime-node's CUDA provider libraries"
have_cuda_libs() { for lib in "${CUDA_LIBS[@]}"; do [ -f "$ORT_BIN/$lib" ] || return 1; done; }
python_ort=$(python3 -c "
import os, onnxruntime as o
print(o.__version__, os.path.join(os.path.dirname(o.__file__), 'capi'), ','.join(o.get_available_providers()))" 2>/dev/null)
[ -n "$python_ort" ] && echo "  python3's onnxruntime: $python_ort"
read -r python_ort_version python_ort_capi _ <<<"${python_ort:-- -}"
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
elif [ "$python_ort_version" = 1.30.0 ] && [ -f "$python_ort_capi/${CUDA_LIBS[0]}" ]; then
  echo "  copied from python3's onnxruntime 1.30.0 GPU build"
  for lib in "${CUDA_LIBS[@]}"; do cp "$python_ort_capi/$lib" "$ORT_BIN/"; done
elif [ "$has_gpu" = 1 ]; then
  echo '  installing with ONNXRUNTIME_NODE_INSTALL=cuda12 (downloads from api.nuget.org; up to 2 minutes)'
  if ! ONNXRUNTIME_NODE_INSTALL=cuda12 timeout 120 node node_modules/onnxruntime-node/script/install.js; then
    echo '  the download failed (no network to api.nuget.org?): fetch the .nupkg elsewhere and rerun with NIN_ORT_CUDA_NUPKG=<file>'
  fi
else
  echo '  not installed, and not downloaded: there is no NVIDIA GPU to use them'
fi
have_cuda_libs && echo "  present: ${CUDA_LIBS[*]}"

section 'build'
if [ ! -d node_modules/typescript ] && [ -f .gpu/gpu-check.mjs ]; then
  # Carried by bench/gpu-pack.sh. The bundle does not lie two folders below the project root, so the models are
  # named here: the fp32 default model first, then the int8 one.
  check=(node .gpu/gpu-check.mjs --models "$( (ls models/*.onnx | grep -v int8; ls models/*.onnx | grep int8) | paste -sd,)")
  echo '  using the carried bundle .gpu/gpu-check.mjs'
else
  if [ ! -f dist/bench/gpu-check.js ] || [ -n "$(find bench src -name '*.ts' -newer dist/bench/gpu-check.js -print -quit)" ]; then
    npx tsc -p tsconfig.json || { echo 'gpu-check: the TypeScript build failed' >&2; exit 1; }
  fi
  check=(node dist/bench/gpu-check.js)
  echo '  dist/bench/gpu-check.js up to date'
fi

section 'cpu vs cuda vs webgpu'
"${check[@]}" "$@"
status=$?

section 'PyTorch baseline: the same checkpoint on cpu and cuda'
# The python3 with torch: plain python3 on the GPU machines, Debian's /usr/bin/python3 where python3 is a pyenv one.
torch_python=$(for p in python3 /usr/bin/python3; do "$p" -c 'import torch' 2>/dev/null && echo "$p" && break; done)
if [ -n "$torch_python" ]; then
  "$torch_python" bench/torch_gpu_baseline.py "$BASELINE_CHECKPOINT"
else
  echo '  python3 has no torch: no baseline'
fi
exit $status
