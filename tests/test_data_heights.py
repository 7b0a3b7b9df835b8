"""Tests of calcbook.data.heights and galton_families: Galton's family heights (1886)."""

import hashlib
from importlib import resources

import numpy as np
import pytest

from calcbook.data import INCH_IN_CM, galton_families, heights

# The values HistData documents for GaltonFamilies (934 children of 205 families), and the
# means of its columns over the 934 rows, in inches, to the digits printed by R's summary().
N_ALL, N_SONS, N_DAUGHTERS, N_FAMILIES = 934, 481, 453, 205
MEAN_CHILD_IN = 66.745931
MEAN_SON_IN = 69.234096
MEAN_DAUGHTER_IN = 64.103974
MEAN_FATHER_IN = 69.197109
MEAN_MOTHER_IN = 64.089293
SD_CHILD_IN = 3.579251  # sample standard deviation (n - 1)


class TestHeights:
    def test_counts(self):
        assert heights().shape == (N_ALL,)
        assert len(heights(sex="male")) == N_SONS
        assert len(heights(sex="female")) == N_DAUGHTERS

    @pytest.mark.parametrize(
        ("sex", "mean"),
        [(None, MEAN_CHILD_IN), ("male", MEAN_SON_IN), ("female", MEAN_DAUGHTER_IN)],
    )
    def test_means_match_published_values(self, sex, mean):
        # The published means are rounded to 6 decimals: the sums of 934 values with one
        # decimal are exact to ~1e-13, so only the rounding limits the comparison.
        assert heights(sex=sex, unit="in").mean() == pytest.approx(mean, abs=5e-7)

    def test_spread_and_range(self):
        h = heights(unit="in")
        assert h.std(ddof=1) == pytest.approx(SD_CHILD_IN, abs=5e-7)
        assert (h.min(), h.max()) == (56.0, 79.0)

    def test_centimetres_are_exactly_inches_times_2_54(self):
        inches = heights(unit="in")
        np.testing.assert_array_equal(heights(), inches * 2.54)
        assert INCH_IN_CM == 2.54
        assert heights().mean() == pytest.approx(MEAN_CHILD_IN * 2.54, abs=2e-6)

    def test_sexes_partition_the_whole(self):
        everyone = np.sort(heights())
        both = np.sort(np.concatenate([heights(sex="male"), heights(sex="female")]))
        np.testing.assert_array_equal(everyone, both)

    def test_the_first_family(self):
        # Family 001 of the notebook: father 78.5 in, mother 67; a son and three daughters.
        assert heights(unit="in")[:4].tolist() == [73.2, 69.2, 69.0, 69.0]

    def test_returns_a_fresh_array(self):
        h = heights()
        h[:] = 0.0
        assert heights()[0] == pytest.approx(73.2 * 2.54)

    @pytest.mark.parametrize("sex", ["boys", "M", "Male", "", 1, True])
    def test_bad_sex(self, sex):
        with pytest.raises(ValueError, match="`sex` must be one of"):
            heights(sex=sex)

    @pytest.mark.parametrize("unit", ["mm", "inch", "CM", None, 2.54])
    def test_bad_unit(self, unit):
        with pytest.raises(ValueError, match="`unit` must be one of"):
            heights(unit=unit)

    def test_options_are_keyword_only(self):
        with pytest.raises(TypeError):
            heights("male")  # type: ignore[misc]


class TestGaltonFamilies:
    def test_columns_and_lengths(self):
        g = galton_families()
        assert set(g) == {
            "family",
            "father",
            "mother",
            "midparentHeight",
            "children",
            "childNum",
            "gender",
            "childHeight",
        }
        assert {len(v) for v in g.values()} == {N_ALL}
        assert len(set(g["family"].tolist())) == N_FAMILIES
        assert set(g["gender"].tolist()) == {"male", "female"}

    def test_parent_means(self):
        g = galton_families()
        assert g["father"].mean() == pytest.approx(MEAN_FATHER_IN, abs=5e-7)
        assert g["mother"].mean() == pytest.approx(MEAN_MOTHER_IN, abs=5e-7)

    def test_midparent_is_galtons_formula(self):
        g = galton_families()
        np.testing.assert_allclose(
            g["midparentHeight"], (g["father"] + 1.08 * g["mother"]) / 2, rtol=0, atol=5e-12
        )

    def test_family_structure(self):
        g = galton_families()
        for family in dict.fromkeys(g["family"].tolist()):
            rows = g["family"] == family
            n = int(rows.sum())
            assert set(g["children"][rows].tolist()) == {n}
            assert g["childNum"][rows].tolist() == list(range(1, n + 1))
            assert len(set(g["father"][rows].tolist())) == 1
            assert len(set(g["mother"][rows].tolist())) == 1

    def test_unit_changes_only_heights(self):
        inches, cm = galton_families(), galton_families(unit="cm")
        for name in ("father", "mother", "midparentHeight", "childHeight"):
            np.testing.assert_array_equal(cm[name], inches[name] * 2.54)
        for name in ("family", "children", "childNum", "gender"):
            np.testing.assert_array_equal(cm[name], inches[name])

    def test_agrees_with_heights(self):
        g = galton_families(unit="cm")
        np.testing.assert_array_equal(g["childHeight"], heights())
        sons = g["childHeight"][g["gender"] == "male"]
        np.testing.assert_array_equal(sons, heights(sex="male"))

    def test_bad_unit(self):
        with pytest.raises(ValueError, match="`unit` must be one of"):
            galton_families(unit="ft")


def test_shipped_file_is_the_checked_one():
    """The CSV is the copy that was checked against a second copy (see its README)."""
    data = resources.files("calcbook.data")
    digest = hashlib.sha256(data.joinpath("galton_families.csv").read_bytes()).hexdigest()
    assert digest == "c21f3674e15edb3e1576026abf511426f6a18563fe86792792c84049e36f89a1"
    readme = data.joinpath("README.md").read_text(encoding="utf-8")
    assert "Public domain" in readme and "Galton" in readme and "Hanley" in readme
