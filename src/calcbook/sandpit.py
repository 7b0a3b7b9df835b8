"""The Sandpit: find the deepest point of a hidden depth map by dipping a stick into it.

The pit is the square ``[-1, 1] x [-1, 1]`` (2 m across). A *level* is a function ``f(x, y)``,
the height of the sand floor in centimetres relative to the rim (negative: the stick shows the
depth ``-f``). Something is lost at the global minimum of ``f``; a dip within
:data:`FIND_RADIUS` of it finds it. Every ``f`` is a sum of a few *terms* (a quadratic bowl,
Gaussian bumps and wells, cosine ripples) whose value, gradient and Hessian are exact, so a
strategy that uses derivatives gets them for free, as an optimiser does with automatic
differentiation.

The same levels, rules and constants drive the book's in-page game: :func:`game_spec` exports
them as JSON for its JavaScript, which evaluates the same terms, the same random generator
(:func:`mulberry32`) and the same :func:`descend`.

In a notebook, write a rule ``next_step(f, grad, hess) -> step`` and watch it play::

    from calcbook.sandpit import level, play, steepest_descent
    game = play(level("bowl"), steepest_descent(0.03), start=(-0.8, 0.7))
    game.figure()
"""

from __future__ import annotations

import functools
import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any

import numpy as np
import plotly.graph_objects as go

from calcbook.figures.theme import COLORSCALE, PALETTE, TEMPLATE, is_count

__all__ = [
    "ARROW",
    "AUTO_STEPS",
    "FIND_RADIUS",
    "GRID",
    "LEVELS",
    "LEVEL_IDS",
    "MAX_DIPS",
    "RANDOM",
    "RULES",
    "STUCK_RADIUS",
    "Cosine",
    "Game",
    "Gaussian",
    "Level",
    "Quadratic",
    "Stop",
    "clip",
    "descend",
    "downhill_arrow",
    "fixed_step",
    "game_spec",
    "hybrid",
    "level",
    "mulberry32",
    "newton",
    "play",
    "random_level",
    "steepest_descent",
]

#: Half the side of the pit: the square is ``[-DOMAIN, DOMAIN]²`` (metres).
DOMAIN = 1.0
#: Grid intervals per side used to find local minima (``GRID + 1`` points per side).
GRID = 200
#: A dip within this distance (m) of the global minimum finds it.
FIND_RADIUS = 0.05
#: At the end, a best dip this close (m) to the bottom of a wrong hollow is "stuck".
STUCK_RADIUS = 0.1
#: Dips per game; then the pit reveals itself.
MAX_DIPS = 25
#: In strategy mode, the automatic dips a rule takes after each click.
AUTO_STEPS = 4
#: The downhill arrow drawn at a dip (see :func:`downhill_arrow`): it points along ``-grad`` and
#: is ``min + scale * |grad|`` metres long (``scale`` in m per cm/m), at most ``max``; ``head`` is
#: the length (m) of its head's strokes, the same on every arrow.
ARROW: Mapping[str, float] = MappingProxyType(
    {"min": 0.12, "scale": 0.006, "max": 0.42, "head": 0.05}
)
#: The step rules' default parameters (and the range of the page's γ slider).
RULES: Mapping[str, Mapping[str, Any]] = MappingProxyType(
    {
        "fixed": MappingProxyType({"length": 0.1}),
        "steepest": MappingProxyType({"gamma": 0.018, "gamma_range": (0.001, 0.05)}),
        "newton": MappingProxyType({}),
        "hybrid": MappingProxyType({"gamma": 0.01, "max_step": 0.3}),
    }
)
#: The ranges a random level is drawn from (see :func:`random_level`).
RANDOM: Mapping[str, Any] = MappingProxyType(
    {
        "seed": 1,
        "bowl_center": (-0.3, 0.3),
        "bowl_curvature": (14.0, 26.0),
        "bowl_offset": -55.0,
        "bumps": 7,
        "bump_center": (-0.8, 0.8),
        "bump_width": (0.1, 0.2),
        "bump_amplitude": (-22.0, 6.0),
    }
)

_ARRAY = np.ndarray


def _points(p: Any) -> np.ndarray:
    """Return `p` as a float array whose last axis holds (x, y)."""
    p = np.asarray(p, dtype=float)
    if p.ndim == 0 or p.shape[-1] != 2:
        raise ValueError(f"points must have shape (..., 2), got shape {p.shape}")
    return p


# --- terms ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Quadratic:
    """A bowl ``0.5 dᵀ A d + offset`` with ``d = p - center`` and symmetric ``A``."""

    center: tuple[float, float]
    matrix: tuple[tuple[float, float], tuple[float, float]]
    offset: float = 0.0

    def value(self, p: _ARRAY) -> _ARRAY:
        """Value at points ``p[..., 2]``."""
        d = p - np.asarray(self.center)
        a = np.asarray(self.matrix)
        return 0.5 * np.einsum("...i,ij,...j->...", d, a, d) + self.offset

    def gradient(self, p: _ARRAY) -> _ARRAY:
        """Gradient ``A d``, shape ``(..., 2)``."""
        return (p - np.asarray(self.center)) @ np.asarray(self.matrix)

    def hessian(self, p: _ARRAY) -> _ARRAY:
        """Hessian ``A``, shape ``(..., 2, 2)``."""
        return np.broadcast_to(np.asarray(self.matrix), (*p.shape[:-1], 2, 2))

    def to_dict(self) -> dict[str, Any]:
        """Return the term as in the game's JSON spec."""
        return {
            "type": "quadratic",
            "center": list(self.center),
            "matrix": [list(row) for row in self.matrix],
            "offset": self.offset,
        }


