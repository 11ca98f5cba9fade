#!/usr/bin/env python3
"""Times the CornerNet authors' own test-time path on one image, for `bench --authors-repo`.

Our code; nothing of the authors' is copied here. Their modules are imported from the checkout given with
--authors-repo (https://github.com/princeton-vl/CornerNet): the hourglass-104 network of models/CornerNet.py
and models/py_utils, and test/coco.py's kp_detection, which does their crop_image / normalize_, the image and
its mirror as one batch, the network with their _decode, un-mirroring, rescaling, their soft-NMS (external/nms.pyx)
per class and the max_per_image cut. It runs on the one image given (read with cv2.imread, as they do) at
scale 1 with flip, with their configuration (db/detection.py defaults overlaid with config/CornerNet.json).

    /usr/bin/python3 authors_reference.py --authors-repo /path/to/CornerNet --image img.png \
        [--weights model.pth] [--threads 2] [--warmup 1] [--iterations 2] [--cpools auto|standin|compiled]
    /usr/bin/python3 authors_reference.py --self-check     # the corner-pool stand-in alone, no checkout needed

Prints one JSON object on stdout (everything else goes to stderr). On failure the object is
{"error": message, "kind": ...} and the exit code is 2 (bad input or environment) or 1 (their code failed).

How their pieces are provided:
* Corner pools: their models/py_utils/_cpools is a C++ extension (modules top_pool, bottom_pool, left_pool,
  right_pool). Unmodified, it does not compile against PyTorch >= 1.x (its backward uses the removed
  at::zeros(Type, sizes) overload), so unless compiled modules are importable (--cpools auto finds them on
  sys.path or built under their _cpools folder) our stand-in is injected under those module names: the same
  ATen calls as their forward (zeros_like, the edge slice copied, max with out= slice by slice), driven from
  Python, so that it also costs what theirs costs (torch.cummax is 1.5-3x slower on these maps). Checked here on
  a small tensor against torch.cummax. Inference only.
* Soft-NMS: their external/nms.pyx, imported compiled if they ran `make` in external/, else built from their
  .pyx with pyximport into --build-dir (needs Cython, a C compiler and Python headers; their checkout is not
  written to).
* test/coco.py imports matplotlib.pyplot for debug images only: an empty stand-in module if it is missing.
"""

import argparse
import contextlib
import glob
import importlib
import json
import os
import platform
import sys
import tempfile
import time
import types

sys.dont_write_bytecode = True

# Their configuration for COCO testing: db/detection.py's defaults, overlaid below with config/CornerNet.json's
# "db" section as their test.py does.
DETECTION_DEFAULTS = {
    "categories": 80, "nms_threshold": 0.5, "max_per_image": 100, "top_k": 100, "ae_threshold": 0.5,
    "nms_kernel": 3, "nms_algorithm": "exp_soft_nms", "weight_exp": 8, "merge_bbox": False, "test_scales": [1],
}
# db/coco.py's BGR mean and std.
COCO_MEAN = [0.40789654, 0.44719302, 0.47026115]
COCO_STD = [0.28863828, 0.27408164, 0.27809835]
POOL_NAMES = ["top_pool", "bottom_pool", "left_pool", "right_pool"]
REQUIRED_FILES = ["models/CornerNet.py", "models/py_utils/kp.py", "models/py_utils/kp_utils.py",
                  "models/py_utils/_cpools/__init__.py", "test/coco.py", "utils/image.py", "external/nms.pyx"]


class Failure(Exception):
    def __init__(self, kind, message, code=2):
        super().__init__(message)
        self.kind, self.code = kind, code


def log(message):
    print(message, file=sys.stderr, flush=True)


# --------------------------------------------------------------------------------------------------------------
# Corner pools
# --------------------------------------------------------------------------------------------------------------

def pool_geometry(name):
    """The dimension a pool runs along and whether it runs from the far edge (top and left pools)."""
    return (2 if name in ("top_pool", "bottom_pool") else 3), name in ("top_pool", "left_pool")


