"""PyTorch reference for `npm run bench:engine`: the same two nets as benchmarks/perf/src/nets.ts (VGG style and
ResNet-50-bottleneck style), the same batch, input size and threads, one plain SGD step (forward, softmax
cross-entropy, backward, update) timed like the TF.js rows (median wall and CPU ms of N steps after one warm-up).
Channels-last memory, as the torch backend runs. Prints one JSON object.

usage: python3 train_step.py --net vgg-style|resnet50-bottleneck-style --shape N,H,W,C --threads T --steps S
       [--device cpu|cuda]
"""
import argparse
import json
import time

import torch
import torch.nn as nn
import torch.nn.functional as F


class Vgg(nn.Module):
    def __init__(self, widths=(32, 64, 128, 256), classes=2, cin=3):
        super().__init__()
        layers, ci = [], cin
        for w in widths:
            layers += [nn.Conv2d(ci, w, 3, padding=1), nn.ReLU(), nn.Conv2d(w, w, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2)]
            ci = w
        self.features = nn.Sequential(*layers)
        self.fc = nn.Linear(ci, classes)

    def forward(self, x):
        return self.fc(self.features(x).mean((2, 3)))


class Bottleneck(nn.Module):
    def __init__(self, ci, width, stride):
        super().__init__()
        out = width * 4
        self.c1, self.b1 = nn.Conv2d(ci, width, 1, bias=False), nn.BatchNorm2d(width)
        self.c2, self.b2 = nn.Conv2d(width, width, 3, stride, 1, bias=False), nn.BatchNorm2d(width)
        self.c3, self.b3 = nn.Conv2d(width, out, 1, bias=False), nn.BatchNorm2d(out)
        self.down = None
        if ci != out or stride != 1:
            self.down = nn.Sequential(nn.Conv2d(ci, out, 1, stride, bias=False), nn.BatchNorm2d(out))

    def forward(self, x):
        h = F.relu(self.b1(self.c1(x)))
        h = F.relu(self.b2(self.c2(h)))
        h = self.b3(self.c3(h))
        return F.relu(h + (self.down(x) if self.down is not None else x))


class ResNetStyle(nn.Module):
    def __init__(self, stages=((64, 2), (128, 2), (256, 2)), classes=2):
        super().__init__()
        self.stem, self.bn = nn.Conv2d(3, 64, 7, 2, 3, bias=False), nn.BatchNorm2d(64)
        blocks, ci = [], 64
        for s, (width, count) in enumerate(stages):
            for b in range(count):
                blocks.append(Bottleneck(ci, width, 2 if b == 0 and s > 0 else 1))
                ci = width * 4
        self.blocks = nn.Sequential(*blocks)
        self.fc = nn.Linear(ci, classes)

    def forward(self, x):
        h = F.max_pool2d(F.relu(self.bn(self.stem(x))), 3, 2, 1)
        return self.fc(self.blocks(h).mean((2, 3)))


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--net", required=True)
    p.add_argument("--shape", required=True)
    p.add_argument("--threads", type=int, default=1)
    p.add_argument("--steps", type=int, default=3)
    p.add_argument("--device", default="cpu")
    a = p.parse_args()
    torch.set_num_threads(a.threads)
    torch.manual_seed(0)
    n, h, w, c = (int(v) for v in a.shape.split(","))
    dev = torch.device(a.device)
    net = {"vgg-style": Vgg, "resnet50-bottleneck-style": ResNetStyle}[a.net]().to(dev).to(memory_format=torch.channels_last)
    x = torch.rand(n, c, h, w, device=dev).to(memory_format=torch.channels_last)
    y = torch.arange(n, device=dev) % 2
    opt = torch.optim.SGD(net.parameters(), lr=0.01)

    def step():
        opt.zero_grad(set_to_none=True)
        loss = F.cross_entropy(net(x), y)
        loss.backward()
        opt.step()
        return loss.item()

    step()  # warm-up
    walls, cpus = [], []
    for _ in range(a.steps):
        if dev.type == "cuda":
            torch.cuda.synchronize()
        t0, c0 = time.perf_counter(), time.process_time()
        step()
        if dev.type == "cuda":
            torch.cuda.synchronize()
        walls.append((time.perf_counter() - t0) * 1000)
        cpus.append((time.process_time() - c0) * 1000)
    med = lambda v: sorted(v)[len(v) // 2]
    print(json.dumps({"torch": torch.__version__, "threads": torch.get_num_threads(), "device": a.device,
                      "msPerStep": med(walls), "cpuMsPerStep": med(cpus)}))


if __name__ == "__main__":
    main()
