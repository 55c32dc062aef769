"""Loads a best.pth written by `nin-sdk train` with real PyTorch, as a user of pytorch-nin-cifar10 would, and prints
JSON on stdout: what torch.load(weights_only=True) gave, whether the family's nn.Sequential took the state_dict
with strict=True, and the model's logits for an input (float32 file, NCHW), to compare with best.onnx.

Usage: check_exported_pth.py <best.pth> <input.f32> <batch>"""
import json
import os
import sys

import numpy as np
import torch

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', '..', 'fixtures'))
from make_fixtures import CifarNIN  # noqa: E402  (pytorch-nin-cifar10's model, widths as parameters)

HIDDEN_CONVS = [0, 2, 4, 8, 10, 12, 16, 18]

path, input_path, batch = sys.argv[1], sys.argv[2], int(sys.argv[3])
checkpoint = torch.load(path, weights_only=True)
state = checkpoint['state_dict']
model = CifarNIN(tuple(state[f'classifier.{i}.weight'].shape[0] for i in HIDDEN_CONVS))
model.load_state_dict(state, strict=True)
model.eval()
x = torch.from_numpy(np.fromfile(input_path, dtype='<f4').reshape(batch, 3, 32, 32))
with torch.no_grad():
    logits = model(x)
print(json.dumps({
    'keys': sorted(checkpoint.keys()),
    'best_acc': float(checkpoint['best_acc']) if 'best_acc' in checkpoint else None,
    'stateDictType': type(state).__name__,
    'logits': logits.flatten().tolist(),
}))
