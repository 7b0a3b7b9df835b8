"""Tests of calcbook.data.nist_strd and nist_problems: NIST's StRD regression problems."""

import dataclasses
import math
import re
import tomllib
from importlib import resources
from pathlib import Path

import numpy as np
import pytest
from nist import digits

import calcbook
from calcbook.data import NISTProblem, nist_problems, nist_strd

ROOT = Path(__file__).resolve().parents[1]
FOLDER = resources.files("calcbook.data").joinpath("nist")
NONLINEAR = nist_problems("nonlinear")


class TestNames:
    def test_the_names_are_the_files(self):
        files = {p.name.removesuffix(".dat") for p in FOLDER.iterdir() if p.name.endswith(".dat")}
        assert set(nist_problems()) == files
        assert len(nist_problems()) == len(files) == 29

    def test_kinds(self):
        assert len(NONLINEAR) == 27 and NONLINEAR[0] == "Misra1a" and NONLINEAR[-1] == "Bennett5"
        assert nist_problems("linear") == ("Norris", "Pontius")
        assert nist_problems() == (*NONLINEAR, "Norris", "Pontius")
        assert nist_problems(None) == nist_problems()

    @pytest.mark.parametrize("name", ["misra1a", "Misra", "Misra1a.dat", ""])
    def test_an_unknown_name_lists_the_known_ones(self, name):
        with pytest.raises(ValueError, match=r"no NIST StRD problem .*Misra1a, .*Pontius"):
            nist_strd(name)

    @pytest.mark.parametrize("name", [None, 1, ["Misra1a"]])
    def test_a_name_that_is_not_a_string(self, name):
        with pytest.raises(TypeError, match="must be a string"):
            nist_strd(name)

    @pytest.mark.parametrize("kind", ["Linear", "all", 1])
    def test_a_bad_kind(self, kind):
        with pytest.raises(ValueError, match="`kind` must be one of"):
            nist_problems(kind)


class TestEveryProblem:
    @pytest.mark.parametrize("name", nist_problems())
    def test_it_loads_as_its_header_says(self, name):
        problem = nist_strd(name)
        text = FOLDER.joinpath(f"{name}.dat").read_text(encoding="utf-8")
        n = int(re.search(r"(\d+) Observations", text).group(1))
        p = int(re.search(r"(\d+) Parameters", text).group(1))
        assert isinstance(problem, NISTProblem) and problem.name == name
        assert problem.n == n and problem.y.shape == (n,)
        assert problem.x.shape == ((2, n) if name == "Nelson" else (n,))
        assert problem.certified.shape == problem.certified_stderr.shape == (p,)
        assert problem.dof == n - p
        assert problem.difficulty in ("Lower", "Average", "Higher")
        assert problem.difficulty in text
        assert np.all(np.isfinite(problem.y)) and np.all(problem.certified_stderr > 0)
        if problem.kind == "nonlinear":
            assert problem.degree is None and len(problem.starts) == 2
            assert all(start.shape == (p,) for start in problem.starts)
        else:
            assert problem.degree == p - 1 and problem.starts == ()

    @pytest.mark.parametrize("name", nist_problems())
    def test_the_model_reproduces_the_certified_residual_sum_of_squares(self, name):
        problem = nist_strd(name)
        residuals = problem.y - problem.model(problem.x, *problem.certified)
        rss = float(residuals @ residuals)
        if name == "Lanczos1":
            # The certified 1.4e-25 is below what parameters rounded to 11 digits reproduce.
            assert problem.rss < 1e-24 and rss < 1e-20
        else:
            # The README's claim: 10 digits, but for Lanczos2's 9.99 (a relative error of 1e-10).
            assert abs(rss - problem.rss) <= 1.1e-10 * problem.rss

    @pytest.mark.parametrize("name", nist_problems())
    def test_the_residual_standard_deviation(self, name):
        problem = nist_strd(name)
        assert digits(math.sqrt(problem.rss / problem.dof), problem.residual_sd) >= 9

    def test_the_problem_is_read_only(self):
        problem = nist_strd("Misra1a")
        with pytest.raises(dataclasses.FrozenInstanceError):
            problem.rss = 0.0
        for array in (problem.x, problem.y, problem.certified, *problem.starts):
            with pytest.raises(ValueError, match="read-only"):
                array[0] = 0.0


