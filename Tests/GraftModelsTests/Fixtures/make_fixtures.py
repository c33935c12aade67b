"""Makes the parity fixtures of GraftModelsTests. Not run by the tests or CI.

Needs numpy, the shared reference folder (../shared/reference beside the repository) and the
two weight files (graft weights fetch efficientnet-lite0 mobilenetv2, or GRAFT_HOME).

For three real photos (scikit-image's chelsea, coffee, rocket) it writes:
  NAME_crop.u8                 the 224x224 RGB crop PyTorch's golden run used, uint8, CHW
  efficientnet-lite0_NAME.f32  PyTorch's EfficientNet-Lite0 logits (copied from golden/)
  mobilenetv2_NAME.f32         torchvision-MobileNetV2 logits from the NumPy reference forward
                               pass (npnets.py), computed in float64 on the same crop with
                               ImageNet mean/std normalization
All little-endian, raw.
"""
import os, sys
import numpy as np

here = os.path.dirname(os.path.abspath(__file__))
reference = os.path.join(here, "../../../../shared/reference")
sys.path.insert(0, reference)
import torchnp, npnets  # noqa: E402

cache = os.environ.get("GRAFT_HOME", os.path.expanduser("~/.cache/graft"))
MEAN = np.array([0.485, 0.456, 0.406])
STD = np.array([0.229, 0.224, 0.225])

def main():
    mnv2 = {k: v.astype(np.float64) for k, v in torchnp.load(os.path.join(cache, "mobilenet_v2-b0353104.pth")).items()}
    lite0 = {k: v.astype(np.float64) for k, v in torchnp.load(os.path.join(cache, "efficientnet-lite0-57934424.pth")).items()}
    for name in ["chelsea", "coffee", "rocket"]:
        x = np.load(os.path.join(reference, "golden", f"{name}_input.npy"))[0]  # 3x224x224, (u8 - 127) / 128
        crop = np.rint(x * 128 + 127)
        assert np.array_equal((crop - 127) / 128, x.astype(np.float64)), "crop not exactly recoverable"
        crop.astype(np.uint8).tofile(os.path.join(here, f"{name}_crop.u8"))

        golden = np.load(os.path.join(reference, "golden", f"{name}_logits.npy")).reshape(-1)
        golden.astype("<f4").tofile(os.path.join(here, f"efficientnet-lite0_{name}.f32"))
        # The NumPy pipeline must agree with PyTorch before its MobileNetV2 numbers are trusted.
        nhwc = x.transpose(1, 2, 0)[None].astype(np.float64)
        ours = npnets.efficientnet_lite(lite0, nhwc)[0]
        assert np.abs(ours - golden).max() / np.abs(golden).max() < 1e-5, "NumPy Lite0 disagrees with PyTorch"

        rgb = crop.transpose(1, 2, 0) / 255.0
        logits = npnets.mobilenet_v2(mnv2, ((rgb - MEAN) / STD)[None])[0]
        logits.astype("<f4").tofile(os.path.join(here, f"mobilenetv2_{name}.f32"))
        print(name, "lite0 top1", int(golden.argmax()), "mobilenetv2 top1", int(logits.argmax()))

main()
