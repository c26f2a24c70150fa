"""The PyTorch side of bench/paired.ts: the bench models' twins, timed one run at a time on request,
so that each of our timings has PyTorch's right beside it (same seconds of machine load).

Reads one JSON request per line on stdin, {"model": "cnn32" | "mobilenetv2", "method": ..., "threads": n,
"window": w, "batch": k}, and answers one JSON line, {"ms": wall, "cpuMs": the process's CPU time}, after an
untimed warm-up the first time it sees a request. {"info": true} answers the versions. The methods are written as Captum computes them
(captum 0.6, the attribution library PyTorch users run), input gradients only: every parameter has
requires_grad False, and gradients come from torch.autograd.grad with respect to the input:
  predict1 / forward50   model(x) under no_grad, for 1 and 50 inputs
  inputGradient          Saliency(abs=False): autograd.grad(F_t(x), x)
  ig50                   IntegratedGradients, n_steps=50, gausslegendre, internal_batch_size=batch
  smoothGrad25           NoiseTunnel(Saliency(abs=False)), 25 samples, stdev 0.15 × (max x − min x),
                         nt_samples_batch_size=batch
  gradCam                LayerGradCam on the last conv block, then LayerAttribution.interpolate to 224²
  occlusion              Occlusion, sliding window (3, w, w), strides w, baseline 0, perturbations_per_eval=batch
Run by bench/paired.ts and `npm run bench` where a python3 imports torch (unset OPENBLAS_CORETYPE
and OPENBLAS_L2_SIZE first)."""
import json
import sys
import time

import numpy as np
import torch
from torch import nn
import torch.nn.functional as F

TARGET = 0
STEPS = 50
SAMPLES = 25


def cnn32():
    # conv 16 -> BN -> ReLU -> maxpool -> depthwise -> ReLU -> separable 32 -> BN -> ReLU -> maxpool
    # -> dense 64 -> ReLU -> dropout -> dense 10 -> softmax, as in bench/models.ts (channels-first here).
    return nn.Sequential(
        nn.Conv2d(3, 16, 3, padding=1), nn.BatchNorm2d(16), nn.ReLU(), nn.MaxPool2d(2),
        nn.Conv2d(16, 16, 3, padding=1, groups=16), nn.ReLU(),
        nn.Conv2d(16, 16, 3, padding=1, groups=16, bias=False), nn.Conv2d(16, 32, 1), nn.BatchNorm2d(32), nn.ReLU(),
        nn.MaxPool2d(2), nn.Flatten(), nn.Linear(8 * 8 * 32, 64), nn.ReLU(), nn.Dropout(0.5), nn.Linear(64, 10),
        nn.Softmax(dim=1),
    )


def mobilenetv2():
    # torchvision's MobileNetV2 (random weights: timing only) with nsfwjs' head: its features, global
    # average pool, dense 256 -> 128 -> 5 with ReLUs and dropout, softmax.
    import torchvision
    model = torchvision.models.mobilenet_v2(weights=None)
    model.classifier = nn.Sequential(
        nn.Linear(1280, 256), nn.ReLU(), nn.Dropout(0.5), nn.Linear(256, 128), nn.ReLU(), nn.Dropout(0.25),
        nn.Linear(128, 5), nn.Softmax(dim=1),
    )
    return model


