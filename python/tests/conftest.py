"""Shared set-up for the Python module's tests (run by CTest: python/CMakeLists.txt).

CTest sets PYTHONPATH to build/python, REPSIM_BINARY to the CLI of the same
build and REPSIM_SOURCE_DIR to the checkout."""

import os
import pathlib

import pytest

SOURCE_DIR = pathlib.Path(os.environ.get("REPSIM_SOURCE_DIR", pathlib.Path(__file__).resolve().parents[2]))
BINARY = os.environ.get("REPSIM_BINARY", str(SOURCE_DIR / "build" / "repsim"))


@pytest.fixture(scope="session")
def source_dir():
    return SOURCE_DIR


@pytest.fixture(scope="session")
def binary():
    return BINARY


def shipped_scenarios():
    return sorted((SOURCE_DIR / "scenarios").rglob("*.toml"))
