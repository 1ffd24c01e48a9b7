"""A kernel that dies while starting is started again, a few times at
most; other errors pass through (book/_ext/kernel_start.py)."""
import asyncio

import pytest

import kernel_start


class Client:
    """Stands in for nbclient's NotebookClient."""

    def __init__(self, failures):
        self.failures, self.km, self.kernels = list(failures), "first", 1

    def create_kernel_manager(self):
        return "new"

    async def async_start_new_kernel(self):
        self.kernels += 1


@pytest.fixture
def original(monkeypatch):
    async def start(client):
        if client.failures:
            raise client.failures.pop(0)
        return "client"
    monkeypatch.setattr(kernel_start, "ORIGINAL", start)


def run(client):
    return asyncio.run(kernel_start.start_client(client))


def test_a_kernel_that_died_starting_is_replaced(original):
    client = Client([RuntimeError(kernel_start.DIED)])
    assert run(client) == "client"
    assert client.kernels == 2 and client.km == "new"


def test_it_gives_up_after_the_last_attempt(original):
    died = [RuntimeError(kernel_start.DIED)] * kernel_start.ATTEMPTS
    client = Client(died)
    with pytest.raises(RuntimeError, match="Kernel died"):
        run(client)
    assert client.kernels == kernel_start.ATTEMPTS


def test_other_errors_are_not_retried(original):
    client = Client([RuntimeError("something else")])
    with pytest.raises(RuntimeError, match="something else"):
        run(client)
    assert client.kernels == 1


def test_setup_installs_it():
    from nbclient import NotebookClient
    before = NotebookClient.async_start_new_kernel_client
    try:
        kernel_start.setup(None)
        assert NotebookClient.async_start_new_kernel_client is \
            kernel_start.start_client
    finally:
        NotebookClient.async_start_new_kernel_client = before
