#!/usr/bin/env python3
"""Times the CornerNet-Lite authors' CornerNet-Squeeze test path on one image, for `bench --arch squeeze --authors-repo`.

Our code; nothing of the authors' is copied here. Their modules are imported from the checkout given with
--authors-repo (https://github.com/princeton-vl/CornerNet-Lite): core/models/CornerNet_Squeeze.py's model and
core/test/cornernet.py's cornernet_inference, which does their resize and crop_image, /255, the float32 mean/std
normalisation, their network with its _decode, rescaling, their soft-NMS (core/external/nms.pyx) per class and the
max_per_image cut, with their test settings (core/dbs/detection.py defaults overlaid with
configs/CornerNet_Squeeze.json: one scale, no flip, top_k 20, num_dets 100).

    /usr/bin/python3 authors_reference_lite.py --authors-repo /path/to/CornerNet-Lite --image img.png \
        [--weights model.pth] [--threads 2] [--warmup 1] [--iterations 2] [--allow-reference-blas]

Prints one JSON object on stdout, with the same fields as authors_reference.py (the CornerNet side) plus "blas".

* BLAS: their ConvTranspose2d goes through BLAS in Debian's PyTorch. With Debian's default reference BLAS it is
  several times slower than with OpenBLAS (apt-get install libopenblas0-pthread), so the library actually mapped
  into this process is reported, and the reference BLAS is refused unless --allow-reference-blas.
* Corner pools: their core/models/py_utils/_cpools is a C++ extension that does not build against PyTorch 1.x; our
  stand-in (authors_reference.py's: their forward's ATen calls slice by slice) is registered under that module.
* Soft-NMS: their core/external/nms.pyx built with pyximport into --build-dir.
* cornernet_inference puts its batch on the GPU (torch.cuda.FloatTensor, .cuda()); here both mean the CPU.
"""

import argparse
import json
import os
import platform
import sys
import time
import types

sys.dont_write_bytecode = True
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import authors_reference as common  # noqa: E402  (our CornerNet-side script: pools, timing helpers)

REQUIRED_FILES = ["core/models/CornerNet_Squeeze.py", "core/models/py_utils/modules.py", "core/models/py_utils/utils.py",
                  "core/test/cornernet.py", "core/dbs/detection.py", "configs/CornerNet_Squeeze.json", "core/external/nms.pyx"]
POOL_CLASSES = {"TopPool": "top_pool", "BottomPool": "bottom_pool", "LeftPool": "left_pool", "RightPool": "right_pool"}


def blas_in_use(torch):
    """The BLAS library mapped into this process once torch has run a matrix product."""
    a = torch.randn(64, 64)
    (a @ a).sum().item()
    libraries = set()
    with open("/proc/self/maps") as maps:
        for line in maps:
            path = line.split()[-1] if len(line.split()) >= 6 else ""
            name = os.path.basename(path).lower()
            if "blas" in name or "mkl" in name or "blis" in name:
                libraries.add(path)
    kinds = []
    for path in sorted(libraries):
        low = path.lower()
        kinds.append("openblas" if "openblas" in low else "mkl" if "mkl" in low else "blis" if "blis" in low
                     else "reference" if "/blas/" in low or low.endswith("libblas.so.3") else "other")
    kind = next((k for k in ("openblas", "mkl", "blis") if k in kinds), "reference" if "reference" in kinds else
                ("none" if not kinds else "other"))
    return {"kind": kind, "libraries": sorted(libraries)}


def install_pools(torch):
    module = types.ModuleType("core.models.py_utils._cpools")
    for cls, name in POOL_CLASSES.items():
        pool_forward = common.standin_pool(torch, name).forward

        class Pool(torch.nn.Module):
            def forward(self, x, _f=pool_forward):
                return _f(x)[0]
        Pool.__name__ = cls
        setattr(module, cls, Pool)
    sys.modules["core.models.py_utils._cpools"] = module
    probe = torch.randn(2, 3, 5, 7, generator=torch.Generator().manual_seed(7))
    for cls, name in POOL_CLASSES.items():
        if not torch.equal(getattr(module, cls)()(probe), common.cummax_pool(torch, name, probe)):
            raise common.Failure("cpools", "the corner-pool stand-in disagrees with torch.cummax for " + name, 1)
    return {"kind": "stand-in", "detail": "our stand-in: their forward's ATen calls slice by slice from Python (checked "
                                          "against torch.cummax); their extension does not build against PyTorch 1.x"}


