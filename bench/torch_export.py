"""The Python path the bench compares nin-sdk with: torch.load, build the nn.Module, torch.onnx.export.

    torch_export.py <checkpoint> <out.onnx>   convert, print one JSON line with the phase times and peak RSS
    torch_export.py --import-only             only `import torch`: the interpreter's own baseline RSS

Times are measured in-process with perf_counter; peak RSS is getrusage's ru_maxrss (KiB on Linux).
"""
import json
import resource
import sys
import time

started = time.perf_counter()
import torch  # noqa: E402  (timed on purpose)

imported = time.perf_counter()


def peak_rss_kib():
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss


def export(checkpoint_path, onnx_path):
    from nin_torch_models import build_module, unwrap_state_dict

    t0 = time.perf_counter()
    state_dict = unwrap_state_dict(torch.load(checkpoint_path, map_location='cpu'))
    t1 = time.perf_counter()
    module, side = build_module(state_dict)
    t2 = time.perf_counter()
    with torch.no_grad():
        torch.onnx.export(
            module, torch.zeros(1, 3, side, side), onnx_path,
            opset_version=17,
            input_names=['input'], output_names=['logits', 'probabilities'],
            dynamic_axes={'input': {0: 'batch'}, 'logits': {0: 'batch'}, 'probabilities': {0: 'batch'}},
        )
    t3 = time.perf_counter()
    return {'loadSeconds': t1 - t0, 'buildSeconds': t2 - t1, 'exportSeconds': t3 - t2}


def main(argv):
    report = {'torchVersion': torch.__version__, 'importSeconds': imported - started}
    if argv != ['--import-only']:
        if len(argv) != 2:
            raise SystemExit(__doc__)
        report.update(export(*argv))
    report['peakRssKib'] = peak_rss_kib()
    print(json.dumps(report))


if __name__ == '__main__':
    main(sys.argv[1:])
