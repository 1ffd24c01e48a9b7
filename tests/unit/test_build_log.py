"""The build-log check flags what a reader would wonder about."""
from build_log import unexpected_lines

KERNEL = ("[IPKernelApp] WARNING | Kernel is running over TCP without "
          "encryption. All communication (including code and outputs) is "
          "sent in plain text and is susceptible to eavesdropping.")


def test_progress_lines_pass_and_alarms_are_caught():
    quiet = ("\x1b[01mreading sources... \x1b[39;49;00m[ 50%] book/gpu\n"
             "/book/gpu.md: Executed notebook in 14.04 seconds [mystnb]\n"
             "build succeeded.\n")
    assert unexpected_lines(quiet) == []
    noisy = quiet + KERNEL + "\n" + \
        "/x.py:3: UserWarning: the figure is empty\n" + \
        "Traceback (most recent call last):\n" + \
        "\x1b[91mWARNING: undefined label: 'ch-x'\x1b[39;49;00m\n" + \
        "Copying the source path a.png to b.png will overwrite data\n"
    assert unexpected_lines(noisy) == [
        KERNEL, "/x.py:3: UserWarning: the figure is empty",
        "Traceback (most recent call last):",
        "WARNING: undefined label: 'ch-x'",
        "Copying the source path a.png to b.png will overwrite data"]
