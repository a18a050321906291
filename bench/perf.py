"""``make perf``: the engine against its peers on one workload, as ratios measured in one run.

The workload (issue 5): Rastrigin in d = 10, Adam (optax's defaults) with a cosine decay from a
peak of 0.1 to 0, float32, ``starts`` uniform starts x ``steps`` steps, the best-so-far value and
the hitting time of one target tracked per start. Throughput is element-steps per second =
starts x d x steps / seconds.

Peers, each run in its own process (so each has its own peak RSS and compile cost):

* ``engine``: the suite's engine (``bench.engine.run_group``), autodiff gradients of the
  registered objective, everything a real cell does (freeze step, oscillation, status, and the
  final polish that identifies each endpoint's basin: work the peers do not do).
* ``numpy``: vectorised NumPy with the gradient written by hand.
* ``torch_eager``: PyTorch with autograd and ``torch.optim.Adam`` (foreach), the lr set per step.
* ``torch_compile``: the step as one function (``torch.func`` gradient, Adam written out) under
  ``torch.compile``.
* ceilings: a vectorised float32 sine (NumPy and XLA) and a fused multiply-add over
  ``starts x d`` elements, in elements per second: what one transcendental per element-step costs.

Peers run interleaved (A B C ... A B C ...), ``repeats`` times; the table reports the median, so
the machine's drift cancels in the ratios. torch is optional: a missing peer is a row saying so.

    python -m bench.perf [--starts 4096] [--steps 1000] [--repeats 3] [--out runs/perf]
    python -m bench.perf --scale   # adds the engine at 4 sizes, up to 1,000,000 starts x 2000 steps
    python -m bench.perf --gpu     # on a GPU: the engine at 1,000,000 starts against the memory bound

On a GPU (``--gpu``, JAX's default backend a GPU) the CPU peers are left out: the engine runs the
same workload with 1,000,000 starts, and the table gives its element-steps/s beside the bound that
memory bandwidth puts on it. Each step must at least read and write every start's iterate and
Adam's two moments (``BYTES_PER_ELEMENT_STEP`` = 6 float32 numbers per coordinate), so the bound
is bandwidth / 24 B; the bandwidth is measured in the same process (a large device-to-device
``y = a x + b``), not taken from a data sheet.
"""

from __future__ import annotations

import argparse
import datetime
import json
import os
import platform
import resource
import statistics
import subprocess
import sys
import time
from pathlib import Path

import numpy as np

DIM = 10
PEAK_LR = 0.1
TARGET = 1e-1
LOWER, UPPER = -5.12, 5.12
ADAM_B1, ADAM_B2, ADAM_EPS = 0.9, 0.999, 1e-8
PEERS = ("engine", "numpy", "torch_eager", "torch_compile")
CEILINGS = ("numpy_sin", "xla_sin", "numpy_fma")
SCALE_SIZES = ((4096, 1000), (65536, 1000), (262144, 1000), (1_000_000, 2000))
GPU_STARTS = 1_000_000
BYTES_PER_ELEMENT_STEP = 6 * 4  # read and write x, Adam's m and v: float32


def starts(n: int, seed: int = 0) -> np.ndarray:
    return np.random.default_rng(seed).uniform(LOWER, UPPER, (n, DIM)).astype(np.float32)


def cosine_lrs(steps: int) -> np.ndarray:
    t = np.arange(steps, dtype=np.float64)
    return (PEAK_LR * 0.5 * (1.0 + np.cos(np.pi * t / steps))).astype(np.float32)


# -- peers: each returns (best f per start, hitting step per start) ------------------------------


def run_engine(x0: np.ndarray, steps: int):
    from . import engine

    program = engine.Program("rastrigin", DIM, "adam", steps, "float32", n_targets=1)
    out = engine.run_group(program, x0, cosine_lrs(steps)[None], np.array([TARGET]))
    return out["gap_best"][0], out["hits"][0, :, 0]


def run_numpy(x0: np.ndarray, steps: int):
    x = x0.copy()
    m, v = np.zeros_like(x), np.zeros_like(x)
    best = np.full(x.shape[0], np.inf, np.float32)
    hits = np.full(x.shape[0], -1, np.int64)
    two_pi = np.float32(2 * np.pi)
    for t, lr in enumerate(cosine_lrs(steps)):
        phase = two_pi * x
        f = np.sum(x * x + 10.0 - 10.0 * np.cos(phase), axis=1, dtype=np.float32)
        g = 2.0 * x + np.float32(20 * np.pi) * np.sin(phase)
        best = np.minimum(best, f)
        hits = np.where((hits < 0) & (best <= TARGET), t, hits)
        m = ADAM_B1 * m + (1 - ADAM_B1) * g
        v = ADAM_B2 * v + (1 - ADAM_B2) * g * g
        m_hat = m / np.float32(1 - ADAM_B1 ** (t + 1))
        v_hat = v / np.float32(1 - ADAM_B2 ** (t + 1))
        x = x - lr * m_hat / (np.sqrt(v_hat) + ADAM_EPS)
    return best, hits


