"""Run one notebook with nbclient on a given kernel, as a reader would.

Usage: ``python execute.py KERNEL_DIR SOURCE.ipynb TARGET.ipynb``.

``KERNEL_DIR`` holds a kernel spec named ``reader`` (the Python of the
reader's environment); the notebook runs in the current directory, which
the caller makes a fresh temporary one outside the repository. This file
is a script of its own so that the caller can run it without network
(``unshare --net``): the kernel talks to nbclient over loopback, so both
must be in the same network namespace.
"""

from __future__ import annotations

import os
import sys
import time

import nbformat
import zmq
from jupyter_client.kernelspec import KernelSpecManager
from jupyter_client.manager import KernelManager
from nbclient import NotebookClient

CELL_TIMEOUT_S = 600
# encrypted kernel traffic where pyzmq can (as in the book's build)
ENCRYPTION = "auto" if zmq.has("curve") else "disabled"


def execute(kernel_dir: str, source: str, target: str) -> float:
    """Execute ``source`` into ``target``; return the seconds it took."""
    notebook = nbformat.read(source, as_version=4)
    specs = KernelSpecManager(kernel_dirs=[kernel_dir])
    manager = KernelManager(kernel_name="reader", kernel_spec_manager=specs,
                            transport_encryption=ENCRYPTION)
    client = NotebookClient(notebook, km=manager, timeout=CELL_TIMEOUT_S,
                            allow_errors=True, kernel_name="reader",
                            resources={"metadata": {"path": os.getcwd()}})
    start = time.perf_counter()
    client.execute(env=dict(os.environ))
    nbformat.write(notebook, target)
    return time.perf_counter() - start


if __name__ == "__main__":
    if len(sys.argv) != 4:
        sys.exit(__doc__)
    print(f"{execute(*sys.argv[1:]):.1f}")
