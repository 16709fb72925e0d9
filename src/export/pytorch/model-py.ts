/**
 * model.py: a readable nn.Module generated from the plan, plus the safetensors reader, the app's preprocessing
 * and a command line that classifies images. Only the block class this spec uses is written, with the spec's
 * choices (bias, stride position, padding, BN epsilon, shortcut) spelled out as code, not as flags.
 */
import type { ExportPreprocessing } from '../types';
import { type BlockPlan, pyFloat as num, type TorchPlan } from './plan';

const py = (b: boolean) => (b ? 'True' : 'False');
const tuple = (xs: readonly number[]) => `(${xs.map(num).join(', ')})`;

function shortcutExpr(b: BlockPlan): string | undefined {
  switch (b.shortcut) {
    case 'projection':
      return `projection(${b.inChannels}, ${b.outChannels}, ${b.stride})`;
    case 'zeropad':
      return `ZeroPadShortcut(${b.stride}, ${b.channelPad[0]}, ${b.channelPad[1]})`;
    case 'subsample':
      return `nn.MaxPool2d(1, stride=${b.stride})`;
    default:
      return undefined;
  }
}

function blockClassName(p: TorchPlan): string {
  const base = p.block === 'basic' ? 'BasicBlock' : 'Bottleneck';
  return (p.pre ? 'PreAct' : '') + (p.residual ? '' : 'Plain') + base;
}

function helpers(p: TorchPlan): string {
  const conv3 =
    p.pad3x3 === 'explicit'
      ? `def conv3x3(cin: int, cout: int, stride: int = 1, groups: int = 1, bias: bool = False) -> nn.Conv2d:
    """3×3 conv; Keras' ZeroPadding2D(1) + 'valid' conv is PyTorch's symmetric padding=1."""
    return nn.Conv2d(cin, cout, 3, stride=stride, padding=1, groups=groups, bias=bias)`
      : `def conv3x3(cin: int, cout: int, stride: int = 1, groups: int = 1, bias: bool = False) -> nn.Conv2d:
    """3×3 conv with TF padding='same': symmetric (1, 1) at stride 1, TF's own split at stride 2 (Conv2dSame)."""
    if stride == 1:
        return nn.Conv2d(cin, cout, 3, padding=1, groups=groups, bias=bias)
    return Conv2dSame(cin, cout, 3, stride=stride, groups=groups, bias=bias)


class Conv2dSame(nn.Conv2d):
    """TF/Keras padding='same': total padding max((out − 1)·stride + k − in, 0), the smaller half before. On an even
    input a stride-2 3×3 conv pads 0 on top/left and 1 on bottom/right; PyTorch's padding=1 would pad 1 on each
    side and sample a grid shifted by one pixel."""

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        pads = []
        for size, k, s in zip(x.shape[-2:], self.kernel_size, self.stride):
            total = max((math.ceil(size / s) - 1) * s + k - size, 0)
            pads.append((total // 2, total - total // 2))
        (top, bottom), (left, right) = pads
        return super().forward(F.pad(x, (left, right, top, bottom)))`;
  const projection = p.pre
    ? `def projection(cin: int, cout: int, stride: int) -> nn.Module:
    """Projection shortcut (He et al. 2015 option B): a 1×1 conv; pre-activation applies it to the activated input."""
    return Projection(conv1x1(cin, cout, stride, bias=${py(p.bias.projection)}))


class Projection(nn.Sequential):
    """Marks the shortcuts that take the pre-activated input (Keras ResNetV2); keys downsample.0.*."""`
    : `def projection(cin: int, cout: int, stride: int) -> nn.Module:
    """Projection shortcut (He et al. 2015 option B): 1×1 conv + BN, keys downsample.0.* and downsample.1.*."""
    return nn.Sequential(conv1x1(cin, cout, stride, bias=${py(p.bias.projection)}), norm(cout))`;
  const usesZeroPad = p.stages.some((s) => s.some((b) => b.shortcut === 'zeropad'));
  const usesProjection = p.stages.some((s) => s.some((b) => b.shortcut === 'projection'));
  return [
    `def norm(channels: int) -> nn.BatchNorm2d:
    """BatchNorm with the epsilon of the exported model (Keras 1.001e-5; legacy Keras ImageNet weights 1e-3; PyTorch 1e-5)."""
    return nn.BatchNorm2d(channels, eps=${num(p.eps)})`,
    `def conv1x1(cin: int, cout: int, stride: int = 1, bias: bool = False) -> nn.Conv2d:
    return nn.Conv2d(cin, cout, 1, stride=stride, bias=bias)`,
    conv3,
    ...(usesProjection ? [projection] : []),
    ...(usesZeroPad
      ? [
          `class ZeroPadShortcut(nn.Module):
    """He et al. 2015 option A, parameter-free: keep every stride-th pixel, add zero channels (before, after)."""

    def __init__(self, stride: int, before: int, after: int):
        super().__init__()
        self.stride, self.before, self.after = stride, before, after

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return F.pad(x[:, :, :: self.stride, :: self.stride], (0, 0, 0, 0, self.before, self.after))`,
        ]
      : []),
  ].join('\n\n\n');
}