def _rastrigin_torch(z):
    import torch

    return torch.sum(z * z + 10.0 - 10.0 * torch.cos(2 * torch.pi * z), dim=1)


def run_torch_eager(x0: np.ndarray, steps: int):
    """What a PyTorch user writes: autograd and torch.optim.Adam (foreach), the lr set per step."""
    import torch

    torch.set_num_threads(os.cpu_count() or 1)
    x = torch.tensor(x0, requires_grad=True)
    optimizer = torch.optim.Adam([x], lr=PEAK_LR, foreach=True)
    best = torch.full((x0.shape[0],), float("inf"))
    hits = torch.full((x0.shape[0],), -1, dtype=torch.int64)
    for t, lr in enumerate(cosine_lrs(steps).tolist()):
        for group in optimizer.param_groups:
            group["lr"] = lr
        optimizer.zero_grad(set_to_none=True)
        f = _rastrigin_torch(x)
        f.sum().backward()
        optimizer.step()
        best = torch.minimum(best, f.detach())
        hits = torch.where((hits < 0) & (best <= TARGET), t, hits)
    return best.numpy(), hits.numpy()


def run_torch_compile(x0: np.ndarray, steps: int):
    """The step as one function (torch.func gradient, Adam written out) under torch.compile: the
    form torch.compile handles best (compiling the optimizer-object loop above runs slower)."""
    import torch

    torch.set_num_threads(os.cpu_count() or 1)

    def total(z):
        f = _rastrigin_torch(z)
        return f.sum(), f

    value_and_grad = torch.func.grad_and_value(total, has_aux=True)

    @torch.compile
    def step(x, m, v, lr, c1, c2):
        g, (_, f) = value_and_grad(x)
        m = ADAM_B1 * m + (1 - ADAM_B1) * g
        v = ADAM_B2 * v + (1 - ADAM_B2) * g * g
        return x - lr * (m / c1) / (torch.sqrt(v / c2) + ADAM_EPS), m, v, f

    x = torch.tensor(x0)
    m, v = torch.zeros_like(x), torch.zeros_like(x)
    best = torch.full((x0.shape[0],), float("inf"))
    hits = torch.full((x0.shape[0],), -1, dtype=torch.int64)
    for t, lr in enumerate(cosine_lrs(steps).tolist()):
        corrections = torch.tensor([1 - ADAM_B1 ** (t + 1), 1 - ADAM_B2 ** (t + 1)])
        x, m, v, f = step(x, m, v, torch.tensor(lr), corrections[0], corrections[1])
        best = torch.minimum(best, f)
        hits = torch.where((hits < 0) & (best <= TARGET), t, hits)
    return best.numpy(), hits.numpy()


RUNNERS = {
    "engine": run_engine,
    "numpy": run_numpy,
    "torch_eager": run_torch_eager,
    "torch_compile": run_torch_compile,
}


def ceiling(name: str, n: int, repeats: int = 20) -> float:
    """Elements per second of one elementwise kernel over n float32 elements (best of repeats)."""
    a = np.random.default_rng(1).uniform(LOWER, UPPER, n).astype(np.float32)
    b, c = a[::-1].copy(), a + 1.0
    if name == "xla_sin":
        import jax
        import jax.numpy as jnp

        kernel = jax.jit(jnp.sin)
        device_a = jnp.asarray(a)
        kernel(device_a).block_until_ready()

        def call():
            kernel(device_a).block_until_ready()

    elif name == "numpy_sin":
        out = np.empty_like(a)

        def call():
            np.sin(a, out=out)

    else:
        out = np.empty_like(a)

        def call():
            np.multiply(a, b, out=out)
            np.add(out, c, out=out)

    best = np.inf
    for _ in range(repeats):
        start = time.perf_counter()
        call()
        best = min(best, time.perf_counter() - start)
    return n / best


# -- one measurement per process -----------------------------------------------------------------