class Twin:
    def __init__(self, name):
        torch.manual_seed(0)
        self.model = (cnn32() if name == "cnn32" else mobilenetv2()).eval()
        for p in self.model.parameters():
            p.requires_grad_(False)
        side = 32 if name == "cnn32" else 224
        self.x = torch.rand(1, 3, side, side)
        # Grad-CAM's layer: the last conv block (ours defaults to the last 4-D spatial layer, out_relu).
        self.cam_layer = self.model.features[-1] if name == "mobilenetv2" else self.model[9]

    def score(self, x):
        return self.model(x)[:, TARGET]

    def input_gradient(self, x):
        x = x.detach().requires_grad_(True)
        return torch.autograd.grad(self.score(x).sum(), x)[0]

    def predict(self, n):
        with torch.no_grad():
            self.model(self.x.expand(n, -1, -1, -1).contiguous())

    def ig(self, batch):
        # Gauss-Legendre nodes and weights on [0, 1], as Captum's default method.
        nodes, weights = np.polynomial.legendre.leggauss(STEPS)
        alphas, weights = torch.tensor((nodes + 1) / 2, dtype=torch.float32), torch.tensor(weights / 2, dtype=torch.float32)
        baseline = torch.zeros_like(self.x)
        delta = self.x - baseline
        total = torch.zeros_like(self.x)
        for start in range(0, STEPS, batch):
            a = alphas[start:start + batch].view(-1, 1, 1, 1)
            grads = self.input_gradient(baseline + a * delta)
            total += (grads * weights[start:start + batch].view(-1, 1, 1, 1)).sum(0, keepdim=True)
        return delta * total

    def smoothgrad(self, batch):
        stdev = 0.15 * float(self.x.max() - self.x.min())
        total = torch.zeros_like(self.x)
        for start in range(0, SAMPLES, batch):
            k = min(batch, SAMPLES - start)
            noisy = self.x + torch.randn(k, *self.x.shape[1:]) * stdev
            total += self.input_gradient(noisy).sum(0, keepdim=True)
        return total / SAMPLES

    def grad_cam(self):
        saved = {}
        hook = self.cam_layer.register_forward_hook(lambda _m, _i, out: saved.__setitem__("a", out))
        try:
            x = self.x.detach().requires_grad_(True)  # so the graph is recorded (no parameter needs it)
            score = self.score(x).sum()
        finally:
            hook.remove()
        act = saved["a"]
        grad = torch.autograd.grad(score, act)[0]
        cam = F.relu((grad.mean(dim=(2, 3), keepdim=True) * act).sum(1, keepdim=True))
        return F.interpolate(cam, size=self.x.shape[2:], mode="bilinear")

    def occlusion(self, window, batch):
        _, c, h, w = self.x.shape
        with torch.no_grad():
            fx = self.score(self.x)
            boxes = [(i, j) for i in range(0, max(1, -(-(h - window) // window) + 1) * window, window)
                     for j in range(0, max(1, -(-(w - window) // window) + 1) * window, window)]
            total = torch.zeros_like(self.x)
            count = torch.zeros_like(self.x)
            for start in range(0, len(boxes), batch):
                part = boxes[start:start + batch]
                masks = torch.zeros(len(part), 1, h, w)
                for k, (i, j) in enumerate(part):
                    masks[k, :, i:i + window, j:j + window] = 1
                drops = fx - self.score(self.x * (1 - masks))
                total += (drops.view(-1, 1, 1, 1) * masks).sum(0, keepdim=True)
                count += masks.sum(0, keepdim=True)
            return total / count.clamp(min=1)

    def run(self, method, window, batch):
        if method == "predict1":
            return self.predict(1)
        if method == "forward50":
            return self.predict(STEPS)
        if method == "inputGradient":
            return self.input_gradient(self.x)
        if method == "ig50":
            return self.ig(batch)
        if method == "smoothGrad25":
            return self.smoothgrad(batch)
        if method == "gradCam":
            return self.grad_cam()
        if method == "occlusion":
            return self.occlusion(window, batch)
        raise ValueError(f"unknown method {method}")


def main():
    twins = {}
    warm = set()
    for line in sys.stdin:
        request = json.loads(line)
        if request.get("info"):
            print(json.dumps({"torch": torch.__version__, "defaultThreads": torch.get_num_threads()}), flush=True)
            continue
        twin = twins.get(request["model"]) or twins.setdefault(request["model"], Twin(request["model"]))
        torch.set_num_threads(request["threads"])
        args = (request["method"], request.get("window", 1), request.get("batch", STEPS))
        if (request["model"], request["threads"], args) not in warm:
            twin.run(*args)
            warm.add((request["model"], request["threads"], args))
        start, cpu = time.perf_counter(), time.process_time()
        twin.run(*args)
        print(json.dumps({"ms": (time.perf_counter() - start) * 1000, "cpuMs": (time.process_time() - cpu) * 1000}), flush=True)


if __name__ == "__main__":
    main()
