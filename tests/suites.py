"""Suites of test functions shared by the tests and the benchmarks (one list, one place)."""

#: Smooth functions (SymPy-parsable strings) and points: exponentials, trigonometry, logarithms,
#: rational functions, x^x, compositions; scales from 0 to 100. The points are away from zeros
#: of the derivative (so relative errors stay meaningful) and not too close to singularities
#: (a step of 0.03 * max(1, |x|) must fit).
SUITE = {
    "exp(x)": [-2.0, 0.0, 1.0, 5.0],
    "sin(x)": [-1.0, 0.5, 2.0, 10.0],
    "cos(x)": [-2.5, 0.7, 1.0, 4.0],
    "tan(x)": [-1.0, 0.1, 0.5, 1.2],
    "log(x)": [0.5, 1.0, 3.0, 100.0],
    "sqrt(x)": [0.5, 1.0, 4.0, 30.0],
    "1/(1 + x**2)": [-2.0, 0.3, 1.0, 4.0],
    "x**x": [0.5, 1.0, 2.0, 3.0],
    "exp(sin(x))": [-1.0, 0.5, 1.0, 2.0],
    "sin(exp(x))": [-1.0, 0.0, 0.5, 1.0],
    "sqrt(1 + x**2)": [-3.0, 0.5, 1.0, 10.0],
    "1/(1 + exp(-x))": [-4.0, -1.0, 0.0, 2.0],
    "atan(x)": [-3.0, 0.0, 0.5, 2.0],
    "tanh(x)": [-1.5, 0.0, 0.4, 1.0],
    "x**3 - 2*x": [-1.5, 0.5, 2.0, 3.0],
    "x*exp(-x**2)": [-1.0, 0.0, 0.3, 1.5],
    "log(1 + x**2)/(2 + sin(x))": [-2.0, 0.5, 1.0, 3.0],
}

#: Functions near trouble (issue 16): their higher derivatives grow large near the point, so the
#: default steps, scaled by max(1, |x|), are too large there. Close to a singularity (log, 1/x,
#: sqrt, x**1.5 and x*log(x) near 0, tan near pi/2, 1/(x - 2) near its pole), at the edge of the
#: domain (log(1 - x), asin near 1) or with a narrow feature (a peak of width 0.01, a steep tanh,
#: sin(1/x)); where the domain ends, Richardson's default largest step 0.03 reaches past it. Last,
#: two smooth functions at |x| << 1, where the default steps are fine and must cost nothing extra.
NEAR_TROUBLE = {
    "log(x)": [1e-4, 1e-3, 0.01],
    "1/x": [-0.01, 1e-3],
    "sqrt(x)": [1e-3, 0.01],
    "x**1.5": [1e-4],
    "x*log(x)": [1e-4],
    "tan(x)": [1.5, 1.57],
    "log(1 - x)": [0.99, 0.999],
    "asin(x)": [0.999],
    "1/(x - 2)": [1.99, 2.002],
    "1/(1 + 10**4*x**2)": [-0.02, 0.005],
    "tanh(100*x)": [0.01],
    "sin(1/x)": [0.1],
    "sin(x)": [1e-4],
    "exp(x)": [1e-4],
}

#: Smooth functions of 2 to 5 variables: expression -> (variables in order, points). Exponentials,
#: logarithms, trigonometry, rational functions, a Rosenbrock valley; coordinates from 0 to 50.
#: Shared by tests/test_multivariate.py and benchmarks/multivariate.py. Points stay at least 0.1
#: (relative) away from singularities, so the largest Richardson step of 0.03 * max(1, |x|) fits.
MV_SUITE = {
    "x**2*y + 3*y": ("x y", [(1.0, 2.0), (-1.5, 0.5), (3.0, -2.0)]),
    "exp(x)*sin(y)": ("x y", [(0.0, 1.0), (1.5, -0.7), (-2.0, 3.0)]),
    "log(1 + x**2 + y**2)": ("x y", [(0.5, 1.0), (-2.0, 0.3), (10.0, -4.0)]),
    "1/(1 + x**2 + 2*y**2)": ("x y", [(0.3, -0.4), (1.0, 1.0), (-2.0, 0.5)]),
    "sin(x*y) + cos(x - y)": ("x y", [(0.5, 1.2), (-1.0, 2.0), (2.5, 0.3)]),
    "(1 - x)**2 + 100*(y - x**2)**2": ("x y", [(-1.2, 1.0), (0.5, 0.5), (2.0, 3.0)]),
    "x*y*z + exp(-x**2 - y**2 - z**2)": ("x y z", [(0.5, -0.3, 1.0), (1.0, 2.0, -1.0)]),
    "sqrt(1 + x**2 + y**2 + z**2)": ("x y z", [(0.5, 1.0, -2.0), (20.0, -10.0, 5.0)]),
    "tanh(x + 2*y - z) + x*z": ("x y z", [(0.1, 0.2, 0.3), (-1.0, 0.5, 0.5)]),
    "x*exp(y)/(1 + z**2)": ("x y z", [(1.0, 0.5, 2.0), (-3.0, -1.0, 0.4)]),
    "log(x) + log(y) + x*y*z*w": ("w x y z", [(1.0, 2.0, 0.5, 0.3), (-0.5, 50.0, 3.0, 1.0)]),
    "sin(w)*cos(x) + y*z**2 + exp(w*z)/10": ("w x y z", [(0.5, 1.0, -1.0, 0.7)]),
    "(v + w + x + y + z)**2 + sin(v*w) + log(2 + cos(x*y*z))": (
        "v w x y z",
        [(0.1, 0.2, 0.3, 0.4, 0.5), (1.0, -1.0, 2.0, 0.5, -0.5)],
    ),
    "exp(-(v**2 + w**2 + x**2 + y**2 + z**2)/4) + v*z - w*y": (
        "v w x y z",
        [(0.3, -0.2, 1.0, 0.5, -1.5)],
    ),
}

#: Smooth maps R^n -> R^m: name -> (components, variables in order, points).
MV_JACOBIAN_SUITE = {
    "polar": (["r*cos(t)", "r*sin(t)"], "r t", [(2.0, 0.5), (0.5, -2.0), (10.0, 3.0)]),
    "spherical": (
        ["r*sin(p)*cos(t)", "r*sin(p)*sin(t)", "r*cos(p)"],
        "r p t",
        [(1.0, 0.7, 0.3), (3.0, 2.0, -1.0)],
    ),
    "mixed 4x3": (
        ["x*y*z", "exp(x) - y", "log(1 + z**2)", "sin(x + y)"],
        "x y z",
        [(0.5, 1.0, -1.0), (-1.0, 2.0, 3.0)],
    ),
    "rational": (["x/(1 + y**2)", "y/(1 + x**2)"], "x y", [(1.0, 2.0), (-0.5, 0.3)]),
    "softmax-like 2x4": (
        ["exp(a)/(exp(a) + exp(b) + exp(c) + exp(d))", "log(exp(a) + exp(b) + exp(c) + exp(d))"],
        "a b c d",
        [(0.1, -0.2, 0.3, 0.5), (1.0, 2.0, -1.0, 0.0)],
    ),
}