@dataclass(frozen=True)
class Gaussian:
    """A bump (``amplitude > 0``) or well (``< 0``): ``a exp(-|d|² / (2 s²))``."""

    center: tuple[float, float]
    width: float
    amplitude: float

    def value(self, p: _ARRAY) -> _ARRAY:
        """Value at points ``p[..., 2]``."""
        d = p - np.asarray(self.center)
        return self.amplitude * np.exp(-np.sum(d * d, axis=-1) / (2 * self.width**2))

    def gradient(self, p: _ARRAY) -> _ARRAY:
        """Gradient ``-g d / s²`` where ``g`` is the value."""
        d = p - np.asarray(self.center)
        return -self.value(p)[..., None] * d / self.width**2

    def hessian(self, p: _ARRAY) -> _ARRAY:
        """Hessian ``g (d dᵀ / s⁴ - I / s²)``."""
        d = p - np.asarray(self.center)
        s2 = self.width**2
        outer = d[..., :, None] * d[..., None, :] / s2**2
        return self.value(p)[..., None, None] * (outer - np.eye(2) / s2)

    def to_dict(self) -> dict[str, Any]:
        """Return the term as in the game's JSON spec."""
        return {
            "type": "gaussian",
            "center": list(self.center),
            "width": self.width,
            "amplitude": self.amplitude,
        }


@dataclass(frozen=True)
class Cosine:
    """A ripple ``a cos(k · p + phase)`` with wavevector ``k``."""

    wavevector: tuple[float, float]
    phase: float
    amplitude: float

    def _angle(self, p: _ARRAY) -> _ARRAY:
        return p @ np.asarray(self.wavevector) + self.phase

    def value(self, p: _ARRAY) -> _ARRAY:
        """Value at points ``p[..., 2]``."""
        return self.amplitude * np.cos(self._angle(p))

    def gradient(self, p: _ARRAY) -> _ARRAY:
        """Gradient ``-a sin(k · p + phase) k``."""
        return -self.amplitude * np.sin(self._angle(p))[..., None] * np.asarray(self.wavevector)

    def hessian(self, p: _ARRAY) -> _ARRAY:
        """Hessian ``-a cos(k · p + phase) k kᵀ``."""
        k = np.asarray(self.wavevector)
        return -self.value(p)[..., None, None] * np.outer(k, k)

    def to_dict(self) -> dict[str, Any]:
        """Return the term as in the game's JSON spec."""
        return {
            "type": "cosine",
            "wavevector": list(self.wavevector),
            "phase": self.phase,
            "amplitude": self.amplitude,
        }


Term = Quadratic | Gaussian | Cosine


# --- levels --------------------------------------------------------------------------------


@dataclass(frozen=True)
class Level:
    """One depth map: ``f`` is the sum of `terms` (height in cm relative to the rim).

    Attributes
    ----------
    id, title, blurb : str
        The level's identifier, its name and a one-line hint shown by the game.
    terms : tuple of Quadratic, Gaussian, Cosine
        The terms whose sum is ``f``.
    seed : int or None
        The seed of a random level, else None.

    Notes
    -----
    :meth:`f`, :meth:`gradient` and :meth:`hessian` take points ``p`` of shape ``(..., 2)`` and
    return shapes ``(...)``, ``(..., 2)`` and ``(..., 2, 2)``; all are exact (analytic).
    """

    id: str
    title: str
    blurb: str
    terms: tuple[Term, ...]
    seed: int | None = None

    def f(self, p: Any) -> Any:
        """Height of the floor (cm) at points ``p[..., 2]``; a float for one point."""
        p = _points(p)
        value = sum(term.value(p) for term in self.terms)
        return float(value) if p.ndim == 1 else value

    def gradient(self, p: Any) -> np.ndarray:
        """Gradient of `f` (cm per m) at points ``p[..., 2]``, shape ``(..., 2)``."""
        p = _points(p)
        return sum(term.gradient(p) for term in self.terms)

    def hessian(self, p: Any) -> np.ndarray:
        """Hessian of `f` (cm per m²) at points ``p[..., 2]``, shape ``(..., 2, 2)``."""
        p = _points(p)
        return np.array(sum(term.hessian(p) for term in self.terms))

    @functools.cached_property
    def _minima(self) -> np.ndarray:
        return _local_minima(self)

    def local_minima(self) -> np.ndarray:
        """Every local minimum of `f` on the square, deepest first.

        Returns
        -------
        numpy.ndarray
            Shape ``(k, 3)``: rows ``(x, y, f)`` sorted by ``f``. Interior minima are polished
            by Newton's method to about 1e-10 in position; a minimum on the edge of the square
            (where ``f`` still falls outwards) is where :func:`descend` stops.

        Notes
        -----
        As in the game's JavaScript: the grid points of a ``(GRID + 1)²`` grid whose value is no
        more than any of their (up to 8) neighbours' each start a :func:`descend`; ends closer
        than 1e-3 are merged, keeping the lower.
        """
        return self._minima.copy()

    @property
    def minimum(self) -> np.ndarray:
        """The global minimum (x, y), shape ``(2,)``."""
        return self._minima[0, :2].copy()

    @property
    def min_value(self) -> float:
        """The value of `f` at the global minimum (cm; the depth is its negative)."""
        return float(self._minima[0, 2])

    def spec(self) -> dict[str, Any]:
        """Return the level as in :func:`game_spec` (terms, minimum and local minima)."""
        return {
            "id": self.id,
            "title": self.title,
            "blurb": self.blurb,
            "terms": [term.to_dict() for term in self.terms],
            "minimum": [float(v) for v in self.minimum],
            "min_value": self.min_value,
            "local_minima": [[float(v) for v in row] for row in self._minima],
        }

    def __repr__(self) -> str:
        seed = "" if self.seed is None else f", seed={self.seed}"
        return f"Level({self.id!r}{seed}, {len(self.terms)} terms)"