class TestKnownValues:
    def test_misra1a(self):
        misra = nist_strd("Misra1a")
        assert misra.x[0] == 77.6 and misra.y[0] == 10.07 and misra.x[-1] == 760.0
        np.testing.assert_array_equal(misra.starts[0], [500, 0.0001])
        np.testing.assert_array_equal(misra.starts[1], [250, 0.0005])
        np.testing.assert_array_equal(misra.certified, [2.3894212918e02, 5.5015643181e-04])
        np.testing.assert_array_equal(misra.certified_stderr, [2.7070075241, 7.2668688436e-06])
        assert misra.rss == 1.2455138894e-01 and misra.residual_sd == 1.0187876330e-01
        assert misra.difficulty == "Lower" and misra.dof == 12
        assert "Misra1a" in repr(misra) and "n=14" in repr(misra)

    def test_the_sizes_of_the_problems_the_book_uses(self):
        sizes = {"Thurber": (37, 7), "MGH09": (11, 4), "Norris": (36, 2), "Pontius": (40, 3)}
        for name, (n, p) in sizes.items():
            problem = nist_strd(name)
            assert (problem.n, problem.certified.size) == (n, p)

    def test_norris_and_pontius(self):
        norris, pontius = nist_strd("Norris"), nist_strd("Pontius")
        assert norris.rss == 26.6173985294224 and norris.residual_sd == 0.884796396144373
        assert pontius.rss == 0.155761768796992e-05 and pontius.dof == 37
        assert pontius.certified[2] == -0.316081871345029e-14
        # The model of a linear problem is its polynomial in increasing powers.
        x = np.array([0.0, 1.0, 2.0])
        np.testing.assert_array_equal(pontius.model(x, 1.0, 2.0, 3.0), [1.0, 6.0, 17.0])
        fitted = np.polynomial.polynomial.polyfit(norris.x, norris.y, 1)
        assert digits(fitted[1], norris.certified[1]) >= 10

    def test_nelson_fits_the_log_of_its_response(self):
        nelson = nist_strd("Nelson")
        text = FOLDER.joinpath("Nelson.dat").read_text(encoding="utf-8")
        first = text.split("Data:")[-1].splitlines()[1].split()
        assert nelson.y[0] == math.log(float(first[0]))
        assert nelson.x[:, 0].tolist() == [float(first[1]), float(first[2])]

    def test_rat43s_degrees_of_freedom(self):
        # The file says 9; its residual standard deviation is sqrt(RSS / 11).
        rat43 = nist_strd("Rat43")
        assert rat43.dof == 11 and digits(math.sqrt(rat43.rss / 11), rat43.residual_sd) >= 10

    def test_with_calcbook_fit(self):
        misra = nist_strd("Misra1a")
        result = calcbook.regression.fit(misra.model, misra.x, misra.y, misra.starts[1])
        assert digits(result.params[1], misra.certified[1]) >= 6
        assert result.dof == misra.dof


class TestPackaging:
    def test_every_shipped_data_file_is_in_the_package_data(self):
        # setuptools ships a file of a package only if a glob of package-data matches it.
        config = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
        globs = config["tool"]["setuptools"]["package-data"]["calcbook"]
        package = ROOT / "src" / "calcbook"
        matched = {path for pattern in globs for path in package.glob(pattern) if path.is_file()}
        data = [
            path
            for path in (package / "data").rglob("*")
            if path.is_file() and path.suffix not in (".py", ".pyc")
        ]
        assert len(data) >= 32  # 29 .dat, their README, the Galton CSV and its README
        assert [p for p in data if p not in matched] == []

    def test_the_readme_describes_every_file(self):
        readme = FOLDER.joinpath("README.md").read_text(encoding="utf-8")
        for name in nist_problems():
            assert name in readme
