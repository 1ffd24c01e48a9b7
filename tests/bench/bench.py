"""``make bench``: how fast the book builds and gdlab steps, against budgets.

Every figure here is a wall-clock measurement on the machine that runs it
(marked ``[timing]`` when printed); nothing is hard-coded. The book is
built in a temporary copy of the working tree, so that the edits made to
time rebuilds never touch the real one:

1. a clean build with the network cut off (a fresh network namespace
   holding only loopback, where ``unshare`` allows), as ``make test``'s
   strict build runs;
2. a clean build with one worker (``GDLAB_BUILD_JOBS=1``: pages read and
   executed one after another; per-page execution times from its log, and
   the share of the build spent outside the cells) and one with the
   default number of workers (one more than the CPUs), as ``make book``
   builds; the text outputs of the builds must
   be equal, lines marked ``[timing]`` excepted;
3. a rebuild with no change, one after editing one chapter's code, and one
   after editing a gdlab module (each reports which pages re-executed);
4. page weights (HTML plus the images it loads) in the built site;
5. gdlab's optimizers against ``torch.optim`` on a ~1M-parameter MLP, both
   its single-tensor path and its default (``foreach``) path, and the
   vectorised loss grid against a loop;
6. the unit tests, timed as ``make unit`` runs them;
7. ``make test``'s wall-clock time, as its last passing run in this
   checkout recorded it (``.cache/make-test.json``), if that run was of
   the current commit with no changed file; otherwise the budget reads
   "not measured".

Writes ``_build/bench.json`` and exits with status 1 when a budget is
missed.
"""

from __future__ import annotations

import difflib
import json
import os
import platform
import re
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import torch
from torch import nn

import gdlab
from gdlab.device import time_call

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "book" / "_ext"))
from parallel_read import jobs_from_environment  # noqa: E402
BIN = Path(sys.executable).parent
OUT = ROOT / "_build" / "bench.json"
EDITED_CHAPTER = "book/training-loop.md"
EDITED_MODULE = "src/gdlab/functions.py"
MARK = "[timing]"

# name: (limit, "max" or "min")
BUDGETS = {
    "clean_build_s": (120.0, "max"),
    "max_page_execution_s": (30.0, "max"),
    "no_change_rebuild_s": (15.0, "max"),
    "unit_tests_s": (40.0, "max"),
    "make_test_s": (480.0, "max"),
    "largest_page_mb": (1.5, "max"),
    "optimizer_step_ratio": (1.5, "max"),
    "loss_grid_speedup": (10.0, "min"),
}


def log(message: str) -> None:
    print(message, flush=True)


# --- the book ---------------------------------------------------------------

