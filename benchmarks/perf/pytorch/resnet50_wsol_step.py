"""PyTorch reference for the GPU device check (benchmarks/perf/device-check.sh): one plain SGD training step of
ResNet50 in its WSOL form (layer3 and layer4 without stride: output stride 8, 2048@28x28 at 224 px), global average
pooling and a dense head, softmax cross-entropy, on channels-last memory, timed like the torch backend's row (median
wall ms of --steps steps after --warmup, each ending with a device synchronisation). Prints one JSON object.

The default --variant v1 is the project's network (@wslbench/backbones resnet50: Keras ResNet50 v1, the stride of a
down-sampling block on its first 1x1 conv and shortcut, convs with biases, BN epsilon 1.001e-5), so both sides do
the same arithmetic. --variant v1.5 is torchvision's layout (stride on the 3x3, no conv biases), as the WSOL
reference code builds it. torchvision is not needed.

usage: python3 resnet50_wsol_step.py [--device cuda|cpu] [--batch 32] [--size 224] [--steps 10] [--warmup 2]
       [--classes 2] [--threads T] [--variant v1|v1.5]
"""
import argparse
import json
import os
import time

import torch
import torch.nn as nn
import torch.nn.functional as F


class Bottleneck(nn.Module):
    def __init__(self, ci, planes, stride, v15, bias, eps):
        super().__init__()
        out = planes * 4
        s1, s2 = (1, stride) if v15 else (stride, 1)
        self.c1, self.b1 = nn.Conv2d(ci, planes, 1, s1, bias=bias), nn.BatchNorm2d(planes, eps=eps)
        self.c2, self.b2 = nn.Conv2d(planes, planes, 3, s2, 1, bias=bias), nn.BatchNorm2d(planes, eps=eps)
        self.c3, self.b3 = nn.Conv2d(planes, out, 1, bias=bias), nn.BatchNorm2d(out, eps=eps)
        self.down = None
        if stride != 1 or ci != out:
            self.down = nn.Sequential(nn.Conv2d(ci, out, 1, stride, bias=bias), nn.BatchNorm2d(out, eps=eps))

    def forward(self, x):
        h = F.relu(self.b1(self.c1(x)))
        h = F.relu(self.b2(self.c2(h)))
        h = self.b3(self.c3(h))
        return F.relu(h + (self.down(x) if self.down is not None else x))


class ResNet50Wsol(nn.Module):
    # (planes, blocks, stride): layer3 and layer4 at stride 1 (ResNet50 has 2 there).
    LAYERS = ((64, 3, 1), (128, 4, 2), (256, 6, 1), (512, 3, 1))

    def __init__(self, classes=2, variant="v1"):
        super().__init__()
        v15 = variant == "v1.5"
        bias, eps = (False, 1e-5) if v15 else (True, 1.001e-5)
        self.conv1, self.bn1 = nn.Conv2d(3, 64, 7, 2, 3, bias=bias), nn.BatchNorm2d(64, eps=eps)
        blocks, ci = [], 64
        for planes, count, stride in self.LAYERS:
            for b in range(count):
                blocks.append(Bottleneck(ci, planes, stride if b == 0 else 1, v15, bias, eps))
                ci = planes * 4
        self.blocks = nn.Sequential(*blocks)
        self.fc = nn.Linear(ci, classes)

    def forward(self, x):
        h = F.max_pool2d(F.relu(self.bn1(self.conv1(x))), 3, 2, 1)
        return self.fc(self.blocks(h).mean((2, 3)))


def step_gflop(net, batch, size, device):
    """Analytic FLOPs of one training step: conv/dense multiply-adds x2, forward + both backward products (the first
    layer needs no input gradient), as benchmarks/perf/src/nets.ts counts them."""
    per_layer = []

    def hook(m, inp, out):
        if isinstance(m, nn.Conv2d):
            k = m.kernel_size[0] * m.kernel_size[1] * m.in_channels // m.groups
            per_layer.append(2 * out.shape[2] * out.shape[3] * k * m.out_channels)
        elif isinstance(m, nn.Linear):
            per_layer.append(2 * m.in_features * m.out_features)

    hs = [m.register_forward_hook(hook) for m in net.modules() if isinstance(m, (nn.Conv2d, nn.Linear))]
    with torch.no_grad():
        net.eval()
        net(torch.zeros(1, 3, size, size, device=device).to(memory_format=torch.channels_last))
        net.train()
    for h in hs:
        h.remove()
    return batch * (3 * sum(per_layer) - per_layer[0]) / 1e9


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--device", default="cuda")
    p.add_argument("--batch", type=int, default=32)
    p.add_argument("--size", type=int, default=224)
    p.add_argument("--steps", type=int, default=10)
    p.add_argument("--warmup", type=int, default=2)
    p.add_argument("--classes", type=int, default=2)
    p.add_argument("--threads", type=int, default=0)
    p.add_argument("--variant", choices=("v1", "v1.5"), default="v1")
    a = p.parse_args()
    if a.threads > 0:
        torch.set_num_threads(a.threads)
    if a.device == "cuda" and not torch.cuda.is_available():
        print(json.dumps({"error": "device cuda asked, but torch.cuda.is_available() is False", "torch": torch.__version__}))
        raise SystemExit(2)
    torch.manual_seed(0)
    dev = torch.device(a.device)
    net = ResNet50Wsol(a.classes, a.variant).to(dev).to(memory_format=torch.channels_last)
    x = (torch.rand(a.batch, 3, a.size, a.size, device=dev) * 2 - 1).to(memory_format=torch.channels_last)
    y = torch.arange(a.batch, device=dev) % a.classes
    opt = torch.optim.SGD(net.parameters(), lr=0.01)

    def step():
        opt.zero_grad(set_to_none=True)
        loss = F.cross_entropy(net(x), y)
        loss.backward()
        opt.step()
        return loss.item()  # a host read: the step has finished on the device

    def sync():
        if dev.type == "cuda":
            torch.cuda.synchronize()

    losses, walls = [], []
    for i in range(a.warmup + a.steps):
        sync()
        t0 = time.perf_counter()
        losses.append(step())
        sync()
        if i >= a.warmup:
            walls.append((time.perf_counter() - t0) * 1000)
    out = {
        "torch": torch.__version__,
        "device": a.device,
        "gpu": torch.cuda.get_device_name(0) if dev.type == "cuda" else None,
        "threads": torch.get_num_threads(),
        "variant": a.variant,
        "inputShape": [a.batch, a.size, a.size, 3],
        "trainableParams": sum(q.numel() for q in net.parameters()),
        "tf32": {"cudnn": torch.backends.cudnn.allow_tf32, "matmul": torch.backends.cuda.matmul.allow_tf32,
                 "NVIDIA_TF32_OVERRIDE": os.environ.get("NVIDIA_TF32_OVERRIDE")},
        "warmup": a.warmup,
        "steps": a.steps,
        "gflopPerStep": step_gflop(net, a.batch, a.size, dev),
        "msPerStep": sorted(walls)[len(walls) // 2],
        "meanMsPerStep": sum(walls) / len(walls),
        "msPerStepAll": [round(w, 1) for w in walls],
        "losses": losses,
    }
    out["tflops"] = out["gflopPerStep"] / out["msPerStep"]
    if dev.type == "cuda":
        out["peakMemoryGiB"] = torch.cuda.max_memory_allocated() / 2**30
    print(json.dumps(out))


if __name__ == "__main__":
    main()