def standin_pool(torch, name):
    """Our forward of each pool, the same ATen calls in the same order as their C++ forward: output = zeros_like(input),
    the edge slice copied, then slice by slice output[i] = max(input[i], output[i - 1]) (max with out=) moving away
    from that edge. Driven from Python: a few microseconds per slice on top of their cost."""
    dim, reverse = pool_geometry(name)

    def forward(x):
        out = torch.zeros_like(x)
        size = x.size(dim)
        order = list(range(size - 1, -1, -1)) if reverse else list(range(size))
        out.select(dim, order[0]).copy_(x.select(dim, order[0]))
        for prev, cur in zip(order, order[1:]):
            torch.max(x.select(dim, cur), out.select(dim, prev), out=out.select(dim, cur))
        return [out]

    def backward(*_):
        raise NotImplementedError("the corner-pool stand-in is for inference only")

    module = types.ModuleType(name)
    module.forward, module.backward = forward, backward
    module.__file__ = "<stand-in: " + os.path.abspath(__file__) + ">"
    return module


def cummax_pool(torch, name, x):
    """The same pool as a running maximum (torch.cummax): an independent formulation for the stand-in's self-check."""
    dim, reverse = pool_geometry(name)
    if reverse:
        return torch.flip(torch.cummax(torch.flip(x, [dim]), dim).values, [dim])
    return torch.cummax(x, dim).values


def provide_pools(torch, repo, mode):
    """Makes top_pool etc. importable; returns the report of which pools are used."""
    reasons = []
    if mode in ("auto", "compiled"):
        candidates = sorted(glob.glob(os.path.join(repo, "models", "py_utils", "_cpools", "build", "lib*")))
        candidates.append(os.path.join(repo, "models", "py_utils", "_cpools"))
        added = [c for c in candidates if os.path.isdir(c) and c not in sys.path]
        sys.path[len(sys.path):] = added
        try:
            modules = [importlib.import_module(n) for n in POOL_NAMES]
            return {"kind": "compiled", "detail": "their compiled extension: " + ", ".join(m.__file__ for m in modules)}
        except ImportError as e:  # not built, or built against another torch (undefined symbols)
            reasons.append(str(e).splitlines()[0])
            for name in POOL_NAMES:
                sys.modules.pop(name, None)
            for c in added:
                sys.path.remove(c)
        if mode == "compiled":
            raise Failure("cpools", "--cpools compiled: their corner-pool extension is not importable (%s)" % reasons[0])
    for name in POOL_NAMES:
        sys.modules[name] = standin_pool(torch, name)
    generator = torch.Generator().manual_seed(7)
    probe = torch.randn(2, 3, 5, 7, generator=generator)
    probe[0, 0, 1, :] = probe[0, 0, 3, :]  # ties
    for name in POOL_NAMES:
        if not torch.equal(sys.modules[name].forward(probe)[0], cummax_pool(torch, name, probe)):
            raise Failure("cpools", "the corner-pool stand-in disagrees with torch.cummax for " + name, 1)
    detail = "our stand-in: their forward's ATen calls slice by slice from Python (checked against torch.cummax)"
    if reasons:
        detail += ("; their compiled extension is not importable (%s); unmodified it does not build against PyTorch 1.x, "
                   "its backward uses the removed at::zeros(Type, sizes)" % reasons[0])
    return {"kind": "stand-in", "detail": detail}


# --------------------------------------------------------------------------------------------------------------
# Their modules
# --------------------------------------------------------------------------------------------------------------

def import_theirs(torch, repo, cpools_mode, build_dir):
    missing = [f for f in REQUIRED_FILES if not os.path.isfile(os.path.join(repo, f))]
    if missing:
        raise Failure("repo", "%s is not a checkout of princeton-vl/CornerNet (missing %s)" % (repo, ", ".join(missing)))
    for module in ("numpy", "cv2", "tqdm"):
        try:
            importlib.import_module(module)
        except ImportError:
            package = {"numpy": "python3-numpy", "cv2": "python3-opencv", "tqdm": "python3-tqdm"}[module]
            raise Failure("python-module", "their code needs the Python module %s (Debian: apt-get install %s)" % (module, package))
    try:
        importlib.import_module("matplotlib.pyplot")
        matplotlib = "installed"
    except ImportError:
        stub = types.ModuleType("matplotlib")
        stub.pyplot = types.ModuleType("matplotlib.pyplot")
        sys.modules["matplotlib"], sys.modules["matplotlib.pyplot"] = stub, stub.pyplot
        matplotlib = "empty stand-in (their debug images only)"

    pools = provide_pools(torch, repo, cpools_mode)
    sys.path.insert(0, repo)
    for name in [m for m in list(sys.modules) if m.split(".")[0] in ("test", "models", "utils", "external", "config")]:
        del sys.modules[name]  # the standard library has a package "test"; theirs must win
    nms = import_their_nms(repo, build_dir)
    coco = importlib.import_module("test.coco")
    cornernet = importlib.import_module("models.CornerNet")
    for module in (coco, cornernet):
        if not os.path.realpath(module.__file__).startswith(os.path.realpath(repo) + os.sep):
            raise Failure("repo", "imported %s from %s instead of %s" % (module.__name__, module.__file__, repo))
    return coco, cornernet, pools, nms, matplotlib


