"""torchvision's models, datasets and transforms on a CPU build of torch.

PyPI's torchvision wheels for Linux link their C extension (detection ops: nms, roi_align, ...)
against CUDA; beside torch's CPU build that extension does not load, and `import torchvision`
then fails registering a fake kernel for `torchvision::nms`. Classification needs none of those
ops: declaring the two schemas torchvision registers unconditionally lets its pure-Python parts
import. With a matching extension this does nothing.
"""
import importlib.util
import os

import torch

_schemas = None


def import_torchvision():
    global _schemas
    spec = importlib.util.find_spec("torchvision")
    if spec is None:
        raise SystemExit("torchvision is not installed (pip install torchvision)")
    try:
        torch.ops.load_library(os.path.join(spec.submodule_search_locations[0], "_C.so"))
    except (OSError, RuntimeError):
        if _schemas is None:
            _schemas = torch.library.Library("torchvision", "DEF")
            _schemas.define("nms(Tensor dets, Tensor scores, float iou_threshold) -> Tensor")
            _schemas.define("qnms(Tensor dets, Tensor scores, float iou_threshold) -> Tensor")
    import torchvision
    return torchvision
