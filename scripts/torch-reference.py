#!/usr/bin/env python3
"""The seed notebook's CNN and ResNet in PyTorch, the reference scripts/bench-deep.sh and
scripts/profile-deep.sh measure DL4J against: the same layers (valid 3x3 convolutions, the ResNet's
blocks with BatchNorm), Adam at 1e-3, the same batch size and threads, on the same training images.
Optional: it needs Debian's python3-torch and is never a dependency of the project itself.

  torch-reference.py train   IDX_DIR MODEL EPOCHS BATCH THREADS   images/s per epoch, test accuracy
  torch-reference.py profile IDX_DIR MODEL STEPS BATCH THREADS    torch.profiler: ms per step by op
"""
import gzip
import sys
import time

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F


def idx(path, offset):
    with gzip.open(path) as f:
        return np.frombuffer(f.read(), np.uint8, offset=offset)


def load(directory, split):
    prefix = "train" if split == "train" else "t10k"
    images = idx(f"{directory}/{prefix}-images-idx3-ubyte.gz", 16).reshape(-1, 1, 28, 28)
    labels = idx(f"{directory}/{prefix}-labels-idx1-ubyte.gz", 8)
    return torch.from_numpy(images.astype(np.float32) / 255), torch.from_numpy(labels.astype(np.int64))


class Cnn(nn.Module):
    """Conv 32, pool, Conv 64, pool, Conv 128, Dense 128, Dropout 0.5, Dense 10: 241,546 parameters."""

    def __init__(self):
        super().__init__()
        self.conv1, self.conv2, self.conv3 = nn.Conv2d(1, 32, 3), nn.Conv2d(32, 64, 3), nn.Conv2d(64, 128, 3)
        self.dense, self.output, self.dropout = nn.Linear(1152, 128), nn.Linear(128, 10), nn.Dropout(0.5)

    def forward(self, x):
        x = F.max_pool2d(F.relu(self.conv1(x)), 2)
        x = F.max_pool2d(F.relu(self.conv2(x)), 2)
        x = F.relu(self.conv3(x))
        return self.output(self.dropout(F.relu(self.dense(x.flatten(1)))))


class Block(nn.Module):
    """Conv 3x3 same ReLU, BatchNorm, Conv 3x3 same, BatchNorm, plus the input, ReLU."""

    def __init__(self, width):
        super().__init__()
        self.conv1, self.bn1 = nn.Conv2d(width, width, 3, padding=1), nn.BatchNorm2d(width)
        self.conv2, self.bn2 = nn.Conv2d(width, width, 3, padding=1), nn.BatchNorm2d(width)

    def forward(self, x):
        return F.relu(self.bn2(self.conv2(self.bn1(F.relu(self.conv1(x))))) + x)


class ResNet(nn.Module):
    """Conv 32, pool, block, pool, block, global average pooling, Dense 10."""

    def __init__(self):
        super().__init__()
        self.stem, self.block1, self.block2, self.output = nn.Conv2d(1, 32, 3), Block(32), Block(32), nn.Linear(32, 10)

    def forward(self, x):
        x = self.block1(F.max_pool2d(F.relu(self.stem(x)), 2))
        x = self.block2(F.max_pool2d(x, 2))
        return self.output(x.mean((2, 3)))


def train(directory, model, epochs, batch, threads, precision="f32"):
    torch.manual_seed(42)
    x, y = load(directory, "train")
    test_x, test_y = load(directory, "test")
    net = {"cnn": Cnn, "resnet": ResNet}[model]()
    optimizer = torch.optim.Adam(net.parameters(), 1e-3)
    # bf16: autocast's mixed precision (convolutions and the dense layer on bf16 inputs, float
    # parameters and optimizer), what the project's convolution-precision bf16 does for its convolutions.
    autocast = torch.autocast("cpu", dtype=torch.bfloat16, enabled=precision == "bf16")
    print(f"pytorch {torch.__version__} {model}: {sum(p.numel() for p in net.parameters())} parameters, "
          f"{threads} threads, batch {batch}, {precision}")
    for epoch in range(1, epochs + 1):
        net.train()
        order = torch.randperm(len(x))
        start = time.perf_counter()
        for i in range(0, len(x), batch):
            chosen = order[i:i + batch]
            optimizer.zero_grad()
            with autocast:
                loss = F.cross_entropy(net(x[chosen]), y[chosen])
            loss.backward()
            optimizer.step()
        seconds = time.perf_counter() - start
        net.eval()
        with torch.no_grad(), autocast:
            accuracy = (net(test_x).argmax(1) == test_y).float().mean().item()
        print(f"pytorch {model} {precision} epoch {epoch}: {seconds:.1f} s, {len(x) / seconds:.0f} images/s, "
              f"test accuracy {accuracy:.4f}", flush=True)


def profile(directory, model, steps, batch, threads):
    x, y = load(directory, "train")
    net = {"cnn": Cnn, "resnet": ResNet}[model]()
    optimizer = torch.optim.Adam(net.parameters(), 1e-3)

    def step(i):
        chosen = slice((i * batch) % (len(x) - batch), (i * batch) % (len(x) - batch) + batch)
        optimizer.zero_grad()
        F.cross_entropy(net(x[chosen]), y[chosen]).backward()
        optimizer.step()

    for i in range(20):  # warm-up
        step(i)
    with torch.profiler.profile(activities=[torch.profiler.ProfilerActivity.CPU]) as prof:
        start = time.perf_counter()
        for i in range(steps):
            step(i)
        seconds = time.perf_counter() - start
    print(f"pytorch {model}: {1000 * seconds / steps:.2f} ms per step of {batch} images ({threads} threads)")
    print(prof.key_averages().table(sort_by="self_cpu_time_total", row_limit=25))


if __name__ == "__main__":
    mode, directory, model, count, batch, threads = sys.argv[1:7]
    torch.set_num_threads(int(threads))
    if mode == "train":
        train(directory, model, int(count), int(batch), int(threads), *sys.argv[7:8])
    else:
        profile(directory, model, int(count), int(batch), int(threads))