def import_their_nms(repo, build_dir):
    try:
        module = importlib.import_module("external.nms")
        return {"kind": "compiled in their checkout", "module": module.__file__}
    except ImportError:
        sys.modules.pop("external.nms", None)
    try:
        import numpy
        import pyximport
    except ImportError:
        raise Failure("nms-build", "their soft-NMS (external/nms.pyx) is not compiled and Cython is missing to build it "
                                   "(Debian: apt-get install cython3 python3-dev g++, or run make in their external/)")
    os.makedirs(build_dir, exist_ok=True)
    importer = pyximport.install(build_dir=build_dir, setup_args={"include_dirs": numpy.get_include()},
                                 language_level=2, inplace=False)
    try:
        with contextlib.redirect_stdout(sys.stderr):
            module = importlib.import_module("external.nms")
    except Exception as e:  # pyximport raises ImportError or distutils errors
        raise Failure("nms-build", "building their external/nms.pyx failed (needs a C compiler and python3-dev): %s"
                      % (str(e).strip().splitlines() or [type(e).__name__])[-1])
    finally:
        pyximport.uninstall(*importer)
    return {"kind": "built from their external/nms.pyx with pyximport", "module": module.__file__}


def their_config(repo):
    config = dict(DETECTION_DEFAULTS)
    path = os.path.join(repo, "config", "CornerNet.json")
    if os.path.isfile(path):
        with open(path) as f:
            config.update({k: v for k, v in json.load(f).get("db", {}).items() if k in DETECTION_DEFAULTS})
    return config


def load_weights(torch, model, path):
    try:
        try:
            state = torch.load(path, map_location="cpu", weights_only=True)
        except TypeError:  # torch without weights_only
            state = torch.load(path, map_location="cpu")
    except Exception as e:
        raise Failure("weights", "cannot read %s with torch.load: %s" % (path, e))
    if isinstance(state, dict) and "state_dict" in state and isinstance(state["state_dict"], dict):
        state = state["state_dict"]
    state = {(k[len("module."):] if k.startswith("module.") else k): v for k, v in state.items()}
    own = model.state_dict()
    for key, value in own.items():  # BatchNorm's num_batches_tracked is optional in our checkpoints
        if key.endswith("num_batches_tracked") and key not in state:
            state[key] = value
    try:
        model.load_state_dict(state, strict=True)
    except RuntimeError as e:
        raise Failure("weights", "%s does not fit their hourglass-104: %s" % (path, str(e).splitlines()[0][:400]))


# --------------------------------------------------------------------------------------------------------------
# Driving kp_detection
# --------------------------------------------------------------------------------------------------------------

class Db:
    """What kp_detection asks of their dataset object, for one image."""

    def __init__(self, np, image_path, config):
        self.split, self.db_inds, self.configs = "minival", np.arange(1), config
        self.mean, self.std = np.array(COCO_MEAN, np.float32), np.array(COCO_STD, np.float32)
        self.image_path, self.top_bboxes = image_path, None

    def image_ids(self, ind):
        return "image%d" % ind

    def image_file(self, ind):
        return self.image_path

    def class_name(self, j):
        return str(j)

    def convert_to_coco(self, top_bboxes):
        self.top_bboxes = {k: {j: v.copy() for j, v in d.items()} for k, d in top_bboxes.items()}
        return []

    def evaluate(self, *args, **kwargs):
        return None