def copy_tree(target: Path) -> None:
    """The working tree as git sees it (tracked and new files), plus links
    to what ``make`` installed and the copy's build needs: npm's packages
    (MathJax's typesetter) and the site's copies of MathJax and Thebe."""
    listed = subprocess.run(
        ["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
        cwd=ROOT, capture_output=True, check=True).stdout.split(b"\0")
    for name in filter(None, (n.decode() for n in listed)):
        source = ROOT / name
        if source.is_file():
            (target / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, target / name)
    for name in (".ci/node_modules", "book/_static/mathjax",
                 "book/_static/thebe"):
        (target / name).symlink_to(ROOT / name)


def offline_prefix() -> list[str]:
    """A command prefix that cuts the network off (loopback only), or []."""
    probe = ["unshare", "--net", "sh", "-c", "ip link set lo up"]
    try:
        ok = subprocess.run(probe, capture_output=True).returncode == 0
    except OSError:
        ok = False
    run = 'ip link set lo up && exec env TORCH_CPP_LOG_LEVEL=ERROR "$@"'
    return (["unshare", "--net", "sh", "-c", run, "offline"] if ok else [])


def environment(book: Path, **extra: str) -> dict:
    """The copy's gdlab first on the path, this environment's tools."""
    return dict(os.environ, PYTHONPATH=str(book / "src"),
                PATH=f"{BIN}{os.pathsep}{os.environ['PATH']}", **extra)


def build(book: Path, jobs: str = "auto", prefix: list[str] = ()) -> dict:
    """One ``jupyter-book build`` with ``jobs`` workers; its time and what
    it executed."""
    start = time.perf_counter()
    done = subprocess.run([*prefix, str(BIN / "jupyter-book"), "build",
                           str(book), "--warningiserror"],
                          capture_output=True, text=True,
                          env=environment(book, GDLAB_BUILD_JOBS=jobs))
    seconds = time.perf_counter() - start
    text = done.stdout + done.stderr
    if done.returncode != 0:
        sys.exit(f"bench: the build failed:\n{text[-4000:]}")
    pages = {Path(p).relative_to(book).with_suffix("").as_posix(): float(s)
             for p, s in re.findall(r"(\S+\.md): Executed notebook in "
                                    r"([\d.]+) seconds", text)}
    return {"seconds": seconds, "executed": pages}


def kernel_start_seconds(repeats: int = 3) -> float:
    """Median time to start a kernel and run one empty cell, encrypted as
    the build's kernels are (``kernel_encryption.py``)."""
    import nbformat
    from kernel_encryption import encrypt_kernel_traffic
    from nbclient import NotebookClient

    encrypt_kernel_traffic()

    def start_kernel():
        nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell("")])
        nb.metadata["kernelspec"] = {"name": "python3", "language": "python",
                                     "display_name": "Python 3"}
        NotebookClient(nb, timeout=60).execute()

    return time_call(start_kernel, "cpu", repeat=repeats, warmup=0)


def text_outputs(book: Path) -> dict[str, list[str]]:
    """Every text output of every executed page, ``[timing]`` lines out."""
    found = {}
    for path in sorted((book / "_build" / "jupyter_execute").rglob(
            "*.ipynb")):
        nb = json.loads(path.read_text())
        texts = []
        for cell in nb["cells"]:
            for out in cell.get("outputs", []):
                parts = [out.get("text", "")] + [
                    out.get("data", {}).get(kind, "")
                    for kind in ("text/plain", "text/markdown")]
                for part in parts:
                    part = "".join(part) if isinstance(part, list) else part
                    texts += [line for line in part.splitlines()
                              if MARK not in line]
        found[path.relative_to(book / "_build" / "jupyter_execute")
              .as_posix()] = texts
    return found


def page_weights(html: Path) -> dict[str, float]:
    """MB of each page: its HTML plus every local image it loads."""
    weights = {}
    for page in sorted(html.rglob("*.html")):
        if page.name in ("genindex.html", "search.html"):
            continue
        text = page.read_text(errors="replace")
        total = len(text.encode())
        for src in set(re.findall(r'<img[^>]+src="([^"]+)"', text)):
            image = (page.parent / src).resolve()
            if not src.startswith(("http", "data:")) and image.is_file():
                total += image.stat().st_size
        weights[page.relative_to(html).as_posix()] = total / 1e6
    return weights


def edit_last_code_cell(path: Path) -> None:
    text = path.read_text()
    start = text.rindex("```{code-cell}")
    end = text.index("\n```", start)
    path.write_text(text[:end] + "\n# edited by make bench" + text[end:])


def compare_outputs(first: dict, second: dict) -> tuple[list, dict]:
    differ = sorted(page for page in first if first[page] != second.get(page))
    diffs = {page: [line for line in difflib.unified_diff(
        first[page], second.get(page, []), lineterm="", n=0)][2:12]
        for page in differ}
    return differ, diffs