function blockClass(p: TorchPlan): string {
  const name = blockClassName(p);
  const g = p.groups > 1 ? `, groups=${p.groups}` : '';
  const lines: string[] = [];
  const strided1 = p.block === 'bottleneck' && p.strideAt === 'first1x1';
  const doc: string[] = [];
  if (p.block === 'basic') doc.push('Two 3×3 convs (He et al. 2015, Fig. 5 left), stride on the first.');
  else doc.push(`1×1 → 3×3${p.groups > 1 ? ` (${p.groups} groups, Xie et al. 2017)` : ''} → 1×1 (He et al. 2015, Fig. 5 right), stride on the ${strided1 ? 'first 1×1 (Keras V1 / Caffe)' : '3×3 (torchvision "v1.5", Keras V2, ResNeXt)'}.`);
  doc.push(
    p.pre
      ? 'Pre-activation (He et al. 2016): BN → ReLU → conv; bn_pre activates the block input; nothing after the addition.'
      : 'Post-activation: conv → BN → ReLU, ReLU after the addition.',
  );
  if (!p.residual) doc.push('Plain twin: no shortcut, no addition.');
  lines.push(`class ${name}(nn.Module):`, `    """${doc.join('\n    ')}"""`, '');
  lines.push(`    def __init__(self, inplanes: int, width: int, planes: int, stride: int = 1, downsample: Optional[nn.Module] = None):`);
  lines.push('        super().__init__()');
  if (p.pre) lines.push('        self.bn_pre = norm(inplanes)');
  if (p.block === 'basic') {
    lines.push(`        self.conv1 = conv3x3(inplanes, width, stride, bias=${py(p.bias.inner)})`, '        self.bn1 = norm(width)');
    lines.push(`        self.conv2 = conv3x3(width, planes, bias=${py(p.bias.last)})`);
    if (!p.pre) lines.push('        self.bn2 = norm(planes)');
  } else {
    lines.push(`        self.conv1 = conv1x1(inplanes, width${strided1 ? ', stride' : ''}, bias=${py(p.bias.inner)})`, '        self.bn1 = norm(width)');
    lines.push(`        self.conv2 = conv3x3(width, width${strided1 ? '' : ', stride'}${g}, bias=${py(p.bias.inner)})`, '        self.bn2 = norm(width)');
    lines.push(`        self.conv3 = conv1x1(width, planes, bias=${py(p.bias.last)})`);
    if (!p.pre) lines.push('        self.bn3 = norm(planes)');
  }
  lines.push('        self.relu = nn.ReLU(inplace=True)', '        self.downsample = downsample', '');
  lines.push('    def forward(self, x: torch.Tensor) -> torch.Tensor:');
  const last = p.block === 'basic' ? 2 : 3;
  const body: string[] = [];
  let src = 'x';
  if (p.pre) {
    body.push('out = self.relu(self.bn_pre(x))');
    src = 'out';
    if (p.residual) {
      body.push('if self.downsample is None:', '    identity = x', 'else:');
      body.push('    # Keras ResNetV2: a projection takes the activated input, the max-pool / zero-pad shortcut the raw one.');
      body.push('    identity = self.downsample(out if isinstance(self.downsample, Projection) else x)');
    }
  } else if (p.residual) {
    body.push('identity = x if self.downsample is None else self.downsample(x)');
  }
  body.push(`out = self.relu(self.bn1(self.conv1(${src})))`);
  if (p.block === 'bottleneck') body.push('out = self.relu(self.bn2(self.conv2(out)))');
  body.push(p.pre ? `out = self.conv${last}(out)` : `out = self.bn${last}(self.conv${last}(out))`);
  if (p.residual) body.push(p.pre ? 'return out + identity' : 'return self.relu(out + identity)');
  else body.push(p.pre ? 'return out' : 'return self.relu(out)');
  for (const b of body) lines.push(`        ${b}`);
  return lines.join('\n');
}

