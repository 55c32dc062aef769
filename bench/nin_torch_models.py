"""The two Network-in-Network families as PyTorch modules, for the bench's Python baseline.

Same module indices as the public repositories (pytorch-nin-cifar10 `original.py`, pytorch-nin `NIN.py`), so their
state_dicts load as they are; widths are read from the checkpoint's weight shapes. Kept apart from
fixtures/make_fixtures.py because importing that script sets torch to one thread and deterministic kernels, which
would slow the baseline down unfairly.
"""
import collections

import torch
import torch.nn as nn
import torch.nn.functional as F


def cifar_nin(widths):
    a, b, c, d, e, f, g, h = widths
    return nn.Sequential(
        nn.Conv2d(3, a, 5, padding=2), nn.ReLU(inplace=True),
        nn.Conv2d(a, b, 1), nn.ReLU(inplace=True),
        nn.Conv2d(b, c, 1), nn.ReLU(inplace=True),
        nn.MaxPool2d(3, stride=2, padding=1),
        nn.Dropout(0.5),
        nn.Conv2d(c, d, 5, padding=2), nn.ReLU(inplace=True),
        nn.Conv2d(d, e, 1), nn.ReLU(inplace=True),
        nn.Conv2d(e, f, 1), nn.ReLU(inplace=True),
        nn.AvgPool2d(3, stride=2, padding=1),
        nn.Dropout(0.5),
        nn.Conv2d(f, g, 3, padding=1), nn.ReLU(inplace=True),
        nn.Conv2d(g, h, 1), nn.ReLU(inplace=True),
        nn.Conv2d(h, 10, 1), nn.ReLU(inplace=True),
        nn.AvgPool2d(8, stride=1),
    )


def imagenet_nin(widths):
    a1, a2, a3, b1, b2, b3, c1, c2, c3, d1, d2 = widths
    return nn.Sequential(
        nn.Conv2d(3, a1, 11, stride=4), nn.ReLU(inplace=True),
        nn.Conv2d(a1, a2, 1), nn.ReLU(inplace=True),
        nn.Conv2d(a2, a3, 1), nn.ReLU(inplace=True),
        nn.MaxPool2d(3, stride=2, ceil_mode=True),
        nn.Conv2d(a3, b1, 5, padding=2), nn.ReLU(inplace=True),
        nn.Conv2d(b1, b2, 1), nn.ReLU(inplace=True),
        nn.Conv2d(b2, b3, 1), nn.ReLU(inplace=True),
        nn.MaxPool2d(3, stride=2, ceil_mode=True),
        nn.Conv2d(b3, c1, 3, padding=1), nn.ReLU(inplace=True),
        nn.Conv2d(c1, c2, 1), nn.ReLU(inplace=True),
        nn.Conv2d(c2, c3, 1), nn.ReLU(inplace=True),
        nn.MaxPool2d(3, stride=2, ceil_mode=True),
        nn.Dropout(0.5),
        nn.Conv2d(c3, d1, 3, padding=1), nn.ReLU(inplace=True),
        nn.Conv2d(d1, d2, 1), nn.ReLU(inplace=True),
        nn.Conv2d(d2, 1000, 1), nn.ReLU(inplace=True),
        nn.AvgPool2d(6, stride=1, ceil_mode=True),
        nn.Softmax(dim=1),
    )


# container name in the public code → (builder, input side)
FAMILIES = {'classifier': (cifar_nin, 32), 'features': (imagenet_nin, 224)}


class LogitsAndProbabilities(nn.Module):
    """Exports the same two outputs as nin-sdk's ONNX: logits, and the softmax over them. The ImageNet family's own
    final Softmax is left out of the logits path and applied once at the end, as nin-sdk does."""

    def __init__(self, sequential, classes):
        super().__init__()
        self.body = sequential[:-1] if isinstance(sequential[-1], nn.Softmax) else sequential
        self.classes = classes

    def forward(self, x):
        logits = self.body(x).view(x.size(0), self.classes)
        return logits, F.softmax(logits, 1)


def unwrap_state_dict(obj):
    """{'state_dict': …} / {'model': …} wrappers and DataParallel 'module.' prefixes, as users meet them."""
    if isinstance(obj, dict) and not isinstance(obj, collections.OrderedDict):
        obj = obj.get('state_dict', obj.get('model', obj))
    return collections.OrderedDict((k[len('module.'):] if k.startswith('module.') else k, v) for k, v in obj.items())


def family_of(state_dict):
    """(container prefix, builder, input side). Checkpoints of the public code name the container ('classifier.0.weight',
    'features.0.weight'); a bare nn.Sequential's state_dict ('0.weight', as fixtures/default-model/train.py saves)
    is told by its first convolution: 5×5 for CIFAR-10, 11×11 for ImageNet."""
    first = next(iter(state_dict))
    container = first.split('.')[0]
    if container in FAMILIES:
        return (container + '.',) + FAMILIES[container]
    kernel = state_dict[first].shape[-1]
    return ('',) + FAMILIES['classifier' if kernel == 5 else 'features']


def build_module(state_dict):
    """state_dict → (export-ready module with the weights loaded, input side)."""
    prefix, builder, side = family_of(state_dict)
    weights = [v for k, v in state_dict.items() if k.endswith('.weight')]
    widths = tuple(w.shape[0] for w in weights[:-1])
    sequential = builder(widths)
    sequential.load_state_dict({k[len(prefix):]: v for k, v in state_dict.items()})
    module = LogitsAndProbabilities(sequential, classes=weights[-1].shape[0]).eval()
    return module, side