def bench_book(results: dict) -> None:
    with tempfile.TemporaryDirectory(prefix="gdlab-bench-") as tmp:
        book = Path(tmp)
        copy_tree(book)
        prefix = offline_prefix()
        results["offline_build"] = bool(prefix)
        log("building the book from clean"
            + (" with the network cut off ..." if prefix else
               " (unshare unavailable: network left on) ..."))
        results["offline_clean_build_s"] = build(book, prefix=prefix)[
            "seconds"]
        strict_outputs = text_outputs(book)

        log("building the book from clean with one worker ...")
        shutil.rmtree(book / "_build")
        serial = build(book, jobs="1")
        kernel = kernel_start_seconds()
        executed = sum(serial["executed"].values())
        n_pages = len(serial["executed"])
        outside = serial["seconds"] - executed + n_pages * kernel
        results["clean_build_1_worker_s"] = serial["seconds"]
        results["page_execution_s"] = serial["executed"]
        results["max_page_execution_s"] = max(serial["executed"].values())
        results["slowest_page"] = max(serial["executed"],
                                      key=serial["executed"].get)
        results["kernel_start_s"] = kernel
        results["outside_cells_share"] = outside / serial["seconds"]
        serial_outputs = text_outputs(book)

        log("building the book from clean with the default workers "
            "(GDLAB_BUILD_JOBS=auto) ...")
        shutil.rmtree(book / "_build")
        clean = build(book)
        results["clean_build_s"] = clean["seconds"]
        results["build_workers"] = jobs_from_environment()
        results["parallel_speedup"] = serial["seconds"] / clean["seconds"]
        differ = []
        for name, other in (("one worker", serial_outputs),
                            ("the offline build", strict_outputs)):
            pages, diffs = compare_outputs(text_outputs(book), other)
            differ += [f"{page} (vs {name})" for page in pages]
            results.setdefault("text_differences", {}).update(diffs)
        results["reproducible_pages"] = len(serial_outputs) - len(
            {d.split(" ")[0] for d in differ})
        results["pages_with_different_text"] = differ

        log("rebuilding with no change ...")
        same = build(book)
        results["no_change_rebuild_s"] = same["seconds"]
        results["no_change_reexecuted"] = sorted(same["executed"])

        log(f"rebuilding after editing {EDITED_CHAPTER} ...")
        edit_last_code_cell(book / EDITED_CHAPTER)
        one = build(book)
        results["chapter_edit_rebuild_s"] = one["seconds"]
        results["chapter_edit_reexecuted"] = sorted(one["executed"])

        log(f"rebuilding after editing {EDITED_MODULE} ...")
        with open(book / EDITED_MODULE, "a") as f:
            f.write("\n# edited by make bench\n")
        lib = build(book)
        results["gdlab_edit_rebuild_s"] = lib["seconds"]
        results["gdlab_edit_reexecuted"] = sorted(lib["executed"])

        weights = page_weights(book / "_build" / "html")
        heaviest = max(weights, key=weights.get)
        results["largest_page"] = heaviest
        results["largest_page_mb"] = weights[heaviest]


# --- gdlab ------------------------------------------------------------------

def mlp() -> nn.Module:
    torch.manual_seed(0)
    return nn.Sequential(nn.Linear(1024, 768), nn.ReLU(),
                         nn.Linear(768, 256), nn.ReLU(), nn.Linear(256, 10))


def step_seconds(make_opt, steps: int = 30, repeats: int = 5) -> float:
    """Median time of one ``step()`` with fixed gradients."""
    model = mlp()
    gen = torch.Generator().manual_seed(1)
    for p in model.parameters():
        p.grad = torch.randn(p.shape, generator=gen) * 1e-2
    opt = make_opt(model.parameters())

    def run():
        for _ in range(steps):
            opt.step()

    return time_call(run, "cpu", repeat=repeats) / steps