def _radial(center: tuple[float, float], curvature: float, offset: float) -> Quadratic:
    return Quadratic(center, ((curvature, 0.0), (0.0, curvature)), offset)


def _rotated(center, along: float, across: float, angle_deg: float, offset: float) -> Quadratic:
    """Return a valley with curvature `along` its axis (at `angle_deg` from x) and `across` it."""
    c, s = math.cos(math.radians(angle_deg)), math.sin(math.radians(angle_deg))
    a = along * c * c + across * s * s
    b = (along - across) * c * s
    d = along * s * s + across * c * c
    return Quadratic(center, ((round(a, 12), round(b, 12)), (round(b, 12), round(d, 12))), offset)


def _ripples(center, wavevectors, amplitude: float) -> tuple[Cosine, ...]:
    """Cosines with their troughs at `center`, so `center` stays a stationary point."""
    terms = []
    for kx, ky in wavevectors:
        phase = math.pi - (kx * center[0] + ky * center[1])
        phase = math.remainder(phase, 2 * math.pi)
        terms.append(Cosine((kx, ky), phase, amplitude))
    return tuple(terms)


def _fixed_levels() -> dict[str, Level]:
    bowl = Level(
        "bowl",
        "The bowl",
        "A smooth bowl. Follow the arrows down, but is the bottom of the bowl the deepest spot?",
        (_radial((-0.2, 0.15), 20.0, -40.0), Gaussian((0.4, -0.35), 0.42, -14.0)),
    )
    valley = Level(
        "valley",
        "The valley",
        "A long, narrow valley whose floor slopes gently: the arrows point at the walls.",
        (_rotated((0.55, 0.35), 3.0, 100.0, 30.0, -100.0),),
    )
    lattice_center = (0.2, -0.2)
    lattice = Level(
        "lattice",
        "The egg box",
        "Rows of hollows, all alike at first sight; only one is the deepest.",
        (
            _radial(lattice_center, 24.0, -46.0),
            *_ripples(lattice_center, [(2 * math.pi / 0.4, 0.0), (0.0, 2 * math.pi / 0.4)], 4.0),
        ),
    )
    rocky_center = (-0.36, -0.28)
    rocky = Level(
        "rocky",
        "The rocky pit",
        "Pebbles everywhere: the arrows jitter, but the depths still tell the big picture.",
        (
            _radial(rocky_center, 22.0, -44.0),
            Gaussian(rocky_center, 0.12, -6.0),
            *_ripples(rocky_center, [(38.0, 11.0), (-9.0, 41.0), (29.0, -31.0)], 0.9),
        ),
    )
    needle = Level(
        "needle",
        "The needle",
        "A broad, gentle hollow, and somewhere a narrow, deep hole.",
        (_radial((-0.3, 0.25), 20.0, -36.0), Gaussian((0.52, -0.46), 0.07, -26.0)),
    )
    return {lv.id: lv for lv in (bowl, valley, lattice, rocky, needle)}


# --- the random generator and random levels ------------------------------------------------

_MASK = 0xFFFFFFFF


def _imul(a: int, b: int) -> int:
    """JavaScript's ``Math.imul`` on unsigned 32-bit patterns."""
    return (a * b) & _MASK


def mulberry32(seed: int) -> Callable[[], float]:
    """Return the mulberry32 generator seeded with `seed`, bit for bit as in JavaScript.

    Parameters
    ----------
    seed : int
        A whole number in ``[0, 2**32)``.

    Returns
    -------
    callable
        Each call returns the next number in ``[0, 1)``, exactly as the JavaScript
        ``mulberry32(seed)()`` does (all arithmetic on 32-bit words).

    Raises
    ------
    ValueError
        If `seed` is not a whole number in ``[0, 2**32)``.

    Examples
    --------
    >>> u = mulberry32(1)
    >>> u(), u()
    (0.6270739405881613, 0.002735721180215478)
    """
    _check_seed(seed)
    state = int(seed) & _MASK

    def next_uniform() -> float:
        nonlocal state
        state = (state + 0x6D2B79F5) & _MASK
        a = state
        t = _imul(a ^ (a >> 15), 1 | a)
        t = ((t + _imul(t ^ (t >> 7), 61 | t)) & _MASK) ^ t
        return ((t ^ (t >> 14)) & _MASK) / 4294967296

    return next_uniform


def _check_seed(seed: Any) -> None:
    if not is_count(seed) or not 0 <= seed < 2**32:
        raise ValueError(f"`seed` must be a whole number in [0, 2**32), got {seed!r}")


