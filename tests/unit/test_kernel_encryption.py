"""The build's kernels run without the unencrypted-TCP warning, because
their traffic is encrypted (book/_ext/kernel_encryption.py).

A notebook cell is run through nbclient, as myst-nb runs the chapters,
first in a kernel started with jupyter_client's defaults and then, in the
same process, after the extension's setting: the kernel must hold a
CurveZMQ key, and print nothing to stderr, only in the second case.
"""
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
MARK = "--- encrypted from here ---"
RUN_TWO_CELLS = """
import sys
import nbformat
from nbclient import NotebookClient
sys.path.insert(0, {ext!r})
import kernel_encryption


def run_a_cell():
    cell = nbformat.v4.new_code_cell(
        "from ipykernel.kernelapp import IPKernelApp\\n"
        "print(IPKernelApp.instance().curve_secretkey is not None)")
    nb = nbformat.v4.new_notebook(cells=[cell], metadata={{"kernelspec": {{
        "name": "python3", "display_name": "Python 3",
        "language": "python"}}}})
    NotebookClient(nb, timeout=60).execute()
    return cell.outputs[0]["text"].strip()


print("plain:", run_a_cell(), flush=True)
print({mark!r}, file=sys.stderr, flush=True)
assert kernel_encryption.encrypt_kernel_traffic()
print("encrypted:", run_a_cell())
"""


def run_two_cells() -> subprocess.CompletedProcess:
    """One kernel without the setting, then one with it; the mark on
    stderr separates what each printed there (a kernel warns as it
    starts, before it runs the cell)."""
    bin_dir = str(Path(sys.executable).parent)    # the kernel's python
    env = dict(os.environ, PATH=bin_dir + os.pathsep + os.environ["PATH"])
    code = RUN_TWO_CELLS.format(ext=str(ROOT / "book" / "_ext"), mark=MARK)
    return subprocess.run([sys.executable, "-c", code], capture_output=True,
                          text=True, timeout=240, env=env)


def test_encrypted_kernels_do_not_warn():
    done = run_two_cells()
    assert done.returncode == 0, done.stderr
    assert "plain: False" in done.stdout, done.stdout
    assert "encrypted: True" in done.stdout, done.stdout
    plain, encrypted = done.stderr.split(MARK)
    assert "without encryption" in plain, done.stderr
    assert "without encryption" not in encrypted, done.stderr
