"""The build's kernels run without the unencrypted-TCP warning, because
their traffic is encrypted (book/_ext/kernel_encryption.py).

A notebook cell is run through nbclient, as myst-nb runs the chapters,
once with the extension's setting and once without: the kernel must hold
a CurveZMQ key and print nothing to stderr only in the first case.
"""
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
RUN_A_CELL = """
import sys
import nbformat
from nbclient import NotebookClient
sys.path.insert(0, {ext!r})
import kernel_encryption
if {encrypt}:
    assert kernel_encryption.encrypt_kernel_traffic()
cell = nbformat.v4.new_code_cell(
    "from ipykernel.kernelapp import IPKernelApp\\n"
    "print(IPKernelApp.instance().curve_secretkey is not None)")
nb = nbformat.v4.new_notebook(cells=[cell], metadata={{"kernelspec": {{
    "name": "python3", "display_name": "Python 3", "language": "python"}}}})
NotebookClient(nb, timeout=60).execute()
print("encrypted:", cell.outputs[0]["text"].strip())
"""


def run_a_cell(encrypt: bool) -> subprocess.CompletedProcess:
    bin_dir = str(Path(sys.executable).parent)    # the kernel's python
    env = dict(os.environ, PATH=bin_dir + os.pathsep + os.environ["PATH"])
    code = RUN_A_CELL.format(ext=str(ROOT / "book" / "_ext"),
                             encrypt=encrypt)
    return subprocess.run([sys.executable, "-c", code], capture_output=True,
                          text=True, timeout=120, env=env)


@pytest.mark.parametrize("encrypt", [True, False])
def test_encrypted_kernels_do_not_warn(encrypt):
    done = run_a_cell(encrypt)
    assert done.returncode == 0, done.stderr
    assert f"encrypted: {encrypt}" in done.stdout
    warned = "without encryption" in done.stderr
    assert warned == (not encrypt), done.stderr