function resnetClass(p: TorchPlan): string {
  const name = blockClassName(p);
  const init: string[] = [];
  const stemConv =
    p.stem.kind === 'imagenet'
      ? `nn.Conv2d(${p.inChannels}, ${p.stem.width}, 7, stride=2, padding=3, bias=${py(p.bias.stem)})`
      : `nn.Conv2d(${p.inChannels}, ${p.stem.width}, 3, padding=1, bias=${py(p.bias.stem)})`;
  init.push(`self.conv1 = ${stemConv}`);
  if (!p.pre) init.push(`self.bn1 = norm(${p.stem.width})`);
  init.push('self.relu = nn.ReLU(inplace=True)');
  if (p.stem.kind === 'imagenet') {
    if (p.pre) {
      init.push("# Keras pads with zeros before this max-pool; with no ReLU before it (pre-activation), zeros can win,");
      init.push("# so PyTorch's padding=1 (which pads −inf) would differ at the border.");
      init.push('self.maxpool = nn.Sequential(nn.ZeroPad2d(1), nn.MaxPool2d(3, stride=2))');
    } else {
      init.push('self.maxpool = nn.MaxPool2d(3, stride=2, padding=1)  # after a ReLU: same as Keras ZeroPadding2D(1) + MaxPooling2D(3, 2)');
    }
  }
  p.stages.forEach((blocks, si) => {
    init.push(`self.layer${si + 1} = nn.Sequential(`);
    for (const b of blocks) {
      const sc = shortcutExpr(b);
      const args = [b.inChannels, b.width, b.outChannels].join(', ');
      init.push(`    ${name}(${args}${b.stride !== 1 || sc ? `, stride=${b.stride}` : ''}${sc ? `, downsample=${sc}` : ''}),  # ${b.id}`);
    }
    init.push(')');
  });
  if (p.pre) init.push(`self.postnorm = norm(${p.features})`);
  const headDoc =
    p.head.kind === 'classifier'
      ? `num_classes: size of the classifier (${p.head.classes} as exported); None drops it (features only).`
      : `num_classes: None as exported (no classifier); a number adds global average pooling and a new fc.`;
  init.push('self.pooling = POOLING if num_classes is None else "avg"');
  init.push('if self.pooling == "avg":', '    self.avgpool = nn.AdaptiveAvgPool2d(1)', 'elif self.pooling == "max":', '    self.global_maxpool = nn.AdaptiveMaxPool2d(1)');
  const hidden = p.head.kind === 'classifier' ? p.head.hidden : undefined;
  if (hidden) {
    // The fine-tuning head (Keras fc1 → dropout → predictions); Dropout is the identity in eval mode.
    init.push(`self.fc1 = nn.Linear(${p.features}, ${hidden.units}) if num_classes is not None else None  # Keras fc1, ReLU in forward()`);
    if (hidden.dropout > 0) init.push(`self.dropout = nn.Dropout(${num(hidden.dropout)})`);
  }
  init.push(`self.fc = nn.Linear(${hidden ? hidden.units : p.features}, num_classes) if num_classes is not None else None`);

  const feat: string[] = [];
  feat.push(p.pre ? 'x = self.conv1(x)' : 'x = self.relu(self.bn1(self.conv1(x)))');
  if (p.stem.kind === 'imagenet') feat.push('x = self.maxpool(x)');
  for (let si = 0; si < p.stages.length; si++) feat.push(`x = self.layer${si + 1}(x)`);
  if (p.pre) feat.push('x = self.relu(self.postnorm(x))');
  feat.push('return x');

  const ind = (xs: string[]) => xs.map((l) => `        ${l}`).join('\n');
  return `class ResNet(nn.Module):
    """${p.name} as exported: torchvision's module names (conv1, bn1, layer1.0.conv1, …, fc).

    ${headDoc}
    forward() returns logits (or pooled features without a classifier)${p.head.kind === 'classifier' && p.head.softmax ? '; the Keras model ends in a softmax, which predict() applies' : ''}.
    """

    def __init__(self, num_classes: Optional[int] = NUM_CLASSES):
        super().__init__()
${ind(init)}

    def features(self, x: torch.Tensor) -> torch.Tensor:
        """Stem and residual stages: the last feature map [N, ${p.features}, h, w]."""
${ind(feat)}

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        x = self.features(x)
        if self.pooling == "avg":
            x = torch.flatten(self.avgpool(x), 1)
        elif self.pooling == "max":
            x = torch.flatten(self.global_maxpool(x), 1)
        if self.fc is None:
            return x${hidden ? `
        x = ${hidden.dropout > 0 ? 'self.dropout(' : ''}torch.relu(self.fc1(x))${hidden.dropout > 0 ? ')' : ''}` : ''}
        return self.fc(x)

    @torch.no_grad()
    def predict(self, x: torch.Tensor) -> torch.Tensor:
        """Class probabilities (softmax of the logits)."""
        return torch.softmax(self(x), dim=1)`;
}