def measure(peer: str, n: int, steps: int, warm_starts: int | None = None) -> dict:
    """Run ``peer`` twice in this process: the first call includes compiling, the second not.
    With ``warm_starts``, the first call runs only that many starts (the engine compiles one
    program whatever the number of starts), so that a large size runs once."""
    if peer in CEILINGS:
        return {"rate": ceiling(peer, n * DIM), "peak_rss_mb": _peak_rss_mb()}
    try:
        runner = RUNNERS[peer]
        x0 = starts(n)
        start = time.perf_counter()
        runner(x0[:warm_starts] if warm_starts else x0, steps)
        first = time.perf_counter() - start
        start = time.perf_counter()
        best, hits = runner(x0, steps)
        seconds = time.perf_counter() - start
    except ImportError as missing:
        return {"missing": f"not installed ({missing.name})"}
    out = {
        "seconds": seconds,
        "rate": n * DIM * steps / seconds,
        "peak_rss_mb": _peak_rss_mb(),
        "hit_share": float(np.mean(np.asarray(hits) >= 0)),
        "best_median": float(np.median(best)),
    }
    if not warm_starts:
        out["compile_s"] = max(first - seconds, 0.0)
    if peer == "engine":
        from . import engine

        out["programs"] = engine.TRACE_COUNT["run"]
    return out


def _peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0


def _in_subprocess(peer: str, n: int, steps: int, warm_starts: int | None = None) -> dict:
    command = [sys.executable, "-m", "bench.perf", "--worker", peer, "--starts", str(n), "--steps", str(steps)]
    done = subprocess.run(
        command + (["--warm", str(warm_starts)] if warm_starts else []),
        capture_output=True,
        text=True,
        check=False,
    )
    if done.returncode != 0:
        last = (done.stderr.strip().splitlines() or ["no output"])[-1]
        return {"missing": f"failed: {last[:120]}"}
    return json.loads(done.stdout.strip().splitlines()[-1])


# -- the table -------------------------------------------------------------------------------------


def _median(values: list[float]) -> float:
    return float(statistics.median(values))


def collect(n: int, steps: int, repeats: int, peers=PEERS, ceilings=CEILINGS, log=print) -> dict[str, dict]:
    """Interleaved repeats: round r runs every peer once before round r + 1 starts."""
    runs: dict[str, list[dict]] = {name: [] for name in (*peers, *ceilings)}
    for r in range(repeats):
        for name in runs:
            if runs[name] and "missing" in runs[name][0]:
                continue
            result = _in_subprocess(name, n, steps)
            runs[name].append(result)
            log(f"round {r + 1}/{repeats}: {name}: " + (result.get("missing") or f"{result['rate'] / 1e6:.1f} M/s"))
    summary = {}
    for name, results in runs.items():
        if "missing" in results[0]:
            summary[name] = {"missing": results[0]["missing"]}
            continue
        summary[name] = {key: _median([r[key] for r in results]) for key in results[0]}
    return summary


def table(summary: dict[str, dict]) -> str:
    engine_rate = summary["engine"]["rate"]
    lines = [
        "| peer | element-steps/s | engine / peer | compile s | peak RSS MB | starts hitting 1e-1 |",
        "|---|---|---|---|---|---|",
    ]
    for name, row in summary.items():
        if "missing" in row:
            lines.append(f"| {name} | {row['missing']} | | | | |")
            continue
        unit = " (elements/s, ceiling)" if name in CEILINGS else ""
        compile_s = f"{row['compile_s']:.1f}" if "compile_s" in row else ""
        hit = f"{100 * row['hit_share']:.1f}%" if "hit_share" in row else ""
        lines.append(
            f"| {name} | {row['rate'] / 1e6:.1f} M{unit} | {engine_rate / row['rate']:.2f} | {compile_s} | "
            f"{row['peak_rss_mb']:.0f} | {hit} |"
        )
    return "\n".join(lines)


def best_peer_line(summary: dict[str, dict]) -> str:
    peers = {name: row["rate"] for name, row in summary.items() if name in PEERS[1:] and "missing" not in row}
    if not peers:
        return "engine vs best peer: n/a (no peer ran)"
    name = max(peers, key=peers.__getitem__)
    return f"engine vs best peer: {summary['engine']['rate'] / peers[name]:.2f}x ({name})"


def scale_table(repeats: int, log=print) -> str:
    """The engine at ``SCALE_SIZES``, each size in its own process (so each has its own peak RSS),
    compiled on a small warm-up first: time per element-step should stay flat."""
    lines = [
        "| starts | steps | seconds | element-steps/s | ns per element-step | peak RSS MB |",
        "|---|---|---|---|---|---|",
    ]
    for n, steps in SCALE_SIZES:
        rows = [_in_subprocess("engine", n, steps, warm_starts=min(n, 4096)) for _ in range(repeats)]
        if "missing" in rows[0]:
            lines.append(f"| {n} | {steps} | {rows[0]['missing']} | | | |")
            continue
        seconds = _median([r["seconds"] for r in rows])
        element_steps = n * DIM * steps
        lines.append(
            f"| {n:,} | {steps} | {seconds:.2f} | {element_steps / seconds / 1e6:.1f} M | "
            f"{1e9 * seconds / element_steps:.2f} | {max(r['peak_rss_mb'] for r in rows):.0f} |"
        )
        log(lines[-1])
    return "\n".join(lines)


