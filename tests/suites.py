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
