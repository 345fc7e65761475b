#!/usr/bin/env python3
"""How accurate the default ResNet can get in the default pipeline's time, tried in PyTorch where a
variant costs one process and no build: the default recipe of conf/default.conf (stem 32, a block of
32 at 13x13, a block of 128 at 6x6 with a projection; Adam at 3e-3 annealed by cosine per epoch to
1e-5, 12 epochs, batch 128 (two workers of 64), label smoothing 0.1, random flips, test-time flips),
on a seeded 54,000/6,000 fit/validation split, and one change at a time. Prints the validation
accuracy per epoch and the test accuracy; --save keeps the validation and test probabilities, and
`combine` averages saved runs (what a soft vote of two networks gives). Optional, like
torch-reference.py: it needs Debian's python3-torch and is never a dependency of the project.

  torch-recipes.py train IDX_DIR [--widths 32,128] [--stem-padding 0] [--epochs 12] [--batch 128]
                   [--lr 0.003] [--shift 0] [--weight-decay 0] [--sgd] [--threads 2] [--save FILE.npz]
  torch-recipes.py combine FILE.npz FILE.npz ...
"""
import argparse
import importlib
import math
import time

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F


# The IDX reader of torch-reference.py (this script's folder is first on the path).
load = importlib.import_module("torch-reference").load


class Block(nn.Module):
    """Conv 3x3 same ReLU, BatchNorm, Conv 3x3 same, BatchNorm, plus the input (projected by a 1x1
    convolution and BatchNorm where the width changes), ReLU: the project's residual block."""

    def __init__(self, channels_in, width):
        super().__init__()
        self.conv1, self.bn1 = nn.Conv2d(channels_in, width, 3, padding=1), nn.BatchNorm2d(width)
        self.conv2, self.bn2 = nn.Conv2d(width, width, 3, padding=1), nn.BatchNorm2d(width)
        self.projection = None if channels_in == width else nn.Sequential(
            nn.Conv2d(channels_in, width, 1), nn.BatchNorm2d(width))

    def forward(self, x):
        shortcut = x if self.projection is None else self.projection(x)
        return F.relu(self.bn2(self.conv2(self.bn1(F.relu(self.conv1(x))))) + shortcut)


class ResNet(nn.Module):
    """Stem conv, pool, then per width a stage (pooled from the second on) of one block, global
    average pooling, Dense 10."""

    def __init__(self, widths, stem_padding):
        super().__init__()
        self.stem = nn.Conv2d(1, widths[0], 3, padding=stem_padding)
        stages, channels = [], widths[0]
        for i, width in enumerate(widths):
            if i > 0:
                stages.append(nn.MaxPool2d(2))
            stages.append(Block(channels, width))
            channels = width
        self.stages, self.output = nn.Sequential(*stages), nn.Linear(channels, 10)

    def forward(self, x):
        return self.output(self.stages(F.max_pool2d(F.relu(self.stem(x)), 2)).mean((2, 3)))


def augment(x, shift, rng):
    """Random flips, and shifts by up to `shift` pixels (the uncovered border 0), as the project's."""
    x = torch.where((torch.rand(len(x)) < 0.5)[:, None, None, None], x.flip(3), x)
    if shift:
        padded = F.pad(x, (shift, shift, shift, shift))
        dy, dx = rng.integers(0, 2 * shift + 1, len(x)), rng.integers(0, 2 * shift + 1, len(x))
        x = torch.stack([padded[i, :, dy[i]:dy[i] + 28, dx[i]:dx[i] + 28] for i in range(len(x))])
    return x


def probabilities(net, x):
    """The mean of the image's and its mirror image's probabilities (test-time flips)."""
    net.eval()
    with torch.no_grad():
        out = torch.cat([(F.softmax(net(b), 1) + F.softmax(net(b.flip(3)), 1)) / 2
                         for b in (b.contiguous(memory_format=torch.channels_last) for b in x.split(500))])
    net.train()
    return out


def train(args):
    torch.set_num_threads(args.threads)
    torch.manual_seed(1)
    rng = np.random.default_rng(1)
    x, y = load(args.idx_dir, "train")
    test_x, test_y = load(args.idx_dir, "test")
    order = np.random.RandomState(42).permutation(len(x))
    val_x, val_y, x, y = x[order[:6000]], y[order[:6000]], x[order[6000:]], y[order[6000:]]
    # Channels last: oneDNN's fastest layout here, 1.4x the default's images/s.
    net = ResNet([int(w) for w in args.widths.split(",")], args.stem_padding).to(memory_format=torch.channels_last)
    optimizer = (torch.optim.SGD(net.parameters(), args.lr, momentum=0.9, nesterov=True, weight_decay=args.weight_decay)
                 if args.sgd else torch.optim.AdamW(net.parameters(), args.lr, weight_decay=args.weight_decay))
    print(f"pytorch {torch.__version__}: {sum(p.numel() for p in net.parameters())} parameters, {vars(args)}")
    start = time.perf_counter()
    for epoch in range(args.epochs):
        rate = 1e-5 + (args.lr - 1e-5) * 0.5 * (1 + math.cos(math.pi * epoch / max(1, args.epochs - 1)))
        for group in optimizer.param_groups:
            group["lr"] = rate
        began, shuffled = time.perf_counter(), torch.randperm(len(x))
        for i in range(0, len(x), args.batch):
            chosen = shuffled[i:i + args.batch]
            optimizer.zero_grad()
            batch = augment(x[chosen], args.shift, rng).contiguous(memory_format=torch.channels_last)
            F.cross_entropy(net(batch), y[chosen], label_smoothing=0.1).backward()
            optimizer.step()
        validation = probabilities(net, val_x)
        accuracy = (validation.argmax(1) == val_y).float().mean().item()
        print(f"epoch {epoch + 1}: validation accuracy {accuracy:.4f}, "
              f"{len(x) / (time.perf_counter() - began):.0f} images/s", flush=True)
    test = probabilities(net, test_x)
    print(f"test accuracy {(test.argmax(1) == test_y).float().mean().item():.4f}, "
          f"{time.perf_counter() - start:.0f} s")
    if args.save:
        np.savez(args.save, validation=validation.numpy(), test=test.numpy(), test_labels=test_y.numpy())


def combine(args):
    runs = [np.load(f) for f in args.files]
    mean = sum(r["test"] for r in runs) / len(runs)
    print(f"soft vote of {len(runs)}: test accuracy {(mean.argmax(1) == runs[0]['test_labels']).mean():.4f}")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    modes = parser.add_subparsers(dest="mode", required=True)
    t = modes.add_parser("train")
    t.add_argument("idx_dir")
    t.add_argument("--widths", default="32,128")
    t.add_argument("--stem-padding", type=int, default=0)
    t.add_argument("--epochs", type=int, default=12)
    t.add_argument("--batch", type=int, default=128)
    t.add_argument("--lr", type=float, default=0.003)
    t.add_argument("--shift", type=int, default=0)
    t.add_argument("--weight-decay", type=float, default=0.0)
    t.add_argument("--sgd", action="store_true")
    t.add_argument("--threads", type=int, default=2)
    t.add_argument("--save")
    c = modes.add_parser("combine")
    c.add_argument("files", nargs="+")
    args = parser.parse_args()
    {"train": train, "combine": combine}[args.mode](args)
