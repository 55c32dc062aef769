"""Loads checkpoints written by nin-sdk's writeCheckpoint with real PyTorch and reports, as JSON on stdout, what
torch made of them. Run by torch-round-trip.test.ts with Debian's /usr/bin/python3 (python3-torch).

Request on stdin: {"original": path of the torch-written fixture, "input": float32 file, "inputShape": [...],
"referenceLogits": float32 file, "files": [{"label", "path", "wrapped": bool}]}.

For each file: torch.load(weights_only=True) (and, where that refuses it, a plain torch.load: the files are the
test's own), the pytorch-nin-cifar10 model's load_state_dict(strict=True), its outputs against the model built from
the original fixture, and whether torch.save of the loaded object writes the very same data.pkl."""
import io
import json
import os
import sys
import zipfile

import numpy as np
import torch

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', '..', 'fixtures'))
from make_fixtures import CifarNIN  # noqa: E402  (pytorch-nin-cifar10's model, widths as parameters)

# classifier.<i>.weight whose output width is the i-th hidden width of CifarNIN.
HIDDEN_CONVS = [0, 2, 4, 8, 10, 12, 16, 18]


def model_for(state_dict):
    widths = tuple(state_dict[f'classifier.{i}.weight'].shape[0] for i in HIDDEN_CONVS)
    model = CifarNIN(widths)
    model.load_state_dict(state_dict, strict=True)
    return model.eval()


def data_pkl(obj):
    buf = io.BytesIO()
    torch.save(obj, buf)
    with zipfile.ZipFile(buf) as z:
        return z.read(next(n for n in z.namelist() if n.endswith('/data.pkl')))


def check(entry, original, x, expected):
    report = {'label': entry['label']}
    try:
        obj = torch.load(entry['path'], weights_only=True)
        report['weightsOnly'] = 'ok'
    except Exception as error:  # the refusal's message is the finding
        report['weightsOnly'] = str(error).splitlines()[-1][-200:]
        obj = torch.load(entry['path'])
    state = obj['state_dict'] if entry['wrapped'] else obj
    report['rootType'] = type(obj).__name__
    report['stateDictType'] = type(state).__name__
    if entry['wrapped']:
        report['extras'] = {k: (v.item() if torch.is_tensor(v) else v) for k, v in obj.items() if k != 'state_dict'}
    report['keysInOrder'] = list(state.keys()) == list(original.keys())
    report['tensorsEqual'] = all(
        state[k].dtype == torch.float32 and state[k].is_contiguous() and torch.equal(state[k], original[k]) for k in original)
    try:
        model = model_for(state)
        report['strict'] = 'ok'
        with torch.no_grad():
            out = model(x)
        report['outputsBitEqual'] = bool(torch.equal(out, expected))
        report['maxAbsDiff'] = float((out - expected).abs().max())
    except Exception as error:
        report['strict'] = str(error)[-300:]
    with zipfile.ZipFile(entry['path']) as z:
        report['pickleEqualsTorchSave'] = z.read('archive/data.pkl') == data_pkl(obj)
    return report


def main():
    request = json.load(sys.stdin)
    original = torch.load(request['original'], weights_only=True)
    x = torch.from_numpy(np.fromfile(request['input'], dtype='<f4').reshape(request['inputShape']))
    with torch.no_grad():
        expected = model_for(original)(x)
    reference = torch.from_numpy(np.fromfile(request['referenceLogits'], dtype='<f4').reshape(expected.shape))
    print(json.dumps({
        'torch': torch.__version__,
        'originalVsReference': float((expected - reference).abs().max()),
        'files': [check(entry, original, x, expected) for entry in request['files']],
    }))


if __name__ == '__main__':
    main()
