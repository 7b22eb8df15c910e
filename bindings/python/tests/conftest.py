# SPDX-License-Identifier: Apache-2.0
# Puts bindings/python on sys.path so the tests import this checkout's package, installed or
# not; the C library comes from $HALLMARK_LIBRARY (ctest sets it to the build's).
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))


import pytest  # noqa: E402


@pytest.fixture
def ledger(monkeypatch):
    """support.Ledger over the test: every C handle made is freed exactly once."""
    from support import Ledger
    return Ledger(monkeypatch)
