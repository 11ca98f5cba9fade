"""Makes the small seed inputs of the fuzzing harness (run with Debian's /usr/bin/python3, which has torch 1.13).

checkpoint/: a tiny state dict in both of PyTorch's formats (zip and legacy pickle), the zip re-packed with deflate
(PyTorch stores entries uncompressed; other tools may not), an OrderedDict with a shared storage and a view, and an
mmdetection-style nested dict. image/: tiny images in every allowed format, made with OpenCV (GIF by hand: OpenCV
cannot write it). The fuzzer mutates these; small seeds keep each execution fast.
"""
import collections
import io
import os
import struct
import zipfile

import torch

here = os.path.dirname(os.path.abspath(__file__))


def write(folder, name, data):
    os.makedirs(os.path.join(here, folder), exist_ok=True)
    with open(os.path.join(here, folder, name), "wb") as f:
        f.write(data)


def saved(obj, legacy):
    buffer = io.BytesIO()
    torch.save(obj, buffer, _use_new_zipfile_serialization=not legacy)
    return buffer.getvalue()


def deflated(zip_bytes):
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(zip_bytes)) as source, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            target.writestr(info.filename, source.read(info.filename))
    return out.getvalue()


def checkpoints():
    base = torch.arange(6, dtype=torch.float32)
    small = collections.OrderedDict()
    small["conv.weight"] = base.view(2, 3)
    small["conv.bias"] = base[1:3]  # a view into the same storage
    small["bn.num_batches_tracked"] = torch.tensor(7, dtype=torch.long)
    write("checkpoint", "tiny_zip.pth", saved(small, legacy=False))
    write("checkpoint", "tiny_legacy.pth", saved(small, legacy=True))
    write("checkpoint", "tiny_zip_deflated.pth", deflated(saved(small, legacy=False)))
    nested = {"meta": {"epoch": 1}, "state_dict": {"w": torch.ones(2, 2, dtype=torch.float16).t()}}
    write("checkpoint", "nested_legacy.pth", saved(nested, legacy=True))


def images():
    import cv2
    import numpy as np

    pixels = (np.arange(8 * 6 * 3, dtype=np.uint8).reshape(6, 8, 3) * 5)
    for ext, params in [(".jpg", [cv2.IMWRITE_JPEG_QUALITY, 50]), (".png", []), (".bmp", []),
                        (".webp", [cv2.IMWRITE_WEBP_QUALITY, 50]), (".tiff", [])]:
        ok, data = cv2.imencode(ext, pixels, params)
        assert ok
        write("image", "tiny" + ext, data.tobytes())
    ok, data = cv2.imencode(".jpg", pixels, [cv2.IMWRITE_JPEG_QUALITY, 50, cv2.IMWRITE_JPEG_PROGRESSIVE, 1])
    write("image", "tiny_progressive.jpg", data.tobytes())
    # A 2x2 GIF with a 2-colour palette, written by hand (LZW minimum code size 2: clear, 4 indices, end).
    gif = (b"GIF89a" + struct.pack("<HH", 2, 2) + bytes([0x80, 0, 0]) + bytes([0, 0, 0, 255, 255, 255])
           + b"," + struct.pack("<HHHH", 0, 0, 2, 2) + b"\x00" + b"\x02\x02\x44\x0a\x00" + b";")
    write("image", "tiny.gif", gif)


checkpoints()
images()
