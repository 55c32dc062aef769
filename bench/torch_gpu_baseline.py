"""PyTorch's side of bench/gpu-check.sh: the default model's checkpoint in PyTorch on the GPU, as the baseline
that onnxruntime-node's cuda and webgpu figures are read against.

    torch_gpu_baseline.py <checkpoint> [--batches 1,32,256] [--seconds 3] [--threads N]

Per batch size: images/s on cpu (N intra-op threads) and on cuda (fp32, TF32 off so that the arithmetic is the
one ONNX Runtime's cuda provider does by default), each the median of timed forward passes after three warm-ups,
cuda timed with torch.cuda.synchronize around each pass; and the largest |cuda − cpu| over logits and
probabilities on the same uniform(−2, 2) batch. Prints one table; without a GPU it says so and measures cpu alone.
"""
import argparse
import statistics
import time

import torch

from nin_torch_models import build_module, unwrap_state_dict

WARM_UP_RUNS = 3
MINIMUM_RUNS = 5


def median_run_seconds(model, batch, seconds, synchronize):
    for _ in range(WARM_UP_RUNS):
        model(batch)
    synchronize()
    times = []
    until = time.perf_counter() + seconds
    while len(times) < MINIMUM_RUNS or time.perf_counter() < until:
        start = time.perf_counter()
        model(batch)
        synchronize()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument('checkpoint')
    parser.add_argument('--batches', default='1,32,256')
    parser.add_argument('--seconds', type=float, default=3)
    parser.add_argument('--threads', type=int, default=torch.get_num_threads())
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    torch.backends.cuda.matmul.allow_tf32 = False
    torch.backends.cudnn.allow_tf32 = False
    torch.backends.cudnn.benchmark = True

    model, side = build_module(unwrap_state_dict(torch.load(args.checkpoint, map_location='cpu')))
    has_cuda = torch.cuda.is_available()
    gpu = model.to('cuda') if has_cuda else None
    cpu_model, _ = build_module(unwrap_state_dict(torch.load(args.checkpoint, map_location='cpu')))
    print(f'torch {torch.__version__}, cpu threads {torch.get_num_threads()}, '
          f'cuda: {torch.cuda.get_device_name(0) if has_cuda else "not available"}')

    rows = [('batch', 'cpu img/s', 'cuda img/s (×cpu)', 'max |cuda − cpu|')]
    generator = torch.Generator().manual_seed(1000)
    with torch.no_grad():
        for batch in (int(b) for b in args.batches.split(',')):
            data = torch.rand((batch, 3, side, side), generator=generator) * 4 - 2
            cpu_rate = batch / median_run_seconds(cpu_model, data, args.seconds, lambda: None)
            if gpu is None:
                rows.append((str(batch), f'{cpu_rate:.0f}', 'unavailable', ''))
                continue
            on_gpu = data.to('cuda')
            cuda_rate = batch / median_run_seconds(gpu, on_gpu, args.seconds, torch.cuda.synchronize)
            difference = max((a.cpu() - b).abs().max().item() for a, b in zip(gpu(on_gpu), cpu_model(data)))
            rows.append((str(batch), f'{cpu_rate:.0f}', f'{cuda_rate:.0f} ({cuda_rate / cpu_rate:.3g}×)',
                         f'{difference:.2e}'))
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    for row in rows:
        print('  '.join(cell.ljust(width) for cell, width in zip(row, widths)).rstrip())


if __name__ == '__main__':
    main()
