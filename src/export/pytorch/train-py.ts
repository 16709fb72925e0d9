/**
 * train.py: data-parallel training of the exported module with torchrun (DDP), following He et al. 2015 §3.4
 * (SGD, momentum 0.9, weight decay 1e-4, lr 0.1 for a batch of 256, divided by 10 twice) with the linear lr
 * scaling and warm-up of Goyal et al. 2017, plus the app's fine-tune (frozen backbone, new head).
 */
export function trainPy(modelName: string): string {
  return `#!/usr/bin/env python3
"""Train or fine-tune ${modelName} (model.py) with PyTorch DistributedDataParallel.

Data: a folder with one sub-folder per class (cat/*.jpg, dog/*.jpg), the layout of the app's fine-tune; classes
are sorted by name. A share of each class (--val-split) is held out for validation unless --val-data is given.

    python3 train.py --data DIR                                             # one process (CPU or one GPU)
    torchrun --standalone --nproc_per_node=N train.py --data DIR            # N GPUs (or N CPU processes) on one machine
    torchrun --nnodes=M --nproc_per_node=N --rdzv_backend=c10d \\
        --rdzv_id=JOB --rdzv_endpoint=HOST:29500 train.py --data DIR        # M machines (the same command on each)
    python3 train.py --data DIR --finetune                                  # frozen backbone, new classifier

PyTorch 1.13 on Python 3.11 (Debian 12): add --redirects 2 --tee 2 to torchrun (it misparses their default 0).

Recipe (He et al. 2015 §3.4): SGD momentum 0.9, weight decay 1e-4, lr 0.1 × (global batch / 256) (the linear
scaling of Goyal et al. 2017, with --warmup-epochs of linear warm-up), divided by 10 at 1/3 and 2/3 of the epochs
(--schedule step, torchvision's reference recipe at 90 epochs) or cosine. Mixed precision on GPU. Backend nccl on
GPU, gloo on CPU. Rank 0 writes OUT/checkpoint.pt after every epoch and OUT/weights.safetensors (+ classes.txt)
at the end; --resume continues from the checkpoint (rank 0 reads it and sends it to the others), at the same step.
"""
import argparse
import json
import math
import os
import random
import sys
import time

import torch
import torch.distributed as dist
from torch import nn
from torch.nn.parallel import DistributedDataParallel
from torch.utils.data import DataLoader, Subset
from torch.utils.data.distributed import DistributedSampler
from torchvision import datasets, transforms

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import model as exported  # noqa: E402


def parse_args(argv=None):
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--data", required=True, help="folder with one sub-folder per class")
    p.add_argument("--val-data", help="validation folder with the same classes (default: hold out --val-split of --data)")
    p.add_argument("--val-split", type=float, default=0.1, help="share of each class held out for validation (default 0.1)")
    p.add_argument("--finetune", action="store_true", help="load the exported weights, freeze them, train a new classifier")
    p.add_argument("--init", choices=["random", "weights"], default=None,
                   help="start from random weights (default) or the exported ones (default with --finetune)")
    p.add_argument("--weights", default=exported.WEIGHTS, help="weights for --init weights / --finetune")
    p.add_argument("--epochs", type=int, default=90)
    p.add_argument("--batch-size", type=int, default=32, help="per process; the global batch is this × world size")
    p.add_argument("--lr", type=float, default=None, help="default 0.1 × global batch / 256")
    p.add_argument("--momentum", type=float, default=0.9)
    p.add_argument("--weight-decay", type=float, default=1e-4)
    p.add_argument("--warmup-epochs", type=float, default=0.0, help="linear warm-up (Goyal et al. 2017 use 5 for large batches)")
    p.add_argument("--schedule", choices=["step", "cosine"], default="step")
    p.add_argument("--workers", type=int, default=4, help="data-loading processes per training process")
    p.add_argument("--out", default="runs", help="folder for checkpoint.pt, weights.safetensors and classes.txt")
    p.add_argument("--resume", action="store_true", help="continue from OUT/checkpoint.pt")
    p.add_argument("--max-steps", type=int, default=0, help="stop after this many optimizer steps in all (0: no limit)")
    p.add_argument("--no-amp", action="store_true", help="no mixed precision on GPU")
    p.add_argument("--sync-bn", action="store_true", help="synchronise BatchNorm statistics across processes")
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--print-every", type=int, default=10)
    args = p.parse_args(argv)
    if args.init is None:
        args.init = "weights" if args.finetune else "random"
    if args.finetune and args.init != "weights":
        p.error("--finetune trains a new head on the exported weights: it cannot start from --init random")
    return args


def setup():
    """torchrun sets RANK, LOCAL_RANK and WORLD_SIZE; a plain python3 run is one process."""
    world = int(os.environ.get("WORLD_SIZE", "1"))
    rank = int(os.environ.get("RANK", "0"))
    local = int(os.environ.get("LOCAL_RANK", "0"))
    if torch.cuda.is_available():
        torch.cuda.set_device(local)
        device = torch.device("cuda", local)
    else:
        device = torch.device("cpu")
        local_world = int(os.environ.get("LOCAL_WORLD_SIZE", "1"))
        torch.set_num_threads(max(1, (os.cpu_count() or 1) // local_world))
    if world > 1:
        dist.init_process_group("nccl" if device.type == "cuda" else "gloo")
    return rank, world, device


def log(rank, *parts):
    if rank == 0:
        print(*parts, flush=True)


def split_per_class(targets, share, seed):
    """Deterministic per-class split: the same images are held out on every process and every run."""
    by_class = {}
    for i, t in enumerate(targets):
        by_class.setdefault(t, []).append(i)
    train, val = [], []
    rng = random.Random(seed)
    for t in sorted(by_class):
        idx = by_class[t]
        rng.shuffle(idx)
        k = int(round(len(idx) * share)) if len(idx) > 1 else 0
        val += idx[:k]
        train += idx[k:]
    return sorted(train), sorted(val)


class ToInput:
    """Pillow image → the normalised tensor model.py uses (channel order, mean, std of the exported weights)."""

    def __call__(self, image):
        return exported.normalize(exported.pil_to_tensor(image))


class EvalInput:
    """Validation: shorter side to the input, centre crop, exactly as model.py classifies."""

    def __call__(self, image):
        return exported.preprocess(image)


def datasets_for(args):
    size = exported.INPUT_SIZE
    # Scale and aspect augmentation plus horizontal flips (He et al. 2015 §3.4; torchvision's RandomResizedCrop).
    train_tf = transforms.Compose([transforms.RandomResizedCrop(size), transforms.RandomHorizontalFlip(), ToInput()])
    train_all = datasets.ImageFolder(args.data, transform=train_tf)
    if args.val_data:
        val = datasets.ImageFolder(args.val_data, transform=EvalInput())
        if val.classes != train_all.classes:
            raise SystemExit(f"--val-data classes {val.classes} differ from --data classes {train_all.classes}")
        return train_all, val, train_all.classes
    train_idx, val_idx = split_per_class(train_all.targets, args.val_split, args.seed)
    val_all = datasets.ImageFolder(args.data, transform=EvalInput())
    return Subset(train_all, train_idx), Subset(val_all, val_idx), train_all.classes


def build(args, num_classes, device):
    """model.py's ResNet with a classifier for this data set's classes."""
    net = exported.ResNet(num_classes=num_classes)
    if args.init == "random":
        for m in net.modules():
            if isinstance(m, nn.Conv2d):
                nn.init.kaiming_normal_(m.weight, mode="fan_out", nonlinearity="relu")  # He et al. 2015b, as torchvision
        return net.to(device)
    state = exported.read_safetensors(args.weights)
    head = {k[3:]: v for k, v in state.items() if k.startswith("fc.")}
    backbone = {k: v for k, v in state.items() if not k.startswith("fc.")}
    missing, unexpected = net.load_state_dict(backbone, strict=False)
    if unexpected or any(not k.startswith("fc.") for k in missing):
        raise SystemExit(f"{args.weights} does not fit model.py: missing {missing}, unexpected {unexpected}")
    if head and head["weight"].shape[0] == num_classes and not args.finetune:
        net.fc.load_state_dict(head)  # same classes: continue training the exported classifier too
    else:
        # A new head (Glorot-uniform kernels and zero biases, like the app's fine-tune head): the classifier, and
        # the hidden fc1 of a model whose head has one (the app's dense2048 head), which is part of the head too.
        for layer in (getattr(net, "fc1", None), net.fc):
            if layer is not None:
                nn.init.xavier_uniform_(layer.weight)
                nn.init.zeros_(layer.bias)
    if args.finetune:
        for name, param in net.named_parameters():
            param.requires_grad = name.startswith(("fc.", "fc1."))
    return net.to(device)


def set_train_mode(net, finetune):
    net.train()
    if finetune:
        # A frozen backbone keeps its BatchNorm statistics (Keras: BN layers of a frozen base run in inference mode).
        for name, m in net.named_modules():
            if isinstance(m, nn.modules.batchnorm._BatchNorm):
                m.eval()


def lr_at(step, steps_per_epoch, args, base_lr):
    epoch = step / steps_per_epoch
    if args.warmup_epochs > 0 and epoch < args.warmup_epochs:
        return base_lr * (step + 1) / (args.warmup_epochs * steps_per_epoch)
    if args.schedule == "cosine":
        span = max(args.epochs - args.warmup_epochs, 1e-9)
        return 0.5 * base_lr * (1 + math.cos(math.pi * min((epoch - args.warmup_epochs) / span, 1.0)))
    milestones = [args.epochs / 3, 2 * args.epochs / 3]
    return base_lr * 0.1 ** sum(epoch >= m for m in milestones)


@torch.no_grad()
def evaluate(net, val, rank, world, device, batch_size, workers):
    """Top-1 / top-5 accuracy; each process takes every world-th image (no padding), sums are all-reduced."""
    net.eval()
    shard = Subset(val, list(range(rank, len(val), world)))
    loader = DataLoader(shard, batch_size=batch_size, num_workers=workers)
    totals = torch.zeros(4, dtype=torch.float64, device=device)  # correct@1, correct@5, loss sum, count
    for x, y in loader:
        x, y = x.to(device, non_blocking=True), y.to(device, non_blocking=True)
        logits = net(x).float()
        k = min(5, logits.shape[1])
        top = logits.topk(k, dim=1).indices
        totals[0] += (top[:, 0] == y).sum()
        totals[1] += (top == y[:, None]).any(dim=1).sum()
        totals[2] += nn.functional.cross_entropy(logits, y, reduction="sum")
        totals[3] += y.numel()
    if world > 1:
        dist.all_reduce(totals)
    n = max(totals[3].item(), 1)
    return {"top1": totals[0].item() / n, "top5": totals[1].item() / n, "loss": totals[2].item() / n, "images": int(totals[3].item())}


def save_checkpoint(path, net, optimizer, scaler, epoch, step, batch, classes, args):
    tmp = path + ".tmp"
    torch.save({"model": net.state_dict(), "optimizer": optimizer.state_dict(), "scaler": scaler.state_dict(),
                "epoch": epoch, "step": step, "batch": batch, "classes": classes, "args": vars(args)}, tmp)
    os.replace(tmp, path)


def load_checkpoint(path, rank, world):
    """Rank 0 reads the checkpoint it wrote and sends it to every process (other machines need no copy)."""
    state = torch.load(path, map_location="cpu") if rank == 0 and os.path.exists(path) else None
    if world > 1:
        box = [state]
        dist.broadcast_object_list(box, src=0)
        state = box[0]
    if state is None:
        raise SystemExit(f"--resume: {path} does not exist (on the machine of rank 0)")
    return state


def main(argv=None):
    args = parse_args(argv)
    rank, world, device = setup()
    torch.manual_seed(args.seed)
    random.seed(args.seed)
    train_set, val_set, classes = datasets_for(args)
    if len(classes) < 2 or len(train_set) == 0:
        raise SystemExit(f"{args.data}: need at least 2 class folders with images; found {len(classes)} classes, {len(train_set)} training images")
    net = build(args, len(classes), device)
    if args.sync_bn and world > 1:
        net = nn.SyncBatchNorm.convert_sync_batchnorm(net)
    ddp = DistributedDataParallel(net, device_ids=[device.index] if device.type == "cuda" else None) if world > 1 else net

    base_lr = args.lr if args.lr is not None else 0.1 * args.batch_size * world / 256
    params = [p for p in net.parameters() if p.requires_grad]
    # No weight decay on BN and bias parameters is a later refinement (Goyal et al. 2017); the paper decays all.
    optimizer = torch.optim.SGD(params, lr=base_lr, momentum=args.momentum, weight_decay=args.weight_decay)
    use_amp = device.type == "cuda" and not args.no_amp
    amp_dtype = torch.float16 if device.type == "cuda" else torch.bfloat16  # CPU autocast warns for float16 even when off
    scaler = torch.amp.GradScaler("cuda", enabled=use_amp) if hasattr(torch.amp, "GradScaler") else torch.cuda.amp.GradScaler(enabled=use_amp)

    sampler = DistributedSampler(train_set, num_replicas=world, rank=rank, shuffle=True, seed=args.seed, drop_last=True) if world > 1 else None
    loader = DataLoader(train_set, batch_size=args.batch_size, shuffle=sampler is None, sampler=sampler,
                        num_workers=args.workers, pin_memory=device.type == "cuda", drop_last=len(train_set) >= args.batch_size * world,
                        generator=torch.Generator().manual_seed(args.seed), persistent_workers=args.workers > 0)
    steps_per_epoch = max(len(loader), 1)

    os.makedirs(args.out, exist_ok=True)
    ckpt = os.path.join(args.out, "checkpoint.pt")
    epoch, step, skip = 0, 0, 0
    if args.resume:
        state = load_checkpoint(ckpt, rank, world)
        if state["classes"] != classes:
            raise SystemExit(f"--resume: the checkpoint's classes {state['classes']} differ from {classes}")
        net.load_state_dict(state["model"])
        optimizer.load_state_dict(state["optimizer"])
        scaler.load_state_dict(state["scaler"])
        epoch, step, skip = state["epoch"], state["step"], state["batch"]
        log(rank, f"resumed from {ckpt}: epoch {epoch}, step {step}")

    log(rank, f"{world} process(es) on {device.type}, {len(classes)} classes, {len(train_set)} training / {len(val_set)} validation images, "
              f"global batch {args.batch_size * world}, lr {base_lr:g}, {'fine-tune (new head)' if args.finetune else 'init ' + args.init}")
    done = False
    while epoch < args.epochs and not done:
        if sampler is not None:
            sampler.set_epoch(epoch)
        set_train_mode(ddp, args.finetune)
        start, seen, batch = time.time(), 0, 0
        for batch, (x, y) in enumerate(loader):
            if batch < skip:
                continue  # resuming inside an epoch: the sampler order is the same, so skip what was done
            for group in optimizer.param_groups:
                group["lr"] = lr_at(step, steps_per_epoch, args, base_lr)
            x, y = x.to(device, non_blocking=True), y.to(device, non_blocking=True)
            with torch.autocast(device_type=device.type, dtype=amp_dtype, enabled=use_amp):
                loss = nn.functional.cross_entropy(ddp(x), y)
            optimizer.zero_grad(set_to_none=True)
            scaler.scale(loss).backward()
            scaler.step(optimizer)
            scaler.update()
            step += 1
            seen += x.shape[0] * world
            if step % args.print_every == 0 or step == 1 or step == args.max_steps:
                log(rank, f"epoch {epoch + 1}/{args.epochs} step {step} loss {loss.item():.4f} lr {optimizer.param_groups[0]['lr']:.6f} "
                          f"{seen / max(time.time() - start, 1e-9):.1f} img/s")
            if args.max_steps and step >= args.max_steps:
                done = True
                break
        skip = 0
        shown = epoch + 1
        finished_epoch = not done or batch + 1 >= steps_per_epoch
        if finished_epoch:
            epoch += 1
        metrics = evaluate(net, val_set, rank, world, device, args.batch_size, args.workers) if len(val_set) else None
        if metrics:
            log(rank, f"epoch {shown}{'' if finished_epoch else ' (stopped early)'} validation top-1 {metrics['top1']:.4f} top-5 {metrics['top5']:.4f} loss {metrics['loss']:.4f} ({metrics['images']} images)")
        if rank == 0:
            save_checkpoint(ckpt, net, optimizer, scaler, epoch, step, 0 if finished_epoch else batch + 1, classes, args)
            log(rank, f"checkpoint {ckpt} (epoch {epoch}, step {step})")
        if world > 1:
            dist.barrier()

    if rank == 0:
        state = {k: v for k, v in net.state_dict().items()}
        meta = {"format": "pt", "model": "${modelName}", "class_names": json.dumps(classes), "trained_steps": str(step)}
        exported.write_safetensors(state, os.path.join(args.out, "weights.safetensors"), meta)
        with open(os.path.join(args.out, "classes.txt"), "w") as f:
            f.write("\\n".join(classes) + "\\n")
        log(rank, f"wrote {os.path.join(args.out, 'weights.safetensors')} and classes.txt ({len(classes)} classes)")
    if world > 1:
        dist.destroy_process_group()


if __name__ == "__main__":
    main()
`;
}
