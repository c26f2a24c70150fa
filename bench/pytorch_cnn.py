"""The bench's 32x32 CNN (bench/models.ts, cnn32) in PyTorch: times predict, one input gradient and
IG-50 (all 50 interpolation points in one batch, forward + backward) with 1 thread and with one thread
per core ("PyTorch CPU"), prints one JSON object.
Run by `npm run bench` where torch imports (unset OPENBLAS_CORETYPE and OPENBLAS_L2_SIZE first)."""
import json
import os
import statistics
import time

import torch
from torch import nn

REPEATS = 50


def cnn32():
    # conv 16 -> BN -> ReLU -> maxpool -> depthwise -> ReLU -> separable 32 -> BN -> ReLU -> maxpool
    # -> dense 64 -> ReLU -> dropout -> dense 10 -> softmax, as in bench/models.ts (channels-first here).
    return nn.Sequential(
        nn.Conv2d(3, 16, 3, padding=1), nn.BatchNorm2d(16), nn.ReLU(), nn.MaxPool2d(2),
        nn.Conv2d(16, 16, 3, padding=1, groups=16), nn.ReLU(),
        nn.Conv2d(16, 16, 3, padding=1, groups=16, bias=False), nn.Conv2d(16, 32, 1), nn.BatchNorm2d(32), nn.ReLU(),
        nn.MaxPool2d(2), nn.Flatten(), nn.Linear(8 * 8 * 32, 64), nn.ReLU(), nn.Dropout(0.5), nn.Linear(64, 10),
        nn.Softmax(dim=1),
    ).eval()


def timed(f):
    f()
    runs = []
    for _ in range(REPEATS):
        start = time.perf_counter()
        f()
        runs.append((time.perf_counter() - start) * 1000)
    runs.sort()
    return {"medianMs": round(statistics.median(runs), 2), "p90Ms": round(runs[int(len(runs) * 0.9)], 2)}


def main():
    torch.manual_seed(0)
    model = cnn32()
    x = torch.rand(1, 3, 32, 32)

    def predict():
        with torch.no_grad():
            model(x)

    def input_gradient():
        xg = x.clone().requires_grad_(True)
        model(xg)[:, 0].sum().backward()

    def ig50():
        # Captum's IntegratedGradients with internal_batch_size 50: one batch of 50 scaled inputs.
        alphas = torch.linspace(0, 1, 50).view(50, 1, 1, 1)
        points = (alphas * x).requires_grad_(True)
        model(points)[:, 0].sum().backward()
        (x * points.grad.mean(0, keepdim=True)).sum()

    def forward50():
        with torch.no_grad():
            model(x.expand(50, 3, 32, 32).contiguous())

    def timings(threads):
        torch.set_num_threads(threads)
        return {
            "threads": threads,
            "predict1": timed(predict),
            "inputGradient": timed(input_gradient),
            "forward50": timed(forward50),
            "ig50": timed(ig50),
        }

    default_threads = torch.get_num_threads()
    print(json.dumps({
        "torch": torch.__version__,
        "model": "cnn32",
        "defaultThreads": default_threads,
        "runs": [timings(threads) for threads in sorted({1, os.cpu_count() or 1})],
    }))


if __name__ == "__main__":
    main()
