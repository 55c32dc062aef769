"""Writes the tiny torch checkpoints that seed test/pth/fuzz.test.ts.

Run with Debian's PyTorch: /usr/bin/python3 test/pth/seeds/make_seeds.py (the legacy files differ on
each run: torch names their storages after memory addresses).
Small on purpose (a few hundred bytes to 2 kB), so that 10,000 mutations read in seconds,
but with the structure that matters: shared storages, offsets, strides, float16, int64,
wrappers, the DataParallel prefix and a tensor scalar next to the state_dict.
"""
import collections
import os

import torch

here = os.path.dirname(os.path.abspath(__file__))
torch.manual_seed(0)

base = torch.randn(4, 6)
state = collections.OrderedDict()
state['conv.weight'] = base[:, :3]            # a strided view of a shared storage
state['conv.bias'] = base[1, 3:]              # the same storage, at an offset
state['fc.weight'] = torch.randn(3, 2).t()    # transposed
state['half'] = torch.randn(5).half()
state['steps'] = torch.tensor(7)              # int64, 0-dim

wrapped = {
    'best_acc': torch.tensor(87.5),
    'epoch': 12,
    'state_dict': collections.OrderedDict(('module.' + k, v) for k, v in state.items()),
}

for name, obj in [('bare', state), ('wrapped', wrapped)]:
    torch.save(obj, os.path.join(here, f'zip-{name}.pth'))
    torch.save(obj, os.path.join(here, f'legacy-{name}.pth'), _use_new_zipfile_serialization=False)