def import_theirs(torch, repo, build_dir):
    missing = [f for f in REQUIRED_FILES if not os.path.isfile(os.path.join(repo, f))]
    if missing:
        raise common.Failure("repo", "--authors-repo %s is not a checkout of princeton-vl/CornerNet-Lite (missing %s)"
                             % (repo, ", ".join(missing)))
    pools = install_pools(torch)
    try:
        import shutil
        import numpy as np
        import pyximport
        os.makedirs(build_dir, exist_ok=True)
        shutil.copy(os.path.join(repo, "core", "external", "nms.pyx"), os.path.join(build_dir, "nms.pyx"))
        sys.path.insert(0, build_dir)
        pyximport.install(setup_args={"include_dirs": np.get_include()}, build_dir=build_dir, language_level=3)
        import nms
    except Exception as e:
        raise common.Failure("nms-build", "cannot build their core/external/nms.pyx (%s); Debian: apt-get install cython3 "
                                          "python3-dev g++" % e)
    sys.modules["core.external.nms"] = nms
    sys.path.insert(0, repo)
    import importlib
    squeeze = importlib.import_module("core.models.CornerNet_Squeeze")
    test = importlib.import_module("core.test.cornernet")
    detection = importlib.import_module("core.dbs.detection")
    if not test.__file__.startswith(repo):
        raise common.Failure("python-module", "core.test.cornernet came from %s, not the checkout" % test.__file__)
    return squeeze, test, detection, pools, {"kind": "pyximport", "detail": nms.__file__}


def their_config(repo, detection):
    config = dict(detection.DETECTION({})._configs)
    with open(os.path.join(repo, "configs", "CornerNet_Squeeze.json")) as f:
        config.update(json.load(f)["db"])
    return {k: (v.tolist() if hasattr(v, "tolist") else v) for k, v in config.items()}


class Db:
    def __init__(self, np, config):
        self.configs = config
        self.mean = np.array(common.COCO_MEAN, dtype=np.float32)
        self.std = np.array(common.COCO_STD, dtype=np.float32)


# Their NetworkFactory.test on the CPU, with the network and its _decode timed: the same stand-in as on the CornerNet side.
Net = common.Net


