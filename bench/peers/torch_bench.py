"""PyTorch peer of `pnpm bench`: one case, one thread, float32; prints {"median_ms": ..., "peak_mb": ...}.

Usage: torch_bench.py CASE BATCH STEPS INPUT HIDDEN RUNS [THREADS]
Loss = mean(out**2) over every per-step output; "train" = forward + backward to every weight.
"""
import json
import resource
import statistics
import sys
import time

import torch

case, B, T, I, H, runs = sys.argv[1], *map(int, sys.argv[2:7])
torch.set_num_threads(int(sys.argv[7]) if len(sys.argv) > 7 else 1)
x = torch.rand(T, B, I) * 2 - 1

if case in ("lstm_train", "lstm_fwd"):
    model = torch.nn.LSTM(I, H)
elif case == "gru_train":
    model = torch.nn.GRU(I, H)
elif case == "mingru_train":
    # minGRU as one writes it in PyTorch: the gates for every step in one product, then the
    # recurrence h = (1 - z) * h + z * h~ step by step.
    class MinGRU(torch.nn.Module):
        def __init__(self):
            super().__init__()
            self.proj = torch.nn.Linear(I, 2 * H)

        def forward(self, xs):
            zh = self.proj(xs)
            z = torch.sigmoid(zh[..., :H])
            cand = zh[..., H:]
            h = torch.zeros(B, H)
            outs = []
            for t in range(T):
                h = (1 - z[t]) * h + z[t] * cand[t]
                outs.append(h)
            return torch.stack(outs), None

    model = MinGRU()
else:
    k = H ** -0.5
    params = {n: torch.nn.Parameter((torch.rand(*s) * 2 - 1) * k)
              for g in "ifgo" for n, s in ((f"W{g}", (I, H)), (f"U{g}", (H, H)), (f"b{g}", (H,)))}

    class Custom(torch.nn.Module):
        def __init__(self):
            super().__init__()
            self.p = torch.nn.ParameterDict(params)

        def forward(self, xs):
            p = self.p
            h = torch.zeros(B, H)
            c = torch.zeros(B, H)
            outs = []
            for t in range(T):
                xt = xs[t]
                i = torch.sigmoid(xt @ p["Wi"] + h @ p["Ui"] + p["bi"])
                f = torch.sigmoid(xt @ p["Wf"] + h @ p["Uf"] + p["bf"])
                g = torch.tanh(xt @ p["Wg"] + h @ p["Ug"] + p["bg"])
                o = torch.sigmoid(xt @ p["Wo"] + h @ p["Uo"] + p["bo"])
                c = f * c + i * g
                h = o * torch.tanh(c)
                outs.append(h)
            return torch.stack(outs), None

    model = Custom()


def step():
    if case == "lstm_fwd":
        with torch.no_grad():
            out, _ = model(x)
            (out ** 2).mean().item()
    else:
        model.zero_grad()
        out, _ = model(x)
        (out ** 2).mean().backward()


for _ in range(3 if T * B * H < 200000 else 1):
    step()
times = []
for _ in range(runs):
    t = time.perf_counter()
    step()
    times.append((time.perf_counter() - t) * 1000)
# Peak resident set size of this process (Linux reports kilobytes).
peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
print(json.dumps({"median_ms": statistics.median(times), "peak_mb": peak_mb}))
