"""Check, and as root install, the system packages a make command needs.

Usage: python3 .ci/system_packages.py TARGET   (TARGET: book, test or pdf)

Reads .ci/system-packages.txt. When everything TARGET needs is present it
prints nothing and exits 0. Otherwise, as root on a machine with apt-get,
it installs the missing Debian packages (non-interactively) and checks
again; without root, or without apt-get, it names what is missing and the
exact command that installs it, and exits 1. The Makefile runs it before
any other work and stamps a success, so later runs cost nothing.

Standard library only: it runs before the virtual environment exists.
"""

from __future__ import annotations

import importlib.util
import os
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

MANIFEST = Path(__file__).with_name("system-packages.txt")
TARGETS = {"book": ("book",), "test": ("book", "test"), "pdf": ("book", "pdf")}


@dataclass(frozen=True)
class Requirement:
    target: str     # the make command that needs it
    needs: str      # commands joined by |, or import:MODULE
    package: str    # the Debian package that provides it
    purpose: str    # what it is for

    def present(self) -> bool:
        if self.needs.startswith("import:"):
            module = self.needs.removeprefix("import:")
            return importlib.util.find_spec(module) is not None
        return any(_command_found(name) for name in self.needs.split("|"))


def _command_found(name: str) -> bool:
    named = os.environ.get(name.upper().replace("-", "_"), "")
    if named and os.path.isfile(named) and os.access(named, os.X_OK):
        return True
    return shutil.which(name) is not None


def read_manifest(path: Path = MANIFEST) -> list[Requirement]:
    requirements = []
    for number, line in enumerate(path.read_text().splitlines(), 1):
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        fields = line.split(maxsplit=3)
        if len(fields) != 4 or fields[0] not in TARGETS:
            raise ValueError(f"{path}:{number}: expected 'target needs "
                             f"package purpose' with target one of "
                             f"{sorted(TARGETS)}, got {line!r}")
        requirements.append(Requirement(*fields))
    return requirements


def missing_for(target: str, requirements: list[Requirement]) \
        -> list[Requirement]:
    return [req for req in requirements
            if req.target in TARGETS[target] and not req.present()]


def install_command(packages: list[str]) -> list[list[str]]:
    return [["apt-get", "update", "-qq"],
            ["apt-get", "install", "-y", "-qq", *packages]]


def describe(missing: list[Requirement]) -> str:
    return "\n".join(f"  {req.package:<14} {req.purpose}" for req in missing)


def stop(target: str, missing: list[Requirement], reason: str) -> int:
    packages = sorted({req.package for req in missing})
    steps = " && ".join(" ".join(step) for step in
                        install_command(packages)).replace(" -qq", "")
    print(f"make {target} needs system packages that are not installed:\n"
          f"{describe(missing)}\n{reason}\n"
          f"  {'' if os.geteuid() == 0 else 'sudo '}sh -c '{steps}'\n"
          f"then run `make {target}` again. (A command can also be given "
          f"by an environment variable\nnamed after it, e.g. "
          f"CHROMIUM=/usr/bin/google-chrome.)", file=sys.stderr)
    return 1


def main(argv: list[str]) -> int:
    if len(argv) != 1 or argv[0] not in TARGETS:
        print(f"usage: system_packages.py {{{','.join(TARGETS)}}}",
              file=sys.stderr)
        return 2
    target = argv[0]
    try:
        requirements = read_manifest()
    except ValueError as error:
        print(error, file=sys.stderr)
        return 1
    missing = missing_for(target, requirements)
    if not missing:
        return 0
    if os.geteuid() != 0:
        return stop(target, missing, "Installing them needs root; run:")
    if shutil.which("apt-get") is None:
        return stop(target, missing, "This machine has no apt-get: install "
                    "them with its package manager, or on Debian run:")
    packages = sorted({req.package for req in missing})
    print(f"installing system packages for make {target}: "
          f"{' '.join(packages)} (apt-get, as root)", flush=True)
    env = dict(os.environ, DEBIAN_FRONTEND="noninteractive")
    for step in install_command(packages):
        # apt-get's chatter (debconf notices) is shown only if it fails
        done = subprocess.run(step, env=env, stdout=subprocess.DEVNULL,
                              stderr=subprocess.PIPE, text=True)
        if done.returncode != 0:
            print(done.stderr, end="", file=sys.stderr)
            return stop(target, missing, f"`{' '.join(step)}` failed (exit "
                        f"status {done.returncode}); see its message above, "
                        f"then run:")
    still = missing_for(target, requirements)
    if still:
        return stop(target, still, "apt-get installed them, but these are "
                    "still not found; check the packages, or run:")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
