"""PyTorch's side of the SDK bench's model-only throughput, driven by bench/torch-model-worker.ts.

    torch_model_worker.py <checkpoint> --threads N

A long-lived process, so that its timed forward passes can alternate with ONNX Runtime's in the same minutes of
a shared machine. Requests are JSON lines on stdin, each answered by one JSON line on stdout:

    (at start, unasked)                                     -> {"torchVersion": ..., "threads": N}
    {"op": "input", "path": f, "shape": [n, 3, 32, 32]}     -> {"logits": [...], "probabilities": [...]}
        reads a little-endian float32 batch written by the bench, makes it the batch to time, runs it once
    {"op": "time", "seconds": s, "minRuns": k}              -> {"runSeconds": [...]}
        forward passes of that batch until s seconds and k runs are both reached, each timed with perf_counter

The model is the checkpoint's NIN in eval mode (bench/nin_torch_models.py), run under torch.no_grad().
"""
import argparse
import json
import sys
import time

import numpy as np
import torch

from nin_torch_models import build_module, unwrap_state_dict


def reply(message):
    sys.stdout.write(json.dumps(message) + '\n')
    sys.stdout.flush()


def timed_runs(model, batch, seconds, min_runs):
    run_seconds = []
    started = time.perf_counter()
    while len(run_seconds) < min_runs or time.perf_counter() - started < seconds:
        t0 = time.perf_counter()
        model(batch)
        run_seconds.append(time.perf_counter() - t0)
    return run_seconds


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument('checkpoint')
    parser.add_argument('--threads', type=int, required=True, help='torch.set_num_threads')
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    model, _ = build_module(unwrap_state_dict(torch.load(args.checkpoint, map_location='cpu')))
    batch = None
    reply({'torchVersion': torch.__version__, 'threads': torch.get_num_threads()})

    with torch.no_grad():
        for line in sys.stdin:
            request = json.loads(line)
            if request['op'] == 'input':
                batch = torch.from_numpy(np.fromfile(request['path'], dtype='<f4').reshape(request['shape']))
                logits, probabilities = model(batch)
                reply({'logits': logits.flatten().tolist(), 'probabilities': probabilities.flatten().tolist()})
            elif request['op'] == 'time':
                if batch is None:
                    raise SystemExit('time requested before any input')
                reply({'runSeconds': timed_runs(model, batch, request['seconds'], request['minRuns'])})
            else:
                raise SystemExit(f'unknown request {request["op"]!r}')


if __name__ == '__main__':
    main()