def random_level(seed: int) -> Level:
    """Return the random level drawn from `seed` (the same map for the same seed).

    Parameters
    ----------
    seed : int
        A whole number in ``[0, 2**32)``.

    Returns
    -------
    Level
        A bowl plus ``RANDOM["bumps"]`` Gaussian bumps and wells.

    Raises
    ------
    ValueError
        If `seed` is not a whole number in ``[0, 2**32)``.

    Notes
    -----
    With ``u = mulberry32(seed)`` each draw is ``lo + (hi - lo) * u()`` for the ranges in
    :data:`RANDOM`, in this order: the bowl's centre x, y and curvature; then for each bump its
    centre x, y, width and amplitude. The page's JavaScript draws the same numbers.

    The ranges keep the floor below the rim everywhere (tested for seeds 0 to 199) and the
    deepest point at least 0.2 m inside the square (seeds 0 to 99). A map has 2 to 5 hollows in
    about 98% of seeds (1 or 6 otherwise). The deepest hollow is unique, but not always by a
    clear margin: in about one seed in ten the runner-up is less than 0.6 cm shallower (in one
    in fifty, less than 0.15 cm), which only a reader comparing depths closely would notice.

    Examples
    --------
    >>> random_level(7).terms == random_level(7).terms
    True
    """
    u = mulberry32(seed)

    def draw(name: str) -> float:
        lo, hi = RANDOM[name]
        return lo + (hi - lo) * u()

    cx, cy = draw("bowl_center"), draw("bowl_center")
    terms: list[Term] = [_radial((cx, cy), draw("bowl_curvature"), RANDOM["bowl_offset"])]
    for _ in range(RANDOM["bumps"]):
        bx, by = draw("bump_center"), draw("bump_center")
        width = draw("bump_width")
        terms.append(Gaussian((bx, by), width, draw("bump_amplitude")))
    return Level(
        "random",
        f"Random pit #{seed}",
        "A new landscape for every seed: a bowl with hills and hollows scattered over it.",
        tuple(terms),
        seed=int(seed),
    )


_FIXED = _fixed_levels()
#: The level ids in the game's order.
LEVEL_IDS: tuple[str, ...] = ("bowl", "valley", "random", "lattice", "rocky", "needle")
#: Every level by id, in the game's order (``"random"`` with the default seed).
LEVELS: Mapping[str, Level] = MappingProxyType(
    {
        name: (random_level(RANDOM["seed"]) if name == "random" else _FIXED[name])
        for name in LEVEL_IDS
    }
)


def level(id: str, seed: int | None = None) -> Level:
    """Return the level called `id`; for ``"random"``, the one drawn from `seed`.

    Parameters
    ----------
    id : str
        One of :data:`LEVEL_IDS`.
    seed : int, optional
        Only for ``"random"``: the seed (default ``RANDOM["seed"]``).

    Returns
    -------
    Level

    Raises
    ------
    ValueError
        If `id` is not a level, or a `seed` is given for a level that is not random.
    """
    if id not in LEVELS:
        raise ValueError(f"unknown level {id!r}; the levels are {', '.join(LEVEL_IDS)}")
    if id == "random":
        return LEVELS[id] if seed is None else random_level(seed)
    if seed is not None:
        raise ValueError(f"only the 'random' level takes a `seed`, not {id!r}")
    return LEVELS[id]


# --- the downhill arrow --------------------------------------------------------------------


def downhill_arrow(grad: Any) -> np.ndarray:
    """Return the arrow the game draws at a dip where the floor's gradient is `grad`.

    Parameters
    ----------
    grad : array_like
        The gradient of ``f`` at the dip (cm per m), shape ``(..., 2)``.

    Returns
    -------
    numpy.ndarray
        The arrow (m), shape ``(..., 2)``: along ``-grad``, the direction of steepest descent,
        and ``ARROW["min"] + ARROW["scale"] * |grad|`` long, at most ``ARROW["max"]``. Where
        the gradient is zero there is no downhill direction, and the arrow is zero.

    Notes
    -----
    The length grows with the slope ``|grad|`` (strictly, until it reaches ``ARROW["max"]``), so
    a longer arrow always means a steeper floor. The minimum length keeps the direction visible
    on a gentle slope: drawn as ``-ARROW["scale"] * grad`` alone, an arrow at a slope of 2 cm/m
    would be 1.2 cm long, a few pixels, hidden under the dip's marker. The game's script draws
    the same arrow (``book/_static/sandpit.js``).

    Examples
    --------
    >>> downhill_arrow([0.0, 10.0])  # 10 cm/m uphill towards +y: 0.12 + 0.06 m towards -y
    array([ 0.  , -0.18])
    >>> round(float(np.hypot(*downhill_arrow([1e-3, 0.0]))), 9)  # a gentle slope: the minimum
    0.120006
    >>> round(float(np.hypot(*downhill_arrow([300.0, 400.0]))), 9)  # a wall: capped
    0.42
    >>> downhill_arrow([0.0, 0.0])  # flat: no direction, no arrow
    array([0., 0.])
    """
    g = _points(grad)
    slope = np.hypot(g[..., 0], g[..., 1])
    length = np.minimum(ARROW["min"] + ARROW["scale"] * slope, ARROW["max"])
    with np.errstate(invalid="ignore", divide="ignore"):
        unit = np.where(slope[..., None] > 0, -g / slope[..., None], 0.0)
    return unit * length[..., None] + 0.0  # + 0.0: no -0.0 in a flat coordinate


# --- descending and local minima -----------------------------------------------------------


def clip(p: Any) -> np.ndarray:
    """Clip each coordinate of points ``p[..., 2]`` to the square ``[-1, 1]``."""
    return np.clip(_points(p), -DOMAIN, DOMAIN)


def _scalar_terms(lv: Level) -> tuple[tuple, ...]:
    """Return the terms of `lv` as tuples of plain floats, for :func:`_descend_one`."""
    rows = []
    for term in lv.terms:
        if isinstance(term, Quadratic):
            (a, b), (c, d) = term.matrix
            rows.append(("q", *term.center, a, b, c, d, term.offset))
        elif isinstance(term, Gaussian):
            rows.append(("g", *term.center, term.width, term.amplitude))
        else:
            rows.append(("c", *term.wavevector, term.phase, term.amplitude))
    return tuple(rows)


