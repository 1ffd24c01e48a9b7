"""Sphinx extension: the build's kernels talk over an encrypted channel.

myst-nb runs each chapter in a Jupyter kernel that jupyter_client starts
on 127.0.0.1 over TCP. Since ipykernel 7.4 a kernel whose TCP traffic is
not encrypted prints, at every start, a warning that its code and outputs
can be read by eavesdroppers. The remedy jupyter_client offers (Jupyter
enhancement proposal 145) is its ``KernelManager.transport_encryption``
setting: with ``"auto"`` the manager gives every kernel whose kernelspec
declares CurveZMQ support (ipykernel's does) a fresh key pair, and kernel
and client encrypt everything they exchange.

myst-nb creates its kernel managers without passing any configuration
through, so this extension changes the setting's default for the
process that builds the book. Where pyzmq was built without CurveZMQ it
changes nothing, and the build's quiet-output check reports the warning.
"""

from __future__ import annotations

import zmq
from jupyter_client.manager import KernelManager

POLICY = "auto"


def encrypt_kernel_traffic() -> bool:
    """Make ``POLICY`` the default transport encryption of new kernels.

    Returns whether it could (pyzmq supports CurveZMQ).
    """
    if not zmq.has("curve"):
        return False
    KernelManager.class_traits()["transport_encryption"].default_value = \
        POLICY
    return True


def setup(app):
    encrypt_kernel_traffic()
    return {"parallel_read_safe": True, "parallel_write_safe": True}
