"""torchvision's models, datasets and transforms on a CPU build of torch.

PyPI's torchvision wheels for Linux link their C extension (detection ops: nms, roi_align, ...)
against CUDA; beside torch's CPU build that extension does not load, and `import torchvision`
then fails registering a fake kernel for `torchvision::nms`. Classification needs none of those
ops: declaring the two schemas torchvision registers unconditionally lets its pure-Python parts
import. With a matching extension this does nothing.
"""
import importlib.util
import sys

import torch

_schemas = None


def import_torchvision():
    global _schemas
    if importlib.util.find_spec("torchvision") is None:
        raise SystemExit("torchvision is not installed (pip install torchvision)")
    # A matching pair (torch and torchvision both CPU, or both CUDA builds) imports as it is, and
    # there the schemas below would clash with the extension's own.
    try:
        import torchvision
        return torchvision
    except Exception:  # the fake-kernel registration fails (RuntimeError in torch 2.13)
        for name in [m for m in sys.modules if m == "torchvision" or m.startswith("torchvision.")]:
            del sys.modules[name]
    if _schemas is None:
        _schemas = torch.library.Library("torchvision", "DEF")
        _schemas.define("nms(Tensor dets, Tensor scores, float iou_threshold) -> Tensor")
        _schemas.define("qnms(Tensor dets, Tensor scores, float iou_threshold) -> Tensor")
    import torchvision
    return torchvision
