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
import contextlib
import json
import os
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


def import_theirs(torch, repo, build_dir, model_module="core.models.CornerNet_Squeeze", test_module="core.test.cornernet",
                  required=REQUIRED_FILES):
    """Their model and test modules (with our corner-pool stand-in and their soft-NMS built), and their core.dbs.detection."""
    missing = [f for f in required if not os.path.isfile(os.path.join(repo, f))]
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
    models = importlib.import_module(model_module)
    test = importlib.import_module(test_module)
    detection = importlib.import_module("core.dbs.detection")
    if not test.__file__.startswith(repo):
        raise common.Failure("python-module", "%s came from %s, not the checkout" % (test_module, test.__file__))
    return models, test, detection, pools, {"kind": "pyximport", "detail": nms.__file__}


def their_config(repo, detection, name="CornerNet_Squeeze.json"):
    """core/dbs/detection.py's defaults overlaid with the db section of their configs/NAME."""
    config = dict(detection.DETECTION({})._configs)
    with open(os.path.join(repo, "configs", name)) as f:
        config.update(json.load(f)["db"])
    return {k: (v.tolist() if hasattr(v, "tolist") else v) for k, v in config.items()}


class Db:
    def __init__(self, np, config):
        self.configs = config
        self.mean = np.array(common.COCO_MEAN, dtype=np.float32)
        self.std = np.array(common.COCO_STD, dtype=np.float32)


# Their NetworkFactory.test on the CPU, with the network and its _decode timed: the same stand-in as on the CornerNet side.
Net = common.Net


def prepare(args, torch):
    """The checkout's full path, torch's threads set, and the BLAS mapped into this process (refused when it is the
    reference BLAS, unless --allow-reference-blas)."""
    repo = os.path.abspath(args.authors_repo)
    if not os.path.isdir(repo):
        raise common.Failure("repo", "--authors-repo %s: no such folder (git clone "
                                     "https://github.com/princeton-vl/CornerNet-Lite)" % repo)
    torch.set_num_threads(args.threads)
    blas = blas_in_use(torch)
    common.log("BLAS in use: %s (%s)" % (blas["kind"], ", ".join(blas["libraries"]) or "none mapped"))
    if blas["kind"] in ("reference", "none") and not args.allow_reference_blas:
        raise common.Failure("blas", "their PyTorch uses the reference BLAS (%s): their convolutions would be several "
                                     "times slower than they can be; Debian: apt-get install libopenblas0-pthread (or pass "
                                     "--allow-reference-blas)" % (", ".join(blas["libraries"]) or "none mapped"))
    return repo, blas


def read_image(cv2, path):
    image = cv2.imread(path)
    if image is None:
        raise common.Failure("image", "cv2.imread cannot read %s" % path)
    return image


def intended_detections(np, kept_rows, max_per_image):
    """Their per-class soft-NMS output with the rows it moved past its live count dropped before the max_per_image cut
    (what our pipeline does); kept_rows: per class, the live rows."""
    intended = {j + 1: rows for j, rows in enumerate(kept_rows)}
    scores = np.hstack([r[:, -1] for r in intended.values()]) if intended else np.zeros(0)
    if len(scores) > max_per_image:
        kth = len(scores) - max_per_image
        threshold = np.partition(scores, kth)[kth]
        intended = {j: r[r[:, -1] >= threshold] for j, r in intended.items()}
    return intended


def recording_soft_nms(np, test, kept):
    """Wraps their soft_nms in module test so that each call's live rows are appended to kept["rows"]; returns a
    function that puts theirs back."""
    plain = test.soft_nms

    def recording(boxes, **kw):
        keep = plain(boxes, **kw)
        kept["rows"].append(np.array(boxes[:len(keep), 0:5], dtype=np.float32))
        return keep
    test.soft_nms = recording

    def restore():
        test.soft_nms = plain
    return restore


@contextlib.contextmanager
def on_the_cpu(torch, np):
    """Their GPU-only calls on the CPU while it lasts: torch.cuda.FloatTensor(*sizes) or (data) and Tensor.cuda()
    give the same float32 tensors on the CPU."""
    saved = (torch.cuda.FloatTensor, torch.Tensor.cuda)

    def float_tensor(*args):
        if all(isinstance(a, (int, np.integer)) for a in args):
            return torch.empty(*[int(a) for a in args], dtype=torch.float32)
        return torch.tensor(np.asarray(args[0]), dtype=torch.float32)
    torch.cuda.FloatTensor, torch.Tensor.cuda = float_tensor, (lambda self, *a, **k: self)
    try:
        yield
    finally:
        torch.cuda.FloatTensor, torch.Tensor.cuda = saved


def their_model(torch, models, weights):
    """Their models.model() in eval mode with the weights file loaded (if any), and its parameter count."""
    torch.manual_seed(317)
    model = models.model()
    if weights:
        common.load_weights(torch, model, weights)
    model.eval()
    return model, sum(p.numel() for p in model.parameters())


def run(args, torch):
    import numpy as np
    import cv2
    repo, blas = prepare(args, torch)
    squeeze, test, detection, pools, nms = import_theirs(torch, repo, args.build_dir)
    image = read_image(cv2, args.image)
    model, parameters = their_model(torch, squeeze, args.weights)
    config = their_config(repo, detection)
    db, net = Db(np, config), Net(torch, model)
    stages = {k: [] for k in ("preprocess", "forward", "decode", "forwardDecode", "postprocess", "endToEnd")}
    kept = {"rows": []}
    restore_nms = recording_soft_nms(np, test, kept)
    try:
        with on_the_cpu(torch, np):
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
        restore_nms()
    # Their output keeps the rows soft_nms moved past its live count; the intended one drops them before the cut.
    intended = intended_detections(np, kept["rows"], config["max_per_image"])
    theirs = common.detections_of(top)
    return {
        **common.environment(torch, np, cv2, args, repo, pools, nms),
        **common.run_fields(args, image, config, stages, parameters),
        "blas": blas,
        "inputShape": net.input_shape,
        "detections": theirs,
        "detectionsIntended": common.detections_of(intended),
        "staleRows": sum(len(r) for r in top.values()) - sum(len(r) for r in kept["rows"]),
    }


def main(run_function=None, description=None, extra_arguments=None):
    """Parses the common arguments (and extra_arguments(parser)'s), runs run_function(args, torch) and prints its
    JSON object on stdout, or an error object."""
    out = os.fdopen(os.dup(1), "w")  # the JSON goes here; anything else printed goes to stderr
    os.dup2(2, 1)
    sys.stdout = sys.stderr
    parser = argparse.ArgumentParser(description=description or __doc__.split("\n")[0])
    parser.add_argument("--authors-repo", required=True)
    parser.add_argument("--image", required=True)
    parser.add_argument("--weights")
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--warmup", type=int, default=1)
    parser.add_argument("--iterations", type=int, default=1)
    parser.add_argument("--allow-reference-blas", action="store_true")
    parser.add_argument("--build-dir", default=os.path.join("/tmp", "cornernet-lite-reference-build"))
    if extra_arguments is not None:
        extra_arguments(parser)
    args = parser.parse_args()
    if args.threads < 1 or args.iterations < 1 or args.warmup < 0:
        parser.error("--threads and --iterations must be at least 1 and --warmup not negative")
    try:
        try:
            import torch
        except ImportError as e:
            raise common.Failure("torch-missing", "%s cannot import torch (%s); Debian: apt-get install python3-torch"
                                 % (sys.executable, e))
        result, code = (run_function or run)(args, torch), 0
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