def run(args, torch):
    import numpy as np
    import cv2
    repo = os.path.abspath(args.authors_repo)
    if not os.path.isdir(repo):
        raise common.Failure("repo", "--authors-repo %s: no such folder (git clone "
                                     "https://github.com/princeton-vl/CornerNet-Lite)" % repo)
    torch.set_num_threads(args.threads)
    blas = blas_in_use(torch)
    common.log("BLAS in use: %s (%s)" % (blas["kind"], ", ".join(blas["libraries"]) or "none mapped"))
    if blas["kind"] in ("reference", "none") and not args.allow_reference_blas:
        raise common.Failure("blas", "their PyTorch uses the reference BLAS (%s): their ConvTranspose2d would be several "
                                     "times slower than it can be; Debian: apt-get install libopenblas0-pthread (or pass "
                                     "--allow-reference-blas)" % (", ".join(blas["libraries"]) or "none mapped"))
    squeeze, test, detection, pools, nms = import_theirs(torch, repo, args.build_dir)
    image = cv2.imread(args.image)
    if image is None:
        raise common.Failure("image", "cv2.imread cannot read %s" % args.image)
    torch.manual_seed(317)
    model = squeeze.model()
    if args.weights:
        common.load_weights(torch, model, args.weights)
    model.eval()
    parameters = sum(p.numel() for p in model.parameters())
    config = their_config(repo, detection)
    db, net = Db(np, config), Net(torch, model)
    stages = {k: [] for k in ("preprocess", "forward", "decode", "forwardDecode", "postprocess", "endToEnd")}
    saved = (torch.cuda.FloatTensor, torch.Tensor.cuda)
    torch.cuda.FloatTensor = lambda data: torch.tensor(np.asarray(data), dtype=torch.float32)
    torch.Tensor.cuda = lambda self, *a, **k: self
    kept, plain_nms = {"rows": []}, test.soft_nms

    def recording_nms(boxes, **kw):
        keep = plain_nms(boxes, **kw)
        kept["rows"].append(np.array(boxes[:len(keep), 0:5], dtype=np.float32))
        return keep
    test.soft_nms = recording_nms
    try:
        for i in range(-args.warmup, args.iterations):
            net.marks, kept["rows"] = {}, []
            started = time.perf_counter()
            top = test.cornernet_inference(db, net, image)
            ended = time.perf_counter()
            common.log("their cornernet_inference, %s %d: %.0f ms" % ("warm-up" if i < 0 else "iteration",
                                                                      abs(i) if i < 0 else i + 1, 1000 * (ended - started)))
            if i < 0:
                continue
            m = net.marks
            stages["preprocess"].append(1000 * (m["enter"] - started))
            stages["forward"].append(1000 * (m["decode"] - m["enter"]))
            stages["decode"].append(1000 * (m["exit"] - m["decode"]))
            stages["forwardDecode"].append(1000 * (m["exit"] - m["enter"]))
            stages["postprocess"].append(1000 * (ended - m["exit"]))
            stages["endToEnd"].append(1000 * (ended - started))
    finally:
        torch.cuda.FloatTensor, torch.Tensor.cuda = saved
        test.soft_nms = plain_nms
    # Their output keeps the rows soft_nms moved past its live count; the intended one drops them before the cut.
    intended = {j + 1: rows for j, rows in enumerate(kept["rows"])}
    scores = np.hstack([r[:, -1] for r in intended.values()]) if intended else np.zeros(0)
    if len(scores) > config["max_per_image"]:
        kth = len(scores) - config["max_per_image"]
        threshold = np.partition(scores, kth)[kth]
        intended = {j: r[r[:, -1] >= threshold] for j, r in intended.items()}
    theirs = common.detections_of(top)
    return {
        "torchVersion": torch.__version__,
        "python": sys.executable + " " + platform.python_version(),
        "numpyVersion": np.__version__,
        "opencvVersion": cv2.__version__,
        "threads": torch.get_num_threads(),
        "blas": blas,
        "authorsRepo": repo,
        "authorsCommit": common.commit_of(repo),
        "cornerPools": pools,
        "nms": nms,
        "weights": os.path.abspath(args.weights) if args.weights else None,
        "parameters": parameters,
        "image": {"path": os.path.abspath(args.image), "width": int(image.shape[1]), "height": int(image.shape[0])},
        "inputShape": net.input_shape,
        "config": config,
        "warmup": args.warmup,
        "iterations": args.iterations,
        "timingsMs": {k: common.stats(v) for k, v in stages.items()},
        "detections": theirs,
        "detectionsIntended": common.detections_of(intended),
        "staleRows": sum(len(r) for r in top.values()) - sum(len(r) for r in kept["rows"]),
    }


def main():
    out = os.fdopen(os.dup(1), "w")  # the JSON goes here; anything else printed goes to stderr
    os.dup2(2, 1)
    sys.stdout = sys.stderr
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--authors-repo", required=True)
    parser.add_argument("--image", required=True)
    parser.add_argument("--weights")
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--warmup", type=int, default=1)
    parser.add_argument("--iterations", type=int, default=1)
    parser.add_argument("--allow-reference-blas", action="store_true")
    parser.add_argument("--build-dir", default=os.path.join("/tmp", "cornernet-lite-reference-build"))
    args = parser.parse_args()
    if args.threads < 1 or args.iterations < 1 or args.warmup < 0:
        parser.error("--threads and --iterations must be at least 1 and --warmup not negative")
    try:
        try:
            import torch
        except ImportError as e:
            raise common.Failure("torch-missing", "%s cannot import torch (%s); Debian: apt-get install python3-torch"
                                 % (sys.executable, e))
        result, code = run(args, torch), 0
    except common.Failure as e:
        result, code = {"error": str(e), "kind": e.kind}, e.code
    except Exception as e:
        import traceback
        traceback.print_exc()
        result, code = {"error": "%s: %s" % (type(e).__name__, e), "kind": "failure"}, 1
    json.dump(result, out)
    out.write("\n")
    out.flush()
    sys.exit(code)


if __name__ == "__main__":
    main()
