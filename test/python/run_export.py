"""Run exported model.py folders on saved inputs (test driver for test/unit/export-pytorch*.test.ts).

    python3 run_export.py JOBS.json

Each job: {"dir", "input" (float32 NHWC file), "shape" [n, h, w, c], "output" (float32 file to write),
"softmax" (apply softmax to the logits), "torchvision" (optional constructor name: load the same state dict into
torchvision's own model with strict=True and write its output to output + ".tv"), "image" (optional: write
model.preprocess(image) NHWC to output + ".image"), "reference_npz" (optional: an akamaster state dict; report
the largest difference from the exported tensors, `module.` dropped and `linear` read as `fc`)}.
Prints one JSON line per job.
"""
import importlib.util
import json
import os
import sys

import numpy as np
import torch

torch.set_grad_enabled(False)


def load_module(folder, name):
    spec = importlib.util.spec_from_file_location(name, os.path.join(folder, "model.py"))
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


def main(jobs_path):
    with open(jobs_path) as f:
        jobs = json.load(f)
    for i, job in enumerate(jobs):
        mod = load_module(job["dir"], f"exported_{i}")
        weights = os.path.join(job["dir"], "weights.safetensors")
        net = mod.load_model(weights)
        x = np.fromfile(job["input"], dtype="<f4").reshape(job["shape"])
        x = torch.from_numpy(x.copy()).permute(0, 3, 1, 2).contiguous()
        y = net(x)
        if job.get("softmax"):
            y = torch.softmax(y, dim=1)
        y.numpy().astype("<f4").tofile(job["output"])
        result = {"dir": job["dir"], "out_shape": list(y.shape), "keys": len(net.state_dict()), "class_names": mod.class_names(weights)}
        name = job.get("torchvision")
        if name:
            import torchvision

            tv = getattr(torchvision.models, name)()
            state = mod.read_safetensors(weights)
            tv_keys = {k: list(v.shape) for k, v in tv.state_dict().items()}
            ours = {k: list(v.shape) for k, v in state.items()}
            result["same_keys_and_shapes"] = tv_keys == ours
            tv.load_state_dict(state, strict=True)
            tv.eval()
            z = tv(x)
            z.numpy().astype("<f4").tofile(job["output"] + ".tv")
            result["torchvision_vs_model_py"] = float((z - y).abs().max())
        if job.get("image"):
            from PIL import Image

            with Image.open(job["image"]) as im:
                pre = mod.preprocess(im)
            pre.permute(1, 2, 0).numpy().astype("<f4").tofile(job["output"] + ".image")
        if job.get("reference_npz"):
            state = mod.read_safetensors(weights)
            ref = np.load(job["reference_npz"])
            diffs, missing = [], []
            for key in ref.files:
                name = key.replace("module.", "", 1).replace("linear.", "fc.")
                if name not in state:
                    missing.append(key)
                    continue
                diffs.append(float(np.abs(state[name].numpy().astype(np.float64) - ref[key]).max()))
            result["reference_max_diff"] = max(diffs)
            result["reference_missing"] = missing
            result["reference_arrays"] = len(diffs)
        print(json.dumps(result), flush=True)


if __name__ == "__main__":
    main(sys.argv[1])