def bench_optimizers(results: dict) -> None:
    n_params = sum(p.numel() for p in mlp().parameters())
    cases = {
        "SGD(momentum=0.9)": (gdlab.optim.SGD, torch.optim.SGD,
                              {"lr": 0.01, "momentum": 0.9}),
        "Adagrad": (gdlab.optim.Adagrad, torch.optim.Adagrad, {"lr": 1e-2}),
        "RMSprop": (gdlab.optim.RMSprop, torch.optim.RMSprop, {"lr": 1e-3}),
        "Adam": (gdlab.optim.Adam, torch.optim.Adam, {"lr": 1e-3}),
        "AdamW": (gdlab.optim.AdamW, torch.optim.AdamW, {"lr": 1e-3}),
    }
    table = {}
    for name, (ours, theirs, kwargs) in cases.items():
        # alternate the three, three rounds each, and keep each one's best
        # median: the least disturbed by whatever else the machine does.
        # torch's default on CPU is its `foreach` path, which updates all
        # tensors of a kind in one call; gdlab's is a readable loop.
        rounds = [(step_seconds(lambda p: ours(p, **kwargs)),
                   step_seconds(lambda p: theirs(p, foreach=False, **kwargs)),
                   step_seconds(lambda p: theirs(p, **kwargs)))
                  for _ in range(3)]
        t_ours, t_torch, t_default = (min(r[i] for r in rounds)
                                      for i in range(3))
        table[name] = {"gdlab_ms": t_ours * 1e3, "torch_ms": t_torch * 1e3,
                       "torch_default_ms": t_default * 1e3,
                       "ratio": t_ours / t_torch,
                       "ratio_to_default": t_ours / t_default}
    results["mlp_parameters"] = n_params
    results["optimizer_steps"] = table
    results["optimizer_step_ratio"] = max(r["ratio"] for r in table.values())


def bench_loss_grid(results: dict, n: int = 150) -> None:
    data = gdlab.linear_data()
    x, y = data.x_train, data.y_train
    B, W = gdlab.param_grid((-1, 3), (-1, 5), n=n)

    def by_loop():
        out = np.empty_like(B)
        for i in range(n):
            for j in range(n):
                out[i, j] = np.mean((B[i, j] + W[i, j] * x - y) ** 2)
        return out

    grid, loop = gdlab.mse_surface(x, y, B, W), by_loop()    # warm-up
    vectorised = time_call(lambda: gdlab.mse_surface(x, y, B, W), "cpu",
                           repeat=7, warmup=0)
    looped = time_call(by_loop, "cpu", repeat=3, warmup=0)
    assert np.allclose(grid, loop), "the two loss grids disagree"
    results["loss_grid_points"] = n * n
    results["loss_grid_vectorised_s"] = vectorised
    results["loss_grid_loop_s"] = looped
    results["loss_grid_speedup"] = looped / vectorised


def bench_unit_tests(results: dict) -> None:
    env = dict(os.environ, COVERAGE_FILE=str(ROOT / "_build" /
                                             ".coverage.bench"))
    start = time.perf_counter()
    done = subprocess.run([sys.executable, "-m", "pytest", "tests/unit", "-q",
                           "-n", "auto",
                           "-p", "no:cacheprovider", "--cov=gdlab",
                           "--cov-report="], cwd=ROOT, env=env,
                          capture_output=True, text=True)
    results["unit_tests_s"] = time.perf_counter() - start
    if done.returncode != 0:
        sys.exit(f"bench: the unit tests failed:\n{done.stdout[-3000:]}")


def bench_make_test(results: dict) -> None:
    """``make test``'s time from its record, when it is of this commit."""
    path = ROOT / ".cache" / "make-test.json"
    record = json.loads(path.read_text()) if path.exists() else {}
    head = subprocess.run(["git", "rev-parse", "HEAD"], cwd=ROOT,
                          capture_output=True, text=True).stdout.strip()
    current = (record.get("commit") == head and head
               and not record.get("changed_files", True))
    results["make_test_s"] = record["seconds"] if current else None
    results["make_test_record"] = record or None


# --- report -----------------------------------------------------------------

