"""Sphinx extension: a kernel that dies while starting is started again.

jupyter_client gives a new kernel its TCP ports by asking the system for
free ones and releasing them; the kernel binds them a moment later. When
several workers start kernels at once (``parallel_read``), another
process can take such a port in between, and the kernel dies with
"Address already in use" before it replies, which stopped the whole
build. nbclient then reports "Kernel died before replying to
kernel_info". This extension makes nbclient start a fresh kernel, on
fresh ports, up to ``ATTEMPTS`` times in all; any other error, and the
last attempt's, is raised as before. Only the start is repeated: no cell
has run yet.
"""

from __future__ import annotations

from nbclient import NotebookClient
from sphinx.util import logging

logger = logging.getLogger(__name__)

ATTEMPTS = 3
DIED = "Kernel died before replying to kernel_info"
ORIGINAL = NotebookClient.async_start_new_kernel_client


async def start_client(self):
    """``async_start_new_kernel_client``, again with a new kernel when
    the kernel died while starting."""
    for attempt in range(1, ATTEMPTS + 1):
        try:
            return await ORIGINAL(self)
        except RuntimeError as error:
            if DIED not in str(error) or attempt == ATTEMPTS:
                raise
        logger.info(f"kernel_start: the kernel died while starting "
                    f"(attempt {attempt} of {ATTEMPTS}); starting another")
        # the failed kernel was cleaned up: a new manager, new ports
        self.km = self.create_kernel_manager()
        await self.async_start_new_kernel()


def setup(app):
    NotebookClient.async_start_new_kernel_client = start_client
    return {"parallel_read_safe": True, "parallel_write_safe": True}
