/** README.md of a PyTorch export: what the files are, the exact commands, and how names and numbers map. */
import type { ExportPreprocessing } from '../types';
import { pyFloat, type TorchPlan } from './plan';

export interface ReadmeOptions {
  readonly plan: TorchPlan;
  readonly weightsLabel: string;
  readonly hasWeights: boolean;
  readonly preprocessing?: ExportPreprocessing;
  readonly classNames?: readonly string[];
  readonly notes: readonly string[];
}

export function readmeMd({ plan: p, weightsLabel, hasWeights, preprocessing: pp, classNames, notes }: ReadmeOptions): string {
  const files = [
    '- `model.py`: the network as a PyTorch `nn.Module` (`ResNet`), the safetensors reader, the preprocessing and a command line.',
    hasWeights
      ? `- \`weights.safetensors\`: the weights (${weightsLabel}), keys as below; metadata holds the preprocessing${classNames ? ' and the class names' : ''}.`
      : '- no `weights.safetensors`: this export is the structure only (train it with `train.py`).',
    ...(classNames ? ['- `classes.txt`: the class names, one per line, in output index order.'] : []),
    '- `train.py`: training and fine-tuning with DistributedDataParallel (`torchrun`).',
  ];
  const pre = pp
    ? `Inputs: RGB pixels 0–255, shorter side resized to ${p.inputSize[0]}×${p.inputSize[1]} then centre-cropped (bilinear, half-pixel centres), ` +
      `${pp.channelOrder === 'BGR' ? 'channels reversed to BGR, ' : ''}then \`(x · ${pp.scale === 1 ? '1' : pp.scale.toPrecision(6)} − mean) / std\` with mean ` +
      `${JSON.stringify(pp.mean)} and std ${JSON.stringify(pp.std)} (Keras \`preprocess_input\` mode \`${pp.mode}\`). \`model.preprocess(image)\` does exactly this.`
    : 'No preprocessing was recorded with this export; `model.py` uses the pixels as they are.';
  const keras = [
    '| Keras layer | PyTorch module |',
    '|---|---|',
    '| `conv1_conv`, `conv1_bn` | `conv1`, `bn1` |',
    '| `convS_blockK_J_conv`, `_J_bn` | `layer{S−1}.{K−1}.convJ`, `.bnJ` |',
    '| `convS_blockK_0_conv`, `_0_bn` (projection shortcut) | `layer{S−1}.{K−1}.downsample.0`, `.downsample.1` |',
    ...(p.pre
      ? ['| `convS_blockK_preact_bn` (pre-activation) | `layer{S−1}.{K−1}.bn_pre` |', '| `post_bn` | `postnorm` |']
      : []),
    '| `predictions` / `probs` | `fc` |',
  ];
  const exact = [
    `- BatchNorm epsilon ${pyFloat(p.eps)} (\`nn.BatchNorm2d(eps=…)\`); BatchNorm keys also carry torchvision's \`num_batches_tracked\` (0).`,
    '- Keras kernels [kh, kw, in, out] are stored as [out, in, kh, kw], dense [in, out] as [out, in].',
    ...(p.groups > 1
      ? [`- The ${p.groups}-group 3×3 convs are one \`nn.Conv2d(groups=${p.groups})\`; Keras' depthwise kernel [3, 3, in, in/${p.groups}] with its group sum becomes the weight [out, in/${p.groups}, 3, 3].`]
      : []),
    ...(p.pad3x3 === 'same'
      ? [
          p.sameStrided
            ? "- 3×3 convs use TF padding 'same'; with stride 2 on an even size that pads 0 before and 1 after (`Conv2dSame`), not PyTorch's symmetric 1."
            : "- 3×3 convs use TF padding 'same', which at stride 1 is PyTorch's padding=1.",
        ]
      : []),
    ...(p.pre
      ? [
          '- Pre-activation (He et al. 2016): each block starts with `bn_pre` + ReLU; projection shortcuts take that activated input, ' +
            "the 1×1 max-pool and identity shortcuts the raw input; the stem's max-pool pads with zeros as Keras does.",
        ]
      : []),
    ...(p.stages.some((s) => s.some((b) => b.shortcut === 'zeropad')) ? ['- Option-A shortcuts (`ZeroPadShortcut`) keep every stride-th pixel and add zero channels; no parameters.'] : []),
    ...(p.head.kind === 'classifier' && p.head.softmax
      ? ['- The Keras model ends in a softmax; `forward()` returns the logits before it, `predict()` and the command line apply it.']
      : []),
  ];
  return `# ${p.name} for PyTorch

Exported by ResNet Explorer. Needs Python 3 with PyTorch ≥ 1.13 and Pillow (for images); \`train.py\` also needs
torchvision. On Debian: \`apt-get install python3-torch python3-torchvision python3-pil\`.

${files.join('\n')}

## Classify

\`\`\`sh
python3 model.py photo.jpg other.png        # one JSON line per image: {"image": …, "top": [[index, probability], …]}
python3 model.py photo.jpg --top 3
\`\`\`

${pre}

\`\`\`python
import model
net = model.load_model()                      # strict: every key and shape must match
x = model.preprocess(PIL.Image.open("photo.jpg"))[None]
probs = net.predict(x)                        # softmax of net(x)
\`\`\`

## Train

\`train.py\` reads a folder with one sub-folder per class (\`pets/cat/*.jpg\`, \`pets/dog/*.jpg\`, as the app's
fine-tune; classes sorted by name) and holds out 10 % of each class for validation (\`--val-split\`, or
\`--val-data DIR\`). Recipe of He et al. 2015 §3.4: SGD with momentum 0.9, weight decay 1e-4, learning rate
0.1 × global batch / 256, divided by 10 at 1/3 and 2/3 of \`--epochs\` (\`--schedule cosine\` instead), optional
linear warm-up (\`--warmup-epochs\`); mixed precision on GPU; top-1 / top-5 validation after every epoch. Rank 0
writes \`OUT/checkpoint.pt\` after every epoch (\`--resume\` continues from it, at the same step) and
\`OUT/weights.safetensors\` + \`OUT/classes.txt\` at the end (\`python3 model.py --weights OUT/weights.safetensors IMAGE\`).

\`\`\`sh
# one machine, one process (CPU or one GPU)
python3 train.py --data pets --epochs 30 --batch-size 64 --out runs

# one machine, 4 GPUs (NCCL); on CPU the same command runs 4 processes with gloo
torchrun --standalone --nproc_per_node=4 train.py --data pets --epochs 30 --batch-size 64 --out runs

# 2 machines × 8 GPUs: the same command on each machine; HOST = the address of one of them (the c10d
# rendezvous assigns the ranks); rank 0 writes the checkpoint and, with --resume, reads it and sends it to the others
torchrun --nnodes=2 --nproc_per_node=8 --rdzv_backend=c10d --rdzv_id=resnet \\
    --rdzv_endpoint=HOST:29500 train.py --data pets --epochs 30 --batch-size 64 --out runs

# fine-tune: the exported weights frozen (BatchNorm statistics too), a new classifier for your classes
python3 train.py --data pets --finetune --epochs 10 --lr 0.01 --out runs

# continue an interrupted run (same command plus --resume)
torchrun --standalone --nproc_per_node=4 train.py --data pets --epochs 30 --batch-size 64 --out runs --resume
\`\`\`

PyTorch 1.13 on Python 3.11 (Debian 12's \`python3-torch\`): add \`--redirects 2 --tee 2\` after \`torchrun\`. Its default
value 0 for these options is misparsed there and torchrun stops with \`AttributeError: 'NoneType' object has no attribute 'get'\`.

If \`torchrun --standalone\` hangs without printing anything (seen in a container without DNS; its rendezvous looks
up the machine's host name), use a static rendezvous on a known address and a free port instead:
\`torchrun --nnodes=1 --nproc_per_node=4 --master_addr=127.0.0.1 --master_port=29500 train.py …\`, and for CPU
processes \`GLOO_SOCKET_IFNAME=lo\` so gloo uses the loopback interface.

\`--batch-size\` is per process: the global batch and the default learning rate grow with the number of processes.
Every machine needs the data at the same path. \`--init weights\` starts full training from the exported weights;
\`--max-steps N\` stops early (a quick check); \`--sync-bn\` synchronises BatchNorm across processes.

## Names and exactness

State-dict keys follow torchvision's ResNet (\`torchvision/models/resnet.py\`)${p.pre ? ', extended for pre-activation' : ''}:

${keras.join('\n')}

${exact.join('\n')}
${notes.length ? `\nNotes: ${notes.join('; ')}.\n` : ''}`;
}