class Net:
    """Plays their nnet (nnet/py_factory.py NetworkFactory.test, on the CPU) and records when its stages run."""

    def __init__(self, torch, model):
        self.torch, self.model, self.marks, self.replay, self.last = torch, model, {}, None, None
        their_decode = model._decode

        def timed_decode(*outs, **kwargs):
            self.marks["decode"] = time.perf_counter()
            return their_decode(*outs, **kwargs)

        model._decode = timed_decode

    def test(self, xs, **kwargs):
        self.marks["enter"] = time.perf_counter()
        self.input_shape = list(xs[0].shape)
        if self.replay is not None:
            out = self.replay.clone()
        else:
            with self.torch.no_grad():
                out = self.model(*xs, **kwargs)
            self.last = out.clone() if hasattr(out, "clone") else None  # CornerNet-Lite returns a tuple: no replay
        self.marks["exit"] = time.perf_counter()
        return out


class CachedImages:
    """cv2 for test/coco.py, except that imread returns the image read once before timing (our side's timings
    also start from a decoded image)."""

    def __init__(self, cv2, path, image):
        self._cv2, self._path, self._image = cv2, path, image

    def imread(self, path, *args):
        return self._image.copy() if path == self._path else self._cv2.imread(path, *args)

    def __getattr__(self, name):
        return getattr(self._cv2, name)


def detections_of(top_bboxes):
    rows = []
    for j in sorted(top_bboxes):
        for r in top_bboxes[j]:
            rows.append({"classIndex": int(j) - 1, "score": float(r[4]), "bbox": [float(v) for v in r[0:4]]})
    rows.sort(key=lambda d: -d["score"])
    return rows


def environment(torch, np, cv2, args, repo, pools, nms):
    """The report fields that say where their side ran (all three scripts)."""
    return {
        "torchVersion": torch.__version__,
        "python": sys.executable + " " + platform.python_version(),
        "numpyVersion": np.__version__,
        "opencvVersion": cv2.__version__,
        "threads": torch.get_num_threads(),
        "authorsRepo": repo,
        "authorsCommit": commit_of(repo),
        "cornerPools": pools,
        "nms": nms,
        "weights": os.path.abspath(args.weights) if args.weights else None,
    }


def run_fields(args, image, config, stages, parameters):
    """The report fields that say what ran and how long it took (all three scripts)."""
    return {
        "parameters": parameters,
        "image": {"path": os.path.abspath(args.image), "width": int(image.shape[1]), "height": int(image.shape[0])},
        "config": config,
        "warmup": args.warmup,
        "iterations": args.iterations,
        "timingsMs": {k: stats(v) for k, v in stages.items()},
    }