def _value_xy(terms: tuple[tuple, ...], x: float, y: float) -> float:
    """``f(x, y)`` summed term by term in order, in the game's JavaScript's arithmetic.

    The reference for :func:`_value_function`, which descents use.
    """
    f = 0.0
    for kind, *t in terms:
        if kind == "q":
            cx, cy, a, b, c, d, offset = t
            dx, dy = x - cx, y - cy
            f += 0.5 * (dx * (a * dx + b * dy) + dy * (c * dx + d * dy)) + offset
        elif kind == "g":
            cx, cy, width, amplitude = t
            gx, gy = x - cx, y - cy
            f += amplitude * math.exp(-(gx * gx + gy * gy) / (2 * width * width))
        else:
            kx, ky, phase, amplitude = t
            f += amplitude * math.cos(x * kx + y * ky + phase)
    return f


@functools.cache
def _value_function(terms: tuple[tuple, ...]) -> Callable[[float, float], float]:
    """Return ``f(x, y)`` of `terms` as one Python expression with their numbers written in.

    The same operations in the same order as :func:`_value_xy`, so the same float to the last
    bit (tests/test_sandpit.py checks it), about four times faster: a descent evaluates ``f``
    thousands of times, and finding a level's minima a million.
    """
    parts = []
    for kind, *t in terms:
        if kind == "q":
            cx, cy, a, b, c, d, offset = map(repr, t)
            dx, dy = f"(x - {cx})", f"(y - {cy})"
            parts.append(
                f"(0.5 * ({dx} * ({a} * {dx} + {b} * {dy}) + {dy} * ({c} * {dx} + {d} * {dy}))"
                f" + {offset})"
            )
        elif kind == "g":
            cx, cy, width, amplitude = t
            gx, gy = f"(x - {cx!r})", f"(y - {cy!r})"
            parts.append(
                f"({amplitude!r} * exp(-({gx} * {gx} + {gy} * {gy}) / {2 * width * width!r}))"
            )
        else:
            kx, ky, phase, amplitude = map(repr, t)
            parts.append(f"({amplitude} * cos(x * {kx} + y * {ky} + {phase}))")
    body = "0.0"
    for part in parts:  # f += part, in order
        body = f"({body} + {part})"
    return eval(f"lambda x, y: {body}", {"exp": math.exp, "cos": math.cos})


def _gradient_xy(terms: tuple[tuple, ...], x: float, y: float) -> tuple[float, float]:
    """``∇f(x, y)`` summed term by term in order, as :func:`_value_xy`."""
    g0 = g1 = 0.0
    for kind, *t in terms:
        if kind == "q":
            cx, cy, a, b, c, d, _ = t
            dx, dy = x - cx, y - cy
            g0 += dx * a + dy * c
            g1 += dx * b + dy * d
        elif kind == "g":
            cx, cy, width, amplitude = t
            ex, ey, s2 = x - cx, y - cy, width * width
            v = amplitude * math.exp(-(ex * ex + ey * ey) / (2 * s2))
            g0 += -v * ex / s2
            g1 += -v * ey / s2
        else:
            kx, ky, phase, amplitude = t
            s = -amplitude * math.sin(x * kx + y * ky + phase)
            g0 += s * kx
            g1 += s * ky
    return g0, g1


def _descend_one(lv: Level, x: float, y: float) -> tuple[float, float]:
    """:func:`descend` from one point, step for step as the game's JavaScript does it.

    In plain floats: a descent makes thousands of evaluations of ``f`` at one point, where
    NumPy's cost per call would be most of the time (a hundred times slower).
    """
    terms = _scalar_terms(lv)
    value = _value_function(terms)

    def clip1(v: float) -> float:
        return min(max(v, -DOMAIN), DOMAIN)

    x, y = clip1(x), clip1(y)
    for _ in range(500):
        g0, g1 = _gradient_xy(terms, x, y)
        n = math.sqrt(g0 * g0 + g1 * g1)
        if n <= 1e-8:
            break
        d0, d1, t, f0 = -g0 / n, -g1 / n, 0.25, value(x, y)
        while t > 1e-10:
            trial_x = min(max(x + t * d0, -DOMAIN), DOMAIN)  # clip1, written out: the
            trial_y = min(max(y + t * d1, -DOMAIN), DOMAIN)  # hottest loop of the module
            if value(trial_x, trial_y) > f0 - 1e-4 * t * n:
                t /= 2
            else:
                break
        if t <= 1e-10:
            break
        x, y = clip1(x + t * d0), clip1(y + t * d1)
    return x, y


def descend(level: Level, p: Any) -> np.ndarray:
    """Slide downhill from `p` to the bottom of the hollow it lies in.

    Parameters
    ----------
    level : Level
        The level.
    p : array_like
        A point ``(x, y)``; it is clipped to the square.

    Returns
    -------
    numpy.ndarray
        Shape ``(2,)``: where the descent stopped.

    Notes
    -----
    Exactly as the game's JavaScript: at most 500 times, with ``g = ∇f(p)``: stop if
    ``|g| ≤ 1e-8``; ``dir = -g/|g|``, ``t = 0.25``; halve ``t`` while ``t > 1e-10`` and
    ``f(clip(p + t dir)) > f(p) - 1e-4 t |g|``; stop if ``t ≤ 1e-10``; else
    ``p = clip(p + t dir)``. A steepest descent with a backtracking (Armijo) line search
    :cite:p:`nocedal2006numerical`.
    """
    point = _points(p)
    if point.shape != (2,) or not np.all(np.isfinite(point)):
        raise ValueError(f"`p` must be two finite numbers, got {p!r}")
    return np.array(_descend_one(level, float(point[0]), float(point[1])))


