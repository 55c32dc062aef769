"""The Python pipeline that `nin-sdk predict` is compared with: PIL + torchvision transforms + torch, on CPU.

    torch_predict.py <checkpoint> <images or folders...> [--threads N] [--top K] [--batch B]

Does what `nin-sdk predict` does, the way a PyTorch user would write it: loads the checkpoint into the NIN module
(bench/nin_torch_models.py), decodes each image with PIL, preprocesses it with torchvision transforms as the
default model was trained (fixtures/default-model/train.py: RGB, /255, CIFAR-10 mean/std; other sizes: shorter
side to 32, bilinear, centre crop), runs batches under torch.no_grad() in eval mode, and prints one line per image
in nin-sdk's format: `<file>  <label> <p>%  <label> <p>%  …`. A summary goes to stderr.
"""
import argparse
import os
import sys
import time

started = time.perf_counter()
import torch  # noqa: E402  (part of the cold start on purpose)
from PIL import Image  # noqa: E402
from torchvision import transforms  # noqa: E402

from nin_torch_models import build_module, unwrap_state_dict  # noqa: E402

CLASSES = ['airplane', 'automobile', 'bird', 'cat', 'deer', 'dog', 'frog', 'horse', 'ship', 'truck']
MEAN = (0.4914, 0.4822, 0.4465)
STD = (0.2470, 0.2435, 0.2616)
SIDE = 32
# The extensions nin-sdk predict looks for in folders (src/datasets/node/dataset.ts).
IMAGE_EXTENSIONS = {'.jpg', '.jpeg', '.png', '.webp', '.gif', '.tif', '.tiff', '.avif'}

PREPROCESS = transforms.Compose([
    transforms.Resize(SIDE),
    transforms.CenterCrop(SIDE),
    transforms.ToTensor(),
    transforms.Normalize(MEAN, STD),
])


def expand_image_paths(paths):
    """Files as given; folders searched recursively, in sorted order, as nin-sdk does."""
    files = []
    for path in paths:
        if not os.path.isdir(path):
            files.append(path)
            continue
        for root, dirs, names in os.walk(path):
            dirs.sort()
            files.extend(os.path.join(root, n) for n in sorted(names) if os.path.splitext(n)[1].lower() in IMAGE_EXTENSIONS)
    return files


def load_model(checkpoint_path):
    state_dict = unwrap_state_dict(torch.load(checkpoint_path, map_location='cpu'))
    module, side = build_module(state_dict)
    if side != SIDE:
        raise SystemExit(f'{checkpoint_path}: not a CIFAR-10 NIN (input side {side})')
    return module


def preprocess(path):
    with Image.open(path) as image:
        return PREPROCESS(image.convert('RGB'))


def format_line(path, probabilities, indices):
    classes = '  '.join(f'{CLASSES[i]} {p * 100:.1f}%' for p, i in zip(probabilities.tolist(), indices.tolist()))
    return f'{path}  {classes}'


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument('checkpoint')
    parser.add_argument('paths', nargs='+')
    parser.add_argument('--threads', type=int, required=True, help='torch.set_num_threads')
    parser.add_argument('--top', type=int, default=3)
    parser.add_argument('--batch', type=int, default=32)
    args = parser.parse_args()
    torch.set_num_threads(args.threads)

    model = load_model(args.checkpoint)
    files = expand_image_paths(args.paths)
    if not files:
        raise SystemExit(f'no images found in {", ".join(args.paths)}')
    with torch.no_grad():
        for start in range(0, len(files), args.batch):
            chunk = files[start:start + args.batch]
            batch = torch.stack([preprocess(path) for path in chunk])
            _, probabilities = model(batch)
            top_p, top_i = probabilities.topk(args.top, dim=1)
            for path, p, i in zip(chunk, top_p, top_i):
                print(format_line(path, p, i))
    seconds = time.perf_counter() - started
    print(f'{len(files)} images classified in {seconds:.2f} s with torch {torch.__version__}, {args.threads} threads', file=sys.stderr)


if __name__ == '__main__':
    main()
