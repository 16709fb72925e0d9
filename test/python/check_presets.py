"""Compile every exported model.py / train.py and compare torchvision presets' state-dict keys and shapes with
torchvision's own constructors (test driver for test/unit/export-pytorch.test.ts).

    python3 check_presets.py ROOT NAME...      # ROOT/NAME/model.py for each NAME; prints one JSON object
"""
import importlib.util
import json
import os
import py_compile
import sys

import torch
import torchvision

root, names = sys.argv[1], sys.argv[2:]
compiled = 0
for name in sorted(os.listdir(root)):
    for f in ("model.py", "train.py"):
        py_compile.compile(os.path.join(root, name, f), doraise=True)
        compiled += 1
torch.set_grad_enabled(False)
# Only keys and shapes are compared: skip the random initialisation (most of the time for 88M parameters).
for fn in ("kaiming_uniform_", "kaiming_normal_", "uniform_", "normal_", "constant_", "zeros_", "ones_"):
    setattr(torch.nn.init, fn, lambda tensor, *args, **kwargs: tensor)
result = {"compiled": compiled, "torchvision": {}}
for name in names:
    spec = importlib.util.spec_from_file_location(f"m_{name}", os.path.join(root, name, "model.py"))
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    ours = {k: list(v.shape) for k, v in mod.ResNet().state_dict().items()}
    theirs = {k: list(v.shape) for k, v in getattr(torchvision.models, name)().state_dict().items()}
    result["torchvision"][name] = {
        "equal": ours == theirs,
        "keys": len(theirs),
        "only_ours": sorted(set(ours) - set(theirs))[:3],
        "only_theirs": sorted(set(theirs) - set(ours))[:3],
    }
print(json.dumps(result))