def _newton_polish(lv: Level, p: np.ndarray) -> np.ndarray:
    """Polish an interior minimum with Newton's method (to about 1e-10 or better)."""
    for _ in range(50):
        h = lv.hessian(p)
        if np.linalg.det(h) <= 0 or h[0, 0] <= 0:
            return p
        step = -np.linalg.solve(h, lv.gradient(p))
        new = p + step
        if np.any(np.abs(new) > DOMAIN) or np.linalg.norm(step) > 1e-2:
            return p
        p = new
        if np.linalg.norm(step) < 1e-14:
            break
    return p


def _local_minima(lv: Level) -> np.ndarray:
    axis = np.linspace(-DOMAIN, DOMAIN, GRID + 1)
    xx, yy = np.meshgrid(axis, axis, indexing="ij")
    values = lv.f(np.stack([xx, yy], axis=-1))
    padded = np.pad(values, 1, constant_values=np.inf)
    lowest = np.ones_like(values, dtype=bool)
    n = GRID + 1
    for dx in (-1, 0, 1):
        for dy in (-1, 0, 1):
            if dx or dy:
                lowest &= values <= padded[1 + dx : 1 + dx + n, 1 + dy : 1 + dy + n]
    starts = np.stack([xx[lowest], yy[lowest]], axis=-1)
    ends = np.array([_descend_one(lv, x, y) for x, y in starts.tolist()])
    # Merge ends closer than 1e-3, keeping the lower.
    heights = lv.f(ends)
    kept: list[np.ndarray] = []
    for i in np.argsort(heights, kind="stable"):
        if all(np.linalg.norm(ends[i] - q) >= 1e-3 for q in kept):
            kept.append(ends[i])
    polished = [_newton_polish(lv, q) for q in kept]
    rows = np.array([[q[0], q[1], lv.f(q)] for q in polished])
    return rows[np.argsort(rows[:, 2], kind="stable")]


# --- step rules ----------------------------------------------------------------------------


class Stop(Exception):
    """Raised by a step rule to end the game early; the message says why."""


NextStep = Callable[[float, np.ndarray, np.ndarray], Any]


def _positive(name: str, value: Any) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float | np.number):
        raise TypeError(f"`{name}` must be a number, got {value!r}")
    if not (math.isfinite(value) and value > 0):
        raise ValueError(f"`{name}` must be positive and finite, got {value!r}")
    return float(value)


def fixed_step(length: float = RULES["fixed"]["length"]) -> NextStep:
    """Step a fixed `length` (m) straight downhill: ``-length * g / |g|``.

    Raises :class:`Stop` where the gradient is exactly zero.
    """
    length = _positive("length", length)

    def next_step(f: float, grad: np.ndarray, hess: np.ndarray) -> np.ndarray:
        norm = float(np.hypot(grad[0], grad[1]))
        if norm == 0:
            raise Stop("the gradient is zero")
        return -length * np.asarray(grad, dtype=float) / norm

    next_step.__name__ = f"fixed_step({length:g})"
    return next_step


def steepest_descent(gamma: float = RULES["steepest"]["gamma"]) -> NextStep:
    """Step ``-gamma * g``: long where the floor is steep, short where it is flat."""
    gamma = _positive("gamma", gamma)

    def next_step(f: float, grad: np.ndarray, hess: np.ndarray) -> np.ndarray:
        return -gamma * np.asarray(grad, dtype=float)

    next_step.__name__ = f"steepest_descent({gamma:g})"
    return next_step


def _newton_step(grad: np.ndarray, hess: np.ndarray) -> np.ndarray | None:
    """``-H⁻¹ g`` by the 2 x 2 inverse (as the JavaScript does); None if ``|det H| < 1e-12``."""
    (a, b), (c, d) = np.asarray(hess, dtype=float)
    det = a * d - b * c
    if abs(det) < 1e-12:
        return None
    g0, g1 = float(grad[0]), float(grad[1])
    return -np.array([d * g0 - b * g1, -c * g0 + a * g1]) / det


def newton() -> NextStep:
    """Jump to the stationary point of the local quadratic model: ``-H⁻¹ g``.

    Raises :class:`Stop` ("Hessian singular") where ``|det H| < 1e-12``.
    """

    def next_step(f: float, grad: np.ndarray, hess: np.ndarray) -> np.ndarray:
        step = _newton_step(grad, hess)
        if step is None:
            raise Stop("Hessian singular")
        return step

    next_step.__name__ = "newton()"
    return next_step


def hybrid(
    gamma: float = RULES["hybrid"]["gamma"], max_step: float = RULES["hybrid"]["max_step"]
) -> NextStep:
    """Newton where it is safe, else a capped steepest-descent step.

    Takes ``s = -H⁻¹ g`` when ``H`` is positive definite (``det H > 0`` and ``H[0, 0] > 0``)
    and ``|s| ≤ max_step``; otherwise ``-gamma * g`` shortened to `max_step` if longer.
    """
    gamma = _positive("gamma", gamma)
    max_step = _positive("max_step", max_step)

    def next_step(f: float, grad: np.ndarray, hess: np.ndarray) -> np.ndarray:
        h = np.asarray(hess, dtype=float)
        if h[0, 0] * h[1, 1] - h[0, 1] * h[1, 0] > 0 and h[0, 0] > 0:
            step = _newton_step(grad, h)
            if step is not None and np.hypot(*step) <= max_step:
                return step
        step = -gamma * np.asarray(grad, dtype=float)
        length = float(np.hypot(*step))
        return step * (max_step / length) if length > max_step else step

    next_step.__name__ = f"hybrid({gamma:g}, {max_step:g})"
    return next_step