def report(results: dict) -> bool:
    checks = {}
    for name, (limit, kind) in BUDGETS.items():
        value = results[name]
        if value is None:               # not measured on this commit
            checks[name] = {"value": None, "limit": limit, "kind": kind,
                            "ok": False, "note": "not measured: run "
                            "make test on this commit first"}
            continue
        ok = value <= limit if kind == "max" else value >= limit
        checks[name] = {"value": value, "limit": limit, "kind": kind,
                        "ok": ok}
    # correctness of the cache and of reproducibility, not timings
    checks["no_change_reexecutes_nothing"] = {
        "ok": results["no_change_reexecuted"] == []}
    checks["chapter_edit_reexecutes_only_it"] = {
        "ok": results["chapter_edit_reexecuted"]
        == [EDITED_CHAPTER.removesuffix(".md")]}
    checks["text_outputs_reproducible"] = {
        "ok": results["pages_with_different_text"] == []}
    results["budgets"] = checks

    log(f"\n{MARK} wall-clock figures on {platform.node()} "
        f"({os.cpu_count()} CPUs); they vary from run to run")
    for name in ("offline_clean_build_s", "clean_build_s",
                 "clean_build_1_worker_s",
                 "no_change_rebuild_s", "chapter_edit_rebuild_s",
                 "gdlab_edit_rebuild_s", "kernel_start_s", "unit_tests_s",
                 "loss_grid_vectorised_s", "loss_grid_loop_s"):
        log(f"{MARK} {name:<26} {results[name]:9.2f}")
    log(f"{MARK} {'parallel_speedup':<26} "
        f"{results['parallel_speedup']:9.2f} ({results['build_workers']} "
        "workers over one)")
    log(f"{MARK} {'outside_cells_share':<26} "
        f"{results['outside_cells_share']:9.0%} (of the one-worker build)")
    log(f"{MARK} slowest page: {results['slowest_page']} "
        f"({results['max_page_execution_s']:.1f} s)")
    log(f"{MARK} page execution (s): " + ", ".join(
        f"{page.split('/')[-1]} {s:.1f}"
        for page, s in results["page_execution_s"].items()))
    log(f"re-executed after editing {EDITED_CHAPTER}: "
        f"{results['chapter_edit_reexecuted']}")
    log(f"re-executed after editing {EDITED_MODULE}: "
        f"{results['gdlab_edit_reexecuted']}")
    log(f"largest page: {results['largest_page']} "
        f"({results['largest_page_mb']:.2f} MB with its images)")
    log(f"first build offline: {results['offline_build']}; pages with "
        f"identical text outputs in all three clean builds: "
        f"{results['reproducible_pages']}, different: "
        f"{results['pages_with_different_text']}")
    for name, row in results["optimizer_steps"].items():
        log(f"{MARK} {name:<18} gdlab {row['gdlab_ms']:7.2f} ms; torch.optim "
            f"single-tensor {row['torch_ms']:7.2f} ms (ratio "
            f"{row['ratio']:.2f}), default {row['torch_default_ms']:7.2f} ms "
            f"(ratio {row['ratio_to_default']:.2f})")
    log(f"{MARK} loss grid of {results['loss_grid_points']} points: "
        f"vectorised {results['loss_grid_speedup']:.0f}x faster than a loop")
    log("\nbudgets:")
    for name, check in checks.items():
        if "limit" in check:
            sign = "<=" if check["kind"] == "max" else ">="
            value = ("not measured (run make test on this commit)"
                     if check["value"] is None else f"{check['value']:.2f}")
            log(f"  {'ok  ' if check['ok'] else 'MISS'} {name}: "
                f"{value} {sign} {check['limit']}")
        else:
            log(f"  {'ok  ' if check['ok'] else 'MISS'} {name}")
    return all(check["ok"] for check in checks.values())


def main() -> int:
    results = {"note": f"{MARK} wall-clock measurements; they vary between "
                       "runs and machines",
               "machine": {"cpus": os.cpu_count(),
                           "python": platform.python_version(),
                           "torch": torch.__version__}}
    torch.set_num_threads(1)        # one thread: steady, comparable timings
    bench_optimizers(results)
    bench_loss_grid(results)
    torch.set_num_threads(os.cpu_count() or 1)
    bench_unit_tests(results)
    bench_make_test(results)
    bench_book(results)
    ok = report(results)
    OUT.parent.mkdir(parents=True, exist_ok=True)
    OUT.write_text(json.dumps(results, indent=2))
    log(f"\nwrote {OUT.relative_to(ROOT)}")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
