"""PyTorch's side of the bench's training throughput, driven by bench/torch-train-worker.ts.

    torch_train_worker.py --threads N

A long-lived process, so that its timed training steps alternate with ONNX Runtime's in the same minutes of a
shared machine. Requests are JSON lines on stdin, each answered by one JSON line on stdout:

    (at start, unasked)                                          -> {"torchVersion": ..., "threads": N}
    {"op": "setup", "checkpoint": f, "input": f, "labels": f, "shape": [n, 3, 32, 32],
     "groups": [{"parameters": [names], "lr": x, "weightDecay": y}], "momentum": m}
                                                                 -> {"evalLoss": x}
        loads the weights nin-sdk wrote (a {'state_dict'} .pth) into pytorch-nin-cifar10's nn.Sequential, reads the
        float32 batch and int32 labels, makes torch.optim.SGD with those parameter groups, and answers the
        cross-entropy of the batch in eval mode: the same number nin-sdk's eval model must give
    {"op": "time", "seconds": s, "minRuns": k}                   -> {"runSeconds": [...], "losses": [...]}
        training steps on that batch (zero_grad, forward in train mode with its own Dropout, cross-entropy,
        backward, SGD step) until s seconds and k steps are both reached, each timed with perf_counter
"""
import argparse
import json
import sys
import time

import numpy as np
import torch
import torch.nn.functional as F

from nin_torch_models import cifar_nin, unwrap_state_dict

HIDDEN_CONVS = [0, 2, 4, 8, 10, 12, 16, 18]


def reply(message):
    sys.stdout.write(json.dumps(message) + '\n')
    sys.stdout.flush()


class Trainer:
    def __init__(self, request):
        state = unwrap_state_dict(torch.load(request['checkpoint'], map_location='cpu'))
        sequential = cifar_nin(tuple(state[f'classifier.{i}.weight'].shape[0] for i in HIDDEN_CONVS))
        sequential.load_state_dict({k[len('classifier.'):]: v for k, v in state.items()}, strict=True)
        self.model = sequential
        named = dict(('classifier.' + k, v) for k, v in sequential.named_parameters())
        groups = [{'params': [named[n] for n in g['parameters']], 'lr': g['lr'], 'weight_decay': g['weightDecay']}
                  for g in request['groups']]
        self.optimizer = torch.optim.SGD(groups, lr=groups[0]['lr'], momentum=request['momentum'])
        shape = request['shape']
        self.x = torch.from_numpy(np.fromfile(request['input'], dtype='<f4').reshape(shape))
        self.y = torch.from_numpy(np.fromfile(request['labels'], dtype='<i4').astype(np.int64))
        self.classes = state['classifier.20.weight'].shape[0]

    def eval_loss(self):
        self.model.eval()
        with torch.no_grad():
            loss = F.cross_entropy(self.model(self.x).view(self.x.shape[0], self.classes), self.y).item()
        self.model.train()
        return loss

    def step(self):
        self.optimizer.zero_grad()
        loss = F.cross_entropy(self.model(self.x).view(self.x.shape[0], self.classes), self.y)
        loss.backward()
        self.optimizer.step()
        return loss.item()

    def timed_steps(self, seconds, min_runs):
        run_seconds, losses = [], []
        started = time.perf_counter()
        while len(run_seconds) < min_runs or time.perf_counter() - started < seconds:
            t0 = time.perf_counter()
            losses.append(self.step())
            run_seconds.append(time.perf_counter() - t0)
        return run_seconds, losses


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument('--threads', type=int, required=True, help='torch.set_num_threads')
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    reply({'torchVersion': torch.__version__, 'threads': torch.get_num_threads()})
    trainer = None
    for line in sys.stdin:
        request = json.loads(line)
        if request['op'] == 'setup':
            trainer = Trainer(request)
            reply({'evalLoss': trainer.eval_loss()})
        elif request['op'] == 'time':
            if trainer is None:
                raise SystemExit('time requested before setup')
            run_seconds, losses = trainer.timed_steps(request['seconds'], request['minRuns'])
            reply({'runSeconds': run_seconds, 'losses': losses})
        else:
            raise SystemExit(f'unknown request {request["op"]!r}')


if __name__ == '__main__':
    main()