# --- playing -------------------------------------------------------------------------------


@dataclass(frozen=True, eq=False)
class Game:
    """One game: where the stick went and how it ended.

    Attributes
    ----------
    level : Level
        The level played.
    dips : numpy.ndarray
        Shape ``(k, 2)``: every dip in order, the start first.
    depths : numpy.ndarray
        Shape ``(k,)``: the depth ``-f`` (cm) at each dip.
    found : bool
        Whether a dip came within :data:`FIND_RADIUS` of the global minimum.
    found_at : int or None
        The number (from 1) of the dip that found it.
    stuck : bool
        Not found, and the best dip is within :data:`STUCK_RADIUS` of the bottom of a hollow
        that is not the deepest: "stuck in a local minimum".
    best : numpy.ndarray
        Shape ``(2,)``: the deepest dip.
    reason : str
        How the game ended, in words.
    """

    level: Level
    dips: np.ndarray
    depths: np.ndarray
    found: bool
    found_at: int | None
    stuck: bool
    best: np.ndarray
    reason: str
    rule: str = field(default="")

    def __repr__(self) -> str:
        return (
            f"Game({self.level.id!r}, {self.rule or 'rule'}: {len(self.dips)} dips, "
            f"found={self.found}, stuck={self.stuck}, best depth {self.depths.max():.1f} cm "
            f"of {-self.level.min_value:.1f} cm; {self.reason})"
        )

    def figure(self, *, grid: int = 61) -> go.Figure:
        """Draw the level's contour map with the dips (numbered, joined in order) and the minimum.

        Parameters
        ----------
        grid : int, optional
            Contour grid points per side.

        Returns
        -------
        plotly.graph_objects.Figure
        """
        if not is_count(grid) or grid < 11:
            raise ValueError(f"`grid` must be an integer of at least 11, got {grid!r}")
        axis = np.linspace(-DOMAIN, DOMAIN, grid)
        xx, yy = np.meshgrid(axis, axis)
        depth = np.round(-self.level.f(np.stack([xx, yy], axis=-1)), 2)
        fig = go.Figure(
            go.Contour(
                x=axis,
                y=axis,
                z=depth,
                colorscale=COLORSCALE,
                reversescale=True,
                colorbar={"title": {"text": "depth (cm)"}, "thickness": 14},
                contours={"coloring": "heatmap", "showlines": True},
                line={"width": 0.5, "color": "rgba(255, 255, 255, 0.35)"},
                hovertemplate="x=%{x:.2f} m, y=%{y:.2f} m<br>depth %{z:.1f} cm<extra></extra>",
                name="depth",
                showlegend=False,
            )
        )
        labels = [str(i) for i in range(1, len(self.dips) + 1)]
        fig.add_trace(
            go.Scatter(
                x=self.dips[:, 0],
                y=self.dips[:, 1],
                mode="lines+markers+text",
                text=labels,
                textposition="top right",
                textfont={"color": PALETTE["point"], "size": 12},
                line={"color": PALETTE["path"], "width": 2},
                marker={"color": PALETTE["point"], "size": 8, "line": {"color": "white"}},
                customdata=self.depths,
                hovertemplate="dip %{text}: depth %{customdata:.1f} cm<extra></extra>",
                name="dips",
            )
        )
        mx, my = self.level.minimum
        fig.add_trace(
            go.Scatter(
                x=[mx],
                y=[my],
                mode="markers",
                marker={
                    "symbol": "star",
                    "size": 16,
                    "color": PALETTE["minimum"],
                    "line": {"color": "white", "width": 1},
                },
                hovertemplate=f"deepest point: depth {-self.level.min_value:.1f} cm<extra></extra>",
                name="deepest point",
            )
        )
        verdict = "found" if self.found else ("stuck" if self.stuck else "not found")
        fig.update_layout(
            template=TEMPLATE,
            title={"text": f"{self.level.title}: {self.rule or 'your rule'}, {verdict}"},
            xaxis={"title": {"text": "x (m)"}, "range": [-1.02, 1.02], "constrain": "domain"},
            yaxis={
                "title": {"text": "y (m)"},
                "range": [-1.02, 1.02],
                "scaleanchor": "x",
                "constrain": "domain",
            },
            legend={"orientation": "h", "y": -0.15},
            height=520,
            meta={
                "alt": (
                    f"Contour map of the level {self.level.title} with {len(self.dips)} numbered "
                    f"dips of the rule {self.rule or 'given'}; the game ended: {self.reason}."
                )
            },
        )
        return fig


def _validate_start(start: Any) -> np.ndarray:
    try:
        point = np.asarray(start, dtype=float)
    except (TypeError, ValueError) as exc:
        raise TypeError(f"`start` must be two numbers (x, y), got {start!r}") from exc
    if point.shape != (2,) or not np.all(np.isfinite(point)):
        raise ValueError(f"`start` must be two finite numbers (x, y), got {start!r}")
    if np.any(np.abs(point) > DOMAIN):
        raise ValueError(f"`start` must lie in the square [-1, 1] x [-1, 1], got {start!r}")
    return point


def _rule_name(next_step: Callable) -> str:
    return getattr(next_step, "__name__", type(next_step).__name__)


