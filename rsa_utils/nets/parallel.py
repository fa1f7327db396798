"""Side-by-side work: independent zoo builds in separate processes, one thread each on a CPU.

Side-by-side work: independent zoo builds (task networks, transfer readouts, fine-tunings) run
in separate processes, so that a 2-core machine keeps both cores busy and a GPU holds several
small networks in flight at once.

Each job is one call ``fn(*args)`` of a module-level function in a worker started with
``spawn`` (safe with torch and CUDA); on the CPU every worker gets an equal share of the cores
(``torch.set_num_threads``). Results come back as the jobs finish, in any order.
"""

from __future__ import annotations

import multiprocessing
import os
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import ProcessPoolExecutor, as_completed
from typing import Any

import torch


def _call(fn: Callable[..., Any], args: tuple, threads: int) -> Any:
    if threads:
        torch.set_num_threads(threads)
    return fn(*args)


def run(
    fn: Callable[..., Any], jobs: Sequence[tuple], workers: int, *, cpu: bool = True
) -> Iterator[tuple[tuple, Any]]:
    """``(args, fn(*args))`` for every ``args`` of ``jobs``, ``workers`` at a time (1: in this
    process, in order). ``cpu``: split the machine's cores among the workers."""
    if workers <= 1 or len(jobs) <= 1:
        for args in jobs:
            yield args, fn(*args)
        return
    workers = min(workers, len(jobs))
    threads = max(1, (os.cpu_count() or 1) // workers) if cpu else 0
    ctx = multiprocessing.get_context("spawn")
    with ProcessPoolExecutor(workers, mp_context=ctx) as pool:
        futures = {pool.submit(_call, fn, args, threads): args for args in jobs}
        for f in as_completed(futures):
            yield futures[f], f.result()
