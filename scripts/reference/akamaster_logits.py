"""Reference logits of akamaster/pytorch_resnet_cifar10's ResNet-20/56, computed independently in numpy.

Re-implements the original PyTorch network (resnet.py at d5489e8) in float64 numpy, NCHW, from the npz state
dicts, and writes the logits for a few deterministic inputs to test/data/akamaster-logits.json. The unit test
(test/unit/akamaster.test.ts) loads the same npz into our tfjs ResNet presets and must reproduce them.

    python3 scripts/reference/akamaster_logits.py [fixtures_dir]

Facts of the original network this relies on:
  * conv 3x3, padding 1 (symmetric), no bias; BatchNorm2d eps 1e-5 in eval mode (running statistics);
  * BasicBlock: relu(bn1(conv1(x))) -> bn2(conv2(.)) + shortcut -> relu; stride 2 on conv1 of a stage's first block;
  * option A shortcut: F.pad(x[:, :, ::2, ::2], (0, 0, 0, 0, planes // 4, planes // 4)), i.e. every other pixel
    and planes//4 zero channels on each side;
  * head: global average pool, then linear (weight [10, 64]).
"""
import json
import os
import sys

import numpy as np

EPS = 1e-5
N_INPUTS = 4
SIZE = 32


def conv3x3(x, w, stride):
    """x [N, C, H, W], w [O, C, 3, 3], padding 1."""
    n, c, h, wd = x.shape
    xp = np.pad(x, ((0, 0), (0, 0), (1, 1), (1, 1)))
    oh = (h + 2 - 3) // stride + 1
    ow = (wd + 2 - 3) // stride + 1
    out = np.zeros((n, w.shape[0], oh, ow))
    for i in range(3):
        for j in range(3):
            patch = xp[:, :, i : i + stride * (oh - 1) + 1 : stride, j : j + stride * (ow - 1) + 1 : stride]
            out += np.einsum("nchw,oc->nohw", patch, w[:, :, i, j])
    return out


def bn(x, d, prefix):
    g, b = d[prefix + ".weight"], d[prefix + ".bias"]
    m, v = d[prefix + ".running_mean"], d[prefix + ".running_var"]
    inv = g / np.sqrt(v + EPS)
    return (x - m[None, :, None, None]) * inv[None, :, None, None] + b[None, :, None, None]


def relu(x):
    return np.maximum(x, 0)


def forward(d, x, blocks_per_stage):
    out = relu(bn(conv3x3(x, d["module.conv1.weight"], 1), d, "module.bn1"))
    in_planes = 16
    for s, planes in enumerate([16, 32, 64]):
        for b in range(blocks_per_stage):
            stride = 2 if (s > 0 and b == 0) else 1
            p = f"module.layer{s + 1}.{b}"
            y = relu(bn(conv3x3(out, d[p + ".conv1.weight"], stride), d, p + ".bn1"))
            y = bn(conv3x3(y, d[p + ".conv2.weight"], 1), d, p + ".bn2")
            if stride != 1 or in_planes != planes:
                sc = out[:, :, ::2, ::2]
                q = planes // 4
                sc = np.pad(sc, ((0, 0), (q, q), (0, 0), (0, 0)))
            else:
                sc = out
            out = relu(y + sc)
            in_planes = planes
    pooled = out.mean(axis=(2, 3))
    return pooled @ d["module.linear.weight"].T + d["module.linear.bias"]


def inputs():
    """Deterministic normalised inputs, NHWC float32, reproducible in TypeScript (same integer formula).

    Value = ((n*131 + c*71 + h*17 + w*29 + (h*w) % 13) % 97) / 48.5 - 1, then smoothed images for n >= 2:
    value = ((n*37 + c*11 + h*3 + w*2) % 64) / 32 - 1. All exact in float32.
    """
    x = np.zeros((N_INPUTS, SIZE, SIZE, 3), dtype=np.float32)
    for n in range(N_INPUTS):
        for h in range(SIZE):
            for w in range(SIZE):
                for c in range(3):
                    if n < 2:
                        v = ((n * 131 + c * 71 + h * 17 + w * 29 + (h * w) % 13) % 97) / 48.5 - 1
                    else:
                        v = ((n * 37 + c * 11 + h * 3 + w * 2) % 64) / 32 - 1
                    x[n, h, w, c] = v
    return x


def main():
    root = sys.argv[1] if len(sys.argv) > 1 else os.environ.get("RESNET_FIXTURES", "../shared/fixtures")
    x = inputs()
    x_nchw = x.transpose(0, 3, 1, 2).astype(np.float64)
    result = {
        "source": "scripts/reference/akamaster_logits.py (numpy float64 re-implementation of akamaster/pytorch_resnet_cifar10 resnet.py)",
        "inputs": "NHWC 4x32x32x3, formula in inputs() of the script, already normalised",
        "models": {},
    }
    for name, file, n in [("ResNet-20", "resnet20-12fca82f.npz", 3), ("ResNet-56", "resnet56-4bfd9763.npz", 9)]:
        d = {k: v.astype(np.float64) for k, v in np.load(os.path.join(root, "cifar-akamaster", file)).items()}
        logits = forward(d, x_nchw, n)
        result["models"][name] = {
            "file": file,
            "logits": [[round(float(v), 7) for v in row] for row in logits],
            "argmax": [int(i) for i in logits.argmax(axis=1)],
        }
    out = os.path.join(os.path.dirname(__file__), "..", "..", "test", "data", "akamaster-logits.json")
    with open(out, "w") as f:
        json.dump(result, f, indent=1)
        f.write("\n")
    print(json.dumps(result["models"], indent=1))


if __name__ == "__main__":
    main()
