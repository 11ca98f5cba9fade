#!/usr/bin/env python3
"""Times the CornerNet-Lite authors' CornerNet-Saccade test procedure on one image, for `bench --arch saccade --authors-repo`.

Our code; nothing of the authors' is copied here. Their modules are imported from the checkout given with
--authors-repo (https://github.com/princeton-vl/CornerNet-Lite): core/models/CornerNet_Saccade.py's model and
core/test/cornernet_saccade.py's cornernet_saccade_inference (two downsized views with attention, zoom locations from
attention peaks and confident detections, location NMS, crops forwarded in batches of 32 without attention, their
soft-NMS per class, the max_per_image cut), with their test settings (core/dbs/detection.py defaults overlaid with
configs/CornerNet_Saccade.json).

    /usr/bin/python3 authors_reference_saccade.py --authors-repo /path/to/CornerNet-Lite --image img.png \
        [--weights model.pth] [--threads 2] [--warmup 1] [--iterations 2] [--att-threshold T] [--max-crops N]

--att-threshold and --max-crops replace att_thresholds[0] and att_max_crops (with random weights the attention maps
seldom pass 0.3: bench --crops N passes 0 and N so that both sides zoom on N crops). Prints one JSON object on stdout
with the fields of authors_reference_lite.py plus "crops" (zoom crops of the last timed call), "cropLocations" (their
y, x, scale), "networkCalls" and "networkInputs" (per call).

CPU stand-ins (as in authors_reference_lite.py and tests/fixtures/saccade): their corner pools (a C++ extension that
does not build against PyTorch 1.x) by ours; cornernet_saccade_inference is GPU-only (torch.cuda.FloatTensor for its
canvases and mean/std, .cuda() for the image): while it runs both build the same float32 tensors on the CPU.
np.argsort is theirs as it is (numpy's SIMD argsort on AVX-512 orders equal scores differently from the portable one;
that only matters for equal location scores, i.e. several confident reference detections).
"""

import os
import sys
import time

sys.dont_write_bytecode = True
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import authors_reference as common  # noqa: E402  (timing helpers, weights, detections)
import authors_reference_lite as lite  # noqa: E402  (imports, BLAS check, soft-NMS recording, main)

REQUIRED_FILES = ["core/models/CornerNet_Saccade.py", "core/models/py_utils/modules.py", "core/models/py_utils/utils.py",
                  "core/test/cornernet_saccade.py", "core/dbs/detection.py", "configs/CornerNet_Saccade.json",
                  "core/external/nms.pyx"]


class Net:
    """Plays their NetworkFactory.test on the CPU and sums, over the calls of one inference, the network's time (up
    to their _decode) and _decode's."""

    def __init__(self, torch, model):
        self.torch, self.model = torch, model
        self.reset()
        their_decode = model._decode

        def timed_decode(*outs, **kwargs):
            self.decode_started = time.perf_counter()
            return their_decode(*outs, **kwargs)
        model._decode = timed_decode

    def reset(self):
        self.forward, self.decode, self.inputs, self.decode_started = 0.0, 0.0, [], None

    def test(self, xs, **kwargs):
        entered = time.perf_counter()
        with self.torch.no_grad():
            out = self.model(*xs, **kwargs)
        left = time.perf_counter()
        self.forward += self.decode_started - entered
        self.decode += left - self.decode_started
        self.inputs.append(int(xs[0].shape[0]))
        return out


def timed_prepare_images(test, np, record):
    """Wraps their prepare_images (views and crops alike): its time and the locations of each call go to record;
    returns a function that puts theirs back."""
    plain = test.prepare_images

    def prepare(db, image, locations, flipped=True):
        started = time.perf_counter()
        out = plain(db, image, locations, flipped=flipped)
        record["preprocess"] += time.perf_counter() - started
        record["calls"].append(np.asarray(locations)[:, :3].astype(float).tolist())
        return out
    test.prepare_images = prepare

    def restore():
        test.prepare_images = plain
    return restore


def run(args, torch):
    import numpy as np
    import cv2
    repo, blas = lite.prepare(args, torch)
    saccade, test, detection, pools, nms = lite.import_theirs(
        torch, repo, args.build_dir, "core.models.CornerNet_Saccade", "core.test.cornernet_saccade", REQUIRED_FILES)
    image = lite.read_image(cv2, args.image)
    model, parameters = lite.their_model(torch, saccade, args.weights)
    config = lite.their_config(repo, detection, "CornerNet_Saccade.json")
    if args.att_threshold is not None:
        config["att_thresholds"] = [args.att_threshold] + list(config["att_thresholds"][1:])
    if args.max_crops is not None:
        config["att_max_crops"] = args.max_crops
    db, net = lite.Db(np, config), Net(torch, model)
    stages = {k: [] for k in ("preprocess", "forward", "decode", "forwardDecode", "postprocess", "endToEnd")}
    kept, record = {"rows": []}, {}
    restore_nms = lite.recording_soft_nms(np, test, kept)
    restore_prepare = timed_prepare_images(test, np, record)
    try:
        with lite.on_the_cpu(torch, np):
            for i in range(-args.warmup, args.iterations):
                net.reset()
                kept["rows"], record["preprocess"], record["calls"] = [], 0.0, []
                started = time.perf_counter()
                top = test.cornernet_saccade_inference(db, net, image)
                ended = time.perf_counter()
                crops = sum(len(c) for c in record["calls"][1:])
                common.log("their cornernet_saccade_inference, %s %d: %.0f ms, %d crops" % (
                    "warm-up" if i < 0 else "iteration", abs(i) if i < 0 else i + 1, 1000 * (ended - started), crops))
                if i < 0:
                    continue
                total = ended - started
                stages["preprocess"].append(1000 * record["preprocess"])
                stages["forward"].append(1000 * net.forward)
                stages["decode"].append(1000 * net.decode)
                stages["forwardDecode"].append(1000 * (net.forward + net.decode))
                stages["postprocess"].append(1000 * (total - record["preprocess"] - net.forward - net.decode))
                stages["endToEnd"].append(1000 * total)
    finally:
        restore_prepare()
        restore_nms()
    intended = lite.intended_detections(np, kept["rows"], config["max_per_image"])
    return {
        **common.environment(torch, np, cv2, args, repo, pools, nms),
        **common.run_fields(args, image, config, stages, parameters),
        "blas": blas,
        "inputShape": [sum(net.inputs), 3] + list(config["input_size"]),
        "crops": sum(len(c) for c in record["calls"][1:]),
        "cropLocations": [loc for call in record["calls"][1:] for loc in call],
        "networkCalls": len(net.inputs),
        "networkInputs": net.inputs,
        "detections": common.detections_of(top),
        "detectionsIntended": common.detections_of(intended),
        "staleRows": sum(len(r) for r in top.values()) - sum(len(r) for r in kept["rows"]),
    }


def saccade_arguments(parser):
    parser.add_argument("--att-threshold", type=float, help="replaces att_thresholds[0] (theirs: 0.3)")
    parser.add_argument("--max-crops", type=int, help="replaces att_max_crops (theirs: 30)")


if __name__ == "__main__":
    lite.main(run, __doc__.split("\n")[0], saccade_arguments)