def bandwidth(n: int = 2**28, repeats: int = 10) -> float:
    """Bytes per second of ``y = a x + b`` over n float32 numbers on JAX's default device (one
    read and one write per number): the memory bandwidth a streaming kernel reaches."""
    import jax
    import jax.numpy as jnp

    kernel = jax.jit(lambda x: 2.0 * x + 1.0)
    x = jnp.ones(n, jnp.float32)
    kernel(x).block_until_ready()
    best = np.inf
    for _ in range(repeats):
        start = time.perf_counter()
        kernel(x).block_until_ready()
        best = min(best, time.perf_counter() - start)
    return 2 * 4 * n / best


def gpu_table(steps: int, repeats: int, log=print) -> str:
    """The engine on JAX's default device (a GPU) at ``GPU_STARTS`` starts, against the bound that
    the measured memory bandwidth puts on the workload."""
    rows = [measure("engine", GPU_STARTS, steps, warm_starts=4096) for _ in range(repeats)]
    seconds = _median([r["seconds"] for r in rows])
    rate = GPU_STARTS * DIM * steps / seconds
    bytes_per_s = bandwidth()
    bound = bytes_per_s / BYTES_PER_ELEMENT_STEP
    lines = [
        "| starts | steps | seconds | element-steps/s | measured bandwidth | memory bound | share of bound |",
        "|---|---|---|---|---|---|---|",
        f"| {GPU_STARTS:,} | {steps} | {seconds:.2f} | {rate / 1e9:.2f} G | {bytes_per_s / 1e9:.0f} GB/s | "
        f"{bound / 1e9:.1f} G | {100 * rate / bound:.1f}% |",
    ]
    log(lines[-1])
    return "\n".join(lines)


def machine() -> str:
    import jax

    return (
        f"{platform.processor() or platform.machine()}, {os.cpu_count()} cores, {platform.system()}; "
        f"jax {jax.__version__}, {jax.device_count()} {jax.devices()[0].platform} device(s)"
    )


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.perf", description=__doc__.split("\n\n")[0])
    parser.add_argument("--starts", type=int, default=4096)
    parser.add_argument("--steps", type=int, default=1000)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--out", default="runs/perf", help="directory for perf.md (default runs/perf)")
    parser.add_argument("--scale", action="store_true", help="also time the engine at 4 sizes")
    parser.add_argument("--scale-repeats", type=int, default=1, help="runs per size in the scale table (default 1)")
    parser.add_argument("--gpu", action="store_true", help="the engine on a GPU against its memory-bandwidth bound")
    parser.add_argument("--worker", choices=(*PEERS, *CEILINGS), help=argparse.SUPPRESS)
    parser.add_argument("--warm", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.worker:
        print(json.dumps(measure(args.worker, args.starts, args.steps, args.warm)))
        return
    if args.gpu:
        _write(args.out, _gpu_report(args))
        return
    summary = collect(args.starts, args.steps, args.repeats, log=lambda line: print(line, file=sys.stderr))
    text = [
        f"Workload: Rastrigin d = {DIM}, Adam + cosine (peak {PEAK_LR}), float32, {args.starts} starts x "
        f"{args.steps} steps; median of {args.repeats} interleaved rounds.",
        f"Machine: {machine()}; {datetime.date.today().isoformat()}.",
        "",
        table(summary),
    ]
    if args.scale:
        text += [
            "",
            f"Engine at four sizes (median of {args.scale_repeats}):",
            "",
            scale_table(args.scale_repeats, log=lambda s: print(s, file=sys.stderr)),
        ]
    programs = summary["engine"].get("programs")
    if programs is not None:
        text += ["", f"The engine compiled {programs:.0f} program(s) for its two calls (compile, then timed)."]
    text += ["", best_peer_line(summary)]
    _write(args.out, text)


def _gpu_report(args) -> list[str]:
    import jax

    if jax.default_backend() == "cpu":
        raise SystemExit("--gpu: JAX sees no GPU here (default backend: cpu); install jax[cuda] on a GPU machine")
    return [
        f"Workload: Rastrigin d = {DIM}, Adam + cosine (peak {PEAK_LR}), float32, {GPU_STARTS:,} starts x "
        f"{args.steps} steps; median of {args.repeats} runs.",
        f"Machine: {machine()}; {datetime.date.today().isoformat()}.",
        "",
        gpu_table(args.steps, args.repeats, log=lambda line: print(line, file=sys.stderr)),
    ]


def _write(out_dir: str, text: list[str]) -> None:
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    (out / "perf.md").write_text("\n".join(text) + "\n")
    print("\n".join(text))


if __name__ == "__main__":
    main()