def stats(values):
    ordered = sorted(values)
    n = len(ordered)
    median = ordered[n // 2] if n % 2 else (ordered[n // 2 - 1] + ordered[n // 2]) / 2
    return {"median": median, "min": ordered[0], "all": values}


def run(args, torch):
    import numpy as np
    import cv2

    repo = os.path.abspath(args.authors_repo)
    if not os.path.isdir(repo):
        raise Failure("repo", "--authors-repo %s: no such folder (git clone https://github.com/princeton-vl/CornerNet)" % repo)
    coco, cornernet, pools, nms, matplotlib = import_theirs(torch, repo, args.cpools, args.build_dir)

    image = cv2.imread(args.image)
    if image is None:
        raise Failure("image", "cv2.imread cannot read %s" % args.image)
    torch.set_num_threads(args.threads)
    torch.manual_seed(317)  # nnet/py_factory.py's seed, for the case without weights
    model = cornernet.model(None)
    if args.weights:
        load_weights(torch, model, args.weights)
    model.eval()
    parameters = sum(p.numel() for p in model.parameters())

    config = their_config(repo)
    db = Db(np, args.image, config)
    net = Net(torch, model)
    coco.cv2 = CachedImages(cv2, args.image, image)
    stages = {k: [] for k in ("preprocess", "forward", "decode", "forwardDecode", "postprocess", "endToEnd")}
    with tempfile.TemporaryDirectory() as results:
        for i in range(-args.warmup, args.iterations):
            net.marks = {}
            started = time.perf_counter()
            coco.kp_detection(db, net, results, debug=False)
            ended = time.perf_counter()
            log("their kp_detection, %s %d: %.0f ms" % ("warm-up" if i < 0 else "iteration", abs(i) if i < 0 else i + 1,
                                                        1000 * (ended - started)))
            if i < 0:
                continue
            m = net.marks
            stages["preprocess"].append(1000 * (m["enter"] - started))
            stages["forward"].append(1000 * (m["decode"] - m["enter"]))
            stages["decode"].append(1000 * (m["exit"] - m["decode"]))
            stages["forwardDecode"].append(1000 * (m["exit"] - m["enter"]))
            stages["postprocess"].append(1000 * (ended - m["exit"]))
            stages["endToEnd"].append(1000 * (ended - started))
        theirs = detections_of(db.top_bboxes["image0"])

        # The same network output once more through their post-processing, with the rows their soft-NMS leaves
        # behind its returned count dropped (the intended behaviour, which our pipeline implements).
        stale = {"rows": 0}
        plain_nms = coco.soft_nms

        def dropping_stale(boxes, **kw):
            keep = plain_nms(boxes, **kw)
            stale["rows"] += boxes.shape[0] - len(keep)
            boxes[len(keep):, 4] = -np.inf
            return keep

        net.replay, coco.soft_nms = net.last, dropping_stale
        try:
            coco.kp_detection(db, net, results, debug=False)
        finally:
            coco.soft_nms, net.replay = plain_nms, None
        intended = [d for d in detections_of(db.top_bboxes["image0"]) if d["score"] != float("-inf")]

    return {
        **environment(torch, np, cv2, args, repo, pools, nms),
        **run_fields(args, image, config, stages, parameters),
        "matplotlib": matplotlib,
        "inputShape": net.input_shape,
        "detections": theirs,
        "detectionsIntended": intended,
        "staleRows": stale["rows"],
    }


def commit_of(repo):
    """The checked-out commit, read from .git without running git (None for an export without .git)."""
    try:
        git = os.path.join(repo, ".git")
        if os.path.isfile(git):  # a worktree or submodule: "gitdir: PATH"
            git = os.path.join(repo, open(git).read().strip()[len("gitdir: "):])
            common = os.path.join(git, "commondir")
            refs = os.path.join(git, open(common).read().strip()) if os.path.isfile(common) else git
        else:
            refs = git
        head = open(os.path.join(git, "HEAD")).read().strip()
        if head.startswith("ref: "):
            ref = head[5:]
            path = os.path.join(refs, ref)
            if os.path.isfile(path):
                return open(path).read().strip()
            packed = os.path.join(refs, "packed-refs")
            for line in open(packed) if os.path.isfile(packed) else []:
                if line.strip().endswith(" " + ref):
                    return line.split()[0]
            return None
        return head
    except OSError:
        return None


def main():
    out = os.fdopen(os.dup(1), "w")  # the JSON goes here; anything else printed (compilers, tqdm) goes to stderr
    os.dup2(2, 1)
    sys.stdout = sys.stderr
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--authors-repo")
    parser.add_argument("--image")
    parser.add_argument("--weights")
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--warmup", type=int, default=1)
    parser.add_argument("--iterations", type=int, default=1)
    parser.add_argument("--cpools", choices=["auto", "standin", "compiled"], default="auto")
    parser.add_argument("--build-dir", default=os.path.join(tempfile.gettempdir(), "cornernet-authors-reference-build"))
    parser.add_argument("--self-check", action="store_true",
                        help="only check the corner-pool stand-in against the pools' recurrence (needs no checkout)")
    args = parser.parse_args()
    if not args.self_check and (args.authors_repo is None or args.image is None):
        parser.error("--authors-repo and --image are required")
    if args.threads < 1 or args.iterations < 1 or args.warmup < 0:
        parser.error("--threads and --iterations must be at least 1 and --warmup not negative")
    try:
        try:
            import torch
        except ImportError as e:
            raise Failure("torch-missing", "%s cannot import torch (%s); Debian: apt-get install python3-torch"
                          % (sys.executable, e))
        if args.self_check:
            result = {"torchVersion": torch.__version__, "cornerPools": provide_pools(torch, None, "standin")}
        else:
            result = run(args, torch)
        code = 0
    except Failure as e:
        result, code = {"error": str(e), "kind": e.kind}, e.code
    except Exception as e:  # their code failed: the traceback goes to stderr
        import traceback
        traceback.print_exc()
        result, code = {"error": "%s: %s" % (type(e).__name__, e), "kind": "failure"}, 1
    json.dump(result, out)
    out.write("\n")
    out.flush()
    sys.exit(code)


if __name__ == "__main__":
    main()