def play(
    level: Level,
    next_step: NextStep,
    start: Sequence[float],
    *,
    max_dips: int = MAX_DIPS,
    find_radius: float = FIND_RADIUS,
) -> Game:
    """Play `level` with a step rule from `start`, as the game's strategy mode does.

    Parameters
    ----------
    level : Level
        The level, e.g. ``level("valley")``.
    next_step : callable
        ``next_step(f, grad, hess)`` gets the height ``f`` (cm), the gradient ``grad`` (2,) and
        the Hessian ``hess`` (2, 2) at the current dip and returns the step (2,) to the next dip
        (in m). It may raise :class:`Stop` to end the game.
    start : sequence of float
        The first dip (x, y), inside the square.
    max_dips : int, optional
        How many dips, the first included.
    find_radius : float, optional
        A dip this close to the global minimum finds it.

    Returns
    -------
    Game

    Raises
    ------
    TypeError
        If `next_step` is not callable, or `level` is not a :class:`Level`.
    ValueError
        If `start` is not in the square, `max_dips` < 1, or `next_step` returns something that
        is not two finite numbers.

    Notes
    -----
    Each next dip is ``clip(p + step)``. The game stops at the first dip that finds the
    minimum, when the dips run out, when a step is shorter than 1e-12 (no dip is made) or
    when the rule raises :class:`Stop`. If not found, it is *stuck* when the best dip ``b``
    lies within :data:`STUCK_RADIUS` of ``m = descend(level, b)`` and ``m`` is farther than
    `find_radius` from the minimum.

    Examples
    --------
    >>> game = play(level("valley"), newton(), start=(-0.5, 0.5))
    >>> game.found, game.found_at
    (True, 2)
    """
    if not isinstance(level, Level):
        raise TypeError(f"`level` must be a Level (e.g. level('bowl')), got {level!r}")
    if not callable(next_step):
        raise TypeError(
            f"`next_step` must be a function next_step(f, grad, hess), got {next_step!r}"
        )
    if not is_count(max_dips) or max_dips < 1:
        raise ValueError(f"`max_dips` must be a whole number of at least 1, got {max_dips!r}")
    find_radius = _positive("find_radius", find_radius)
    p = _validate_start(start)
    minimum = level.minimum
    dips = [p]
    found_at: int | None = None
    why = f"used all {max_dips} dips"
    while True:
        if np.hypot(*(p - minimum)) <= find_radius:
            found_at = len(dips)
            break
        if len(dips) >= max_dips:
            break
        try:
            raw = next_step(level.f(p), level.gradient(p), level.hessian(p))
        except Stop as stop:
            why = f"stopped after {len(dips)} dips: {stop}"
            break
        step = _check_step(raw, next_step)
        if np.hypot(*step) < 1e-12:
            why = f"stopped after {len(dips)} dips: the step was shorter than 1e-12"
            break
        p = clip(p + step)
        dips.append(p)
    points = np.array(dips)
    depths = -level.f(points)
    best = points[int(np.argmax(depths))]
    found = found_at is not None
    stuck = False
    if found:
        reason = f"found the deepest point at dip {found_at}"
    else:
        bottom = descend(level, best)
        stuck = bool(
            np.hypot(*(bottom - minimum)) > find_radius
            and np.hypot(*(best - bottom)) <= STUCK_RADIUS
        )
        reason = f"stuck in a local minimum; {why}" if stuck else f"not found; {why}"
    return Game(
        level, points, depths, found, found_at, stuck, best.copy(), reason, _rule_name(next_step)
    )


def _check_step(raw: Any, next_step: Callable) -> np.ndarray:
    name = _rule_name(next_step)
    try:
        step = np.asarray(raw, dtype=float)
    except (TypeError, ValueError) as exc:
        raise ValueError(
            f"`next_step` ({name}) must return two numbers, it returned {raw!r}"
        ) from exc
    if step.shape != (2,):
        raise ValueError(
            f"`next_step` ({name}) must return a step of shape (2,), it returned {raw!r} "
            f"(shape {step.shape})"
        )
    if not np.all(np.isfinite(step)):
        raise ValueError(f"`next_step` ({name}) returned a non-finite step {raw!r}")
    return step


# --- the game's JSON spec ------------------------------------------------------------------


def game_spec() -> dict[str, Any]:
    """Return the levels, rules and constants for the page's JavaScript game, as JSON data.

    Returns
    -------
    dict
        Version 1 of the spec in the book's Contract 3: the domain, grid, radii, dip limits,
        arrow, rules and levels (terms, minimum, local minima; the random level as its seed
        and ranges, for the JavaScript to draw with :func:`mulberry32`).

    Examples
    --------
    >>> import json
    >>> spec = game_spec()
    >>> [lv["id"] for lv in json.loads(json.dumps(spec))["levels"]]
    ['bowl', 'valley', 'random', 'lattice', 'rocky', 'needle']
    """
    return _spec()


@functools.cache
def _spec_cached() -> str:
    import json

    levels: list[dict[str, Any]] = []
    for name in LEVEL_IDS:
        lv = LEVELS[name]
        if name == "random":
            levels.append(
                {
                    "id": "random",
                    "title": "Random pit",
                    "blurb": lv.blurb,
                    "random": {
                        k: list(v) if isinstance(v, tuple) else v for k, v in RANDOM.items()
                    },
                }
            )
        else:
            levels.append(lv.spec())
    spec = {
        "version": 1,
        "domain": [-DOMAIN, DOMAIN],
        "grid": GRID,
        "find_radius": FIND_RADIUS,
        "stuck_radius": STUCK_RADIUS,
        "max_dips": MAX_DIPS,
        "auto_steps": AUTO_STEPS,
        "arrow": dict(ARROW),
        "rules": {
            name: {k: list(v) if isinstance(v, tuple) else v for k, v in params.items()}
            for name, params in RULES.items()
        },
        "levels": levels,
    }
    return json.dumps(spec)


def _spec() -> dict[str, Any]:
    import json

    return json.loads(_spec_cached())