export interface ModelPyOptions {
  readonly plan: TorchPlan;
  readonly preprocessing?: ExportPreprocessing;
  readonly weightsLabel: string;
}

export function modelPy({ plan: p, preprocessing: pre, weightsLabel }: ModelPyOptions): string {
  const pp = pre ?? { mode: 'none', channelOrder: 'RGB', scale: 1, mean: [0, 0, 0], std: [1, 1, 1], inputSize: p.inputSize };
  const classes = p.head.kind === 'classifier' ? String(p.head.classes) : 'None';
  const pooling = p.head.kind === 'pool' ? (p.head.pooling === 'none' ? 'None' : `"${p.head.pooling}"`) : '"avg"';
  return `#!/usr/bin/env python3
"""${p.name}, exported by ResNet Explorer: a PyTorch nn.Module and its weights (weights.safetensors).

    python3 model.py IMAGE...          # top 5 per image, one JSON line each: {"image": ..., "top": [[index, probability], ...]}
    python3 -c "import model; net = model.load_model()"

Weights: ${weightsLabel}. Needs PyTorch (>= 1.13) and, for images, Pillow. The safetensors file is read with the
safetensors package when it is installed, otherwise by the few lines in read_safetensors() below.
"""
import argparse
import json
import math
import os
import struct
import sys
from typing import Dict, List, Optional

import torch
import torch.nn.functional as F
from torch import nn

HERE = os.path.dirname(os.path.abspath(__file__))
WEIGHTS = os.path.join(HERE, "weights.safetensors")

# What the exported weights expect: Keras preprocess_input mode "${pp.mode}". Pixels 0..255 become
# (x * SCALE - MEAN) / STD per channel, channels in CHANNEL_ORDER; images are resized with the shorter side to
# INPUT_SIZE, centre-cropped, box-averaged by the whole factor, bilinear (half-pixel centres), as the app does.
INPUT_SIZE = (${p.inputSize[0]}, ${p.inputSize[1]})  # (height, width)
IN_CHANNELS = ${p.inChannels}
CHANNEL_ORDER = "${pp.channelOrder}"
SCALE = ${num(pp.scale)}
MEAN = ${tuple(pp.mean)}
STD = ${tuple(pp.std)}
NUM_CLASSES: Optional[int] = ${classes}
POOLING: Optional[str] = ${pooling}  # global pooling when there is no classifier: "avg", "max" or None (feature map)


${helpers(p)}


${blockClass(p)}


${resnetClass(p)}


# ---- weights ---------------------------------------------------------------------------------------------------

_DTYPES = {"F64": "<f8", "F32": "<f4", "F16": "<f2", "I64": "<i8", "I32": "<i4", "I16": "<i2", "I8": "i1", "U8": "u1", "BOOL": "?"}


def read_safetensors_header(path: str) -> Dict:
    """The JSON header: 8-byte little-endian length N, then N bytes of JSON."""
    with open(path, "rb") as f:
        (n,) = struct.unpack("<Q", f.read(8))
        return json.loads(f.read(n))


def read_safetensors(path: str) -> Dict[str, torch.Tensor]:
    """Tensors by name. Uses the safetensors package when installed; otherwise reads the format directly:
    header, then raw little-endian data at data_offsets relative to the end of the header."""
    try:
        from safetensors.torch import load_file  # type: ignore
    except ImportError:
        load_file = None
    if load_file is not None:
        return load_file(path)
    import numpy as np

    with open(path, "rb") as f:
        data = f.read()
    (n,) = struct.unpack("<Q", data[:8])
    header = json.loads(data[8 : 8 + n])
    header.pop("__metadata__", None)
    tensors = {}
    for name, info in header.items():
        dtype = np.dtype(_DTYPES[info["dtype"]])
        begin, end = info["data_offsets"]
        array = np.frombuffer(data, dtype=dtype, count=(end - begin) // dtype.itemsize, offset=8 + n + begin)
        tensors[name] = torch.from_numpy(array.astype(dtype.newbyteorder("="))).reshape(info["shape"])
    return tensors


def write_safetensors(tensors: Dict[str, torch.Tensor], path: str, metadata: Optional[Dict[str, str]] = None) -> None:
    """The same format back (used by train.py): F32 and I64 tensors, header padded with spaces to 8 bytes."""
    names = {torch.float32: ("F32", "<f4"), torch.int64: ("I64", "<i8")}
    header: Dict = {"__metadata__": dict(metadata or {})}
    blobs, offset = [], 0
    for name, t in tensors.items():
        dtype, np_dtype = names[t.dtype]
        blob = t.detach().cpu().contiguous().numpy().astype(np_dtype).tobytes()
        header[name] = {"dtype": dtype, "shape": list(t.shape), "data_offsets": [offset, offset + len(blob)]}
        blobs.append(blob)
        offset += len(blob)
    text = json.dumps(header).encode("utf-8")
    text += b" " * (-len(text) % 8)
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(text)))
        f.write(text)
        for blob in blobs:
            f.write(blob)


def load_model(weights: str = WEIGHTS, device: str = "cpu") -> ResNet:
    """The module with the exported weights (strict: every key and shape must match), in eval mode."""
    state = read_safetensors(weights)
    fc = state.get("fc.weight")
    net = ResNet(num_classes=None if fc is None else fc.shape[0])
    net.load_state_dict(state, strict=True)
    return net.to(device).eval()


def class_names(weights: str = WEIGHTS) -> Optional[List[str]]:
    """Class names stored with the weights (a fine-tuned model), else None."""
    names = read_safetensors_header(weights).get("__metadata__", {}).get("class_names")
    return json.loads(names) if names else None


# ---- images ----------------------------------------------------------------------------------------------------


def pil_to_tensor(image) -> torch.Tensor:
    """A Pillow image → float32 RGB pixels [3, H, W] in 0..255."""
    rgb = image.convert("RGB")
    w, h = rgb.size
    pixels = torch.frombuffer(bytearray(rgb.tobytes()), dtype=torch.uint8).reshape(h, w, 3)
    return pixels.permute(2, 0, 1).float()


def resize_center_crop(x: torch.Tensor, size=INPUT_SIZE) -> torch.Tensor:
    """The largest centred region with the target's aspect ratio, resized bilinearly (half-pixel centres)."""
    _, h, w = x.shape
    scale = min(h / size[0], w / size[1])
    ch, cw = max(1, math.floor(size[0] * scale + 0.5)), max(1, math.floor(size[1] * scale + 0.5))
    top, left = (h - ch) // 2, (w - cw) // 2
    # The app's box average: f x f blocks first when the crop is at least twice the input (no aliasing).
    f = max(1, min(ch // size[0], cw // size[1]))
    top, left = top + (ch % f) // 2, left + (cw % f) // 2
    ch, cw = ch - ch % f, cw - cw % f
    x = x[:, top : top + ch, left : left + cw]
    if f > 1:
        x = F.avg_pool2d(x[None], f, f)[0]
        ch, cw = ch // f, cw // f
    if (ch, cw) == tuple(size):
        return x
    return F.interpolate(x[None], size=tuple(size), mode="bilinear", align_corners=False)[0]


def normalize(x: torch.Tensor) -> torch.Tensor:
    """RGB pixels 0..255 [3, H, W] → the network's input."""
    if CHANNEL_ORDER == "BGR":
        x = x.flip(0)
    mean = torch.tensor(MEAN, dtype=x.dtype).view(3, 1, 1)
    std = torch.tensor(STD, dtype=x.dtype).view(3, 1, 1)
    return (x * SCALE - mean) / std


def preprocess(image) -> torch.Tensor:
    """A Pillow image → the input tensor [3, H, W] exactly as the app prepares it."""
    return normalize(resize_center_crop(pil_to_tensor(image)))


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description="Classify images with ${p.name}; one JSON line per image.")
    parser.add_argument("images", nargs="+", metavar="IMAGE")
    parser.add_argument("--weights", default=WEIGHTS, help="safetensors file (default: weights.safetensors here)")
    parser.add_argument("--top", type=int, default=5)
    args = parser.parse_args(argv)
    if not os.path.exists(args.weights):
        print(f"error: {args.weights} not found (this export has no weights; train.py writes some)", file=sys.stderr)
        return 2
    if IN_CHANNELS != 3:
        print(f"error: the model takes {IN_CHANNELS} input channels; images have 3", file=sys.stderr)
        return 2
    net = load_model(args.weights)
    if net.fc is None:
        print("error: this model was exported without a classifier; model(x) returns features", file=sys.stderr)
        return 2
    from PIL import Image

    status = 0
    for path in args.images:
        try:
            with Image.open(path) as image:
                x = preprocess(image)
        except (OSError, ValueError) as e:
            print(f"error: {path}: {e}", file=sys.stderr)
            status = 1
            continue
        probs = net.predict(x[None])[0]
        values, indices = torch.topk(probs, min(args.top, probs.numel()))
        top = [[int(i), float(v)] for v, i in zip(values.tolist(), indices.tolist())]
        print(json.dumps({"image": path, "top": top}), flush=True)
    return status


if __name__ == "__main__":
    sys.exit(main())
`;
}
