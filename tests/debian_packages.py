"""Debian packages some tests need and a fresh machine may not have (Chromium for the browser
walk, a CJK font for the Chinese chart), installed with apt as .ci/run installs them: a test
that needs one fails with apt's words when it cannot be had, and is never skipped."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest


def _apt_install(package: str) -> str:
    """Runs apt-get update and install; returns what apt said."""
    if shutil.which("apt-get") is None:
        return "apt-get is not available"
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    output = []
    for command in (["apt-get", "update"], ["apt-get", "install", "-y", package]):
        done = subprocess.run(command, env=env, capture_output=True, text=True, timeout=900)
        output.append(done.stdout[-2000:] + done.stderr[-2000:])
        if done.returncode != 0:
            break
    return "\n".join(output)


def debian_file(path: Path, package: str, needed_for: str) -> Path:
    """`path`, installing `package` first where it is missing; the calling test fails when apt
    cannot provide it."""
    if not path.exists():
        report = _apt_install(package)
        if not path.exists():
            pytest.fail(f"{needed_for} need {path}; `apt-get install -y {package}` did not provide it "
                        f"(run it as root, or install the package by hand):\n{report}", pytrace=False)
    return path
