"""Tests for calcbook.errors."""

from __future__ import annotations

import pickle

import pytest

import calcbook
from calcbook.errors import ConvergenceError


class TestConvergenceError:
    def test_is_a_runtime_error(self):
        assert issubclass(ConvergenceError, RuntimeError)
        with pytest.raises(RuntimeError, match=r"^no root after 50 iterations$"):
            raise ConvergenceError("no root after 50 iterations", result=None)

    def test_carries_message_and_result(self):
        partial = {"x": 1.5, "history": [2.0, 1.7, 1.5]}
        err = ConvergenceError("no root after 3 iterations", result=partial)
        assert str(err) == "no root after 3 iterations"
        assert err.args == ("no root after 3 iterations",)
        assert err.result is partial

    def test_result_positional(self):
        assert ConvergenceError("stopped", [1, 2]).result == [1, 2]

    def test_result_defaults_to_none(self):
        assert ConvergenceError("stopped").result is None

    def test_result_survives_raise_and_catch(self):
        with pytest.raises(ConvergenceError) as info:
            raise ConvergenceError("stopped", result=(1.0, 2.0))
        assert info.value.result == (1.0, 2.0)

    def test_survives_pickling(self):
        # As when raised in a worker process (multiprocessing, pytest-xdist).
        err = pickle.loads(pickle.dumps(ConvergenceError("stopped", result={"iterations": 7})))
        assert isinstance(err, ConvergenceError)
        assert str(err) == "stopped"
        assert err.result == {"iterations": 7}

    def test_exported_at_top_level(self):
        assert calcbook.ConvergenceError is ConvergenceError
        assert "ConvergenceError" in calcbook.__all__
        assert "ConvergenceError" in calcbook.errors.__all__
