"""Checks an averaged .pth written by `nin-sdk average` with real PyTorch: loads every file with
torch.load(weights_only=True), averages the inputs' state_dicts as torch would (float64 mean, one rounding to
float32), loads the average into pytorch-nin-cifar10's nn.Sequential with strict=True, and prints JSON on stdout:
the output's keys and the largest difference between its tensors and torch's average.

Usage: check_average.py <average.pth> <input.pth> <input.pth> [...]"""
import json
import os
import sys

import torch

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', '..', 'fixtures'))
from make_fixtures import CifarNIN  # noqa: E402  (pytorch-nin-cifar10's model, widths as parameters)

HIDDEN_CONVS = [0, 2, 4, 8, 10, 12, 16, 18]

average_path, input_paths = sys.argv[1], sys.argv[2:]
average = torch.load(average_path, weights_only=True)
inputs = [torch.load(path, weights_only=True)['state_dict'] for path in input_paths]
state = average['state_dict']
model = CifarNIN(tuple(state[f'classifier.{i}.weight'].shape[0] for i in HIDDEN_CONVS))
model.load_state_dict(state, strict=True)
worst = 0.0
for key, tensor in state.items():
    expected = torch.stack([sd[key].double() for sd in inputs]).mean(0).float()
    worst = max(worst, (tensor - expected).abs().max().item())
print(json.dumps({'keys': sorted(average.keys()), 'dtype': str(next(iter(state.values())).dtype), 'maxDifference': worst}))
