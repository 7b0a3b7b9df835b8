/* calcbook: answer boxes, checked in the page without a kernel.
 *
 * Each box (form.calcbook-answer, written by the {answer} directive of calcbook.answerbox)
 * carries a spec as JSON: the expected answer's values at a few points, computed at build
 * time by calcbook.answers.answer_spec. When the reader checks an answer, this reads it with
 * math.js (loaded once, on first use: its URL is in <meta name="calcbook-mathjs">), evaluates
 * it at the same points and applies calcbook.answers.check_answer's rule, which it mirrors
 * line for line: tests/test_answers.py runs both on the same answers and asserts the same
 * verdicts and messages. Without JavaScript the boxes stay hidden (the solution is there).
 *
 * In Node.js (the tests) the module exports {check, formatG}; check(spec, text, math). */
(function (root, factory) {
  "use strict";
  var api = factory();
  if (typeof module === "object" && module.exports) {
    module.exports = api;
  } else {
    root.calcbookAnswers = api;
    if (document.readyState === "loading") {
      document.addEventListener("DOMContentLoaded", function () { api.init(document); });
    } else {
      api.init(document);
    }
  }
}(this, function () {
  "use strict";

  /* The constants of calcbook.answers. */
  var RTOL_FORMULA = 1e-9, CLOSE = 1e-3, MIN_POINTS = 5;
  var CONSTANTS = ["e", "E", "pi"];
  /* The functions a formula may call: math.js and SymPy read each of them alike. */
  var FUNCTIONS = ["sin", "cos", "tan", "sec", "csc", "cot", "asin", "acos", "atan", "sinh",
    "cosh", "tanh", "asinh", "acosh", "atanh", "exp", "log", "ln", "sqrt", "cbrt", "abs"];

  /* Names SymPy's parser does not split into letters: Greek letters' names. */
  var GREEK = ["alpha", "beta", "gamma", "delta", "epsilon", "zeta", "eta", "theta", "iota",
    "kappa", "lamda", "mu", "nu", "xi", "omicron", "pi", "rho", "sigma", "tau", "upsilon", "phi",
    "chi", "psi", "omega", "digamma", "koppa", "sampi", "stigma", "heta", "san"];

  function splittable(name) {
    return name.length > 1 && name.indexOf("_") < 0 && GREEK.indexOf(name) < 0;
  }

  /* "(1, 2)" is a vector to SymPy (a tuple) but not to math.js: write each bracket pair that
   * holds a comma at its own level, and is not a function's arguments, as [ ]. */
  function tuplesAsVectors(text) {
    var chars = text.split(""), open = [];
    for (var i = 0; i < chars.length; i++) {
      var c = chars[i];
      if (c === "(" || c === "[") {
        var call = c === "(" && i > 0 && /[A-Za-z0-9_]/.test(chars[i - 1]);
        open.push({at: i, tuple: c === "(" && !call, comma: false});
      } else if (c === "," && open.length) {
        open[open.length - 1].comma = true;
      } else if ((c === ")" || c === "]") && open.length) {
        var group = open.pop();
        if (c === ")" && group.tuple && group.comma) { chars[group.at] = "["; chars[i] = "]"; }
      }
    }
    return chars.join("");
  }

  function verdict(correct, message, reason) {
    return {correct: correct, message: message, reason: reason};
  }

  /* Python's format(value, ".<digits>g"). */
  function formatG(value, digits) {
    if (value === 0) return Object.is(value, -0) ? "-0" : "0";
    if (!isFinite(value)) return isNaN(value) ? "nan" : (value > 0 ? "inf" : "-inf");
    var parts = value.toExponential(digits - 1).split("e");
    var exp = parseInt(parts[1], 10);
    if (exp >= -4 && exp < digits) {
      return stripZeros(value.toFixed(digits - 1 - exp));
    }
    var sign = exp < 0 ? "-" : "+";
    var mag = String(Math.abs(exp));
    return stripZeros(parts[0]) + "e" + sign + (mag.length < 2 ? "0" + mag : mag);
  }

  function stripZeros(text) {
    return text.indexOf(".") < 0 ? text : text.replace(/0+$/, "").replace(/\.$/, "");
  }

  function close(got, want, rtol) {
    return Math.abs(got - want) <= rtol * Math.max(1, Math.abs(want));
  }

  function defined(row) {
    return row.every(function (v) { return v !== null; });
  }

  /* --- reading and evaluating ------------------------------------------------------------ */

  function shapeOf(value) {
    if (!Array.isArray(value)) return [];
    if (value.length && value.every(Array.isArray)) {
      var width = value[0].length;
      if (!width || value.some(function (r) { return r.length !== width; })) return null;
      if (value.some(function (r) { return r.some(Array.isArray); })) return null;
      return [value.length, width];
    }
    if (value.length && !value.some(Array.isArray)) return [value.length];
    return null;
  }

  function real(v) {
    if (typeof v === "number") return isFinite(v) ? v : null;
    if (v && typeof v.re === "number" && typeof v.im === "number") {
      return v.im === 0 && isFinite(v.re) ? v.re : null;
    }
    return null;
  }

  function flatten(value) {
    if (!Array.isArray(value)) return [real(value)];
    return value.reduce(function (all, v) { return all.concat(flatten(v)); }, []);
  }

  function plain(value) {
    if (value && typeof value.toArray === "function") return value.toArray();
    return value;
  }

  function fitShape(got, want) {
    if (got.join() === want.join()) return got;
    if (want.length === 1 && got.length === 2 &&
        ((got[0] === want[0] && got[1] === 1) || (got[0] === 1 && got[1] === want[0]))) {
      return want;
    }
    return null;
  }

  function shapeName(shape) {
    if (!shape.length) return "a single value";
    if (shape.length === 1) return "a vector of " + shape[0] + (shape[0] === 1 ? " entry" : " entries");
    return "a " + shape[0] + "\u00d7" + shape[1] + " matrix";
  }

  function entryName(spec, i) {
    var shape = spec.shape;
    if (shape.length === 2) {
      return "entry (" + (Math.floor(i / shape[1]) + 1) + ", " + (i % shape[1] + 1) + ")";
    }
    return "entry " + (i + 1);
  }

  function where(spec, p) {
    return spec.vars.map(function (name, k) {
      return name + " = " + formatG(spec.points[p][k], 6);
    }).join(", ");
  }

  function capitalise(text) {
    return text.charAt(0).toUpperCase() + text.slice(1);
  }

  /* --- the rule (calcbook.answers.check_answer and judge) ------------------------------- */

  function malformed(spec) {
    var example = ["2*x*cos(x^2)", "[1, 2*x]", "[[1, 2], [3, 4]]"][spec.shape.length];
    if (!spec.vars.length && !spec.shape.length) example = "sqrt(2)/2";
    return verdict(false, "Could not read your answer: check its brackets and operators, " +
      "and write it like " + example + ".", "malformed");
  }

  function check(spec, text, math) {
    text = typeof text === "string" ? text.trim() : "";
    if (!text) return verdict(false, "Type your answer in the box first.", "empty");
    var node;
    try {
      node = math.parse(tuplesAsVectors(text.replace(/\*\*/g, "^")));
    } catch (err) {
      return malformed(spec);
    }
    var used = [], structural = false;
    function unknown(name) { if (used.indexOf(name) < 0) used.push(name); }
    function known(name) { return spec.vars.indexOf(name) >= 0 || CONSTANTS.indexOf(name) >= 0; }
    /* Read the text as SymPy's parser does (calcbook.answers): a name that is neither a
     * variable, a constant nor a function is a product of letters ("2xy" is 2*x*y), and a
     * variable or constant before brackets multiplies them ("x(x + 1)"). */
    function times(factors) {
      return new math.OperatorNode("*", "multiply", factors, true);
    }
    function norm(n, path, parent) {
      var inner = n.isOperatorNode && n.op === "^" ? n.args[1] : n;
      if (inner.isFunctionNode && inner.fn.isSymbolNode && FUNCTIONS.indexOf(inner.fn.name) < 0 &&
          known(inner.fn.name) && inner.args.length === 1) {
        var product = [new math.SymbolNode(inner.fn.name),
          new math.ParenthesisNode(norm(inner.args[0]))];
        if (inner === n) return times(product);
        /* "e^x(x + 1)": the power takes the name only, as in SymPy. */
        return times([new math.OperatorNode("^", "pow", [norm(n.args[0]), product[0]]),
          product[1]]);
      }
      if (n.isFunctionNode && n.fn.isSymbolNode && FUNCTIONS.indexOf(n.fn.name) < 0) {
        var letters = splittable(n.fn.name) ? n.fn.name.split("") : [n.fn.name];
        letters.forEach(function (c, k) {
          if (!/[0-9]/.test(c) && (k === letters.length - 1 || !known(c))) unknown(c);
        });
      } else if (n.isSymbolNode && path !== "fn" && !known(n.name) && splittable(n.name)) {
        return new math.ParenthesisNode(times(n.name.match(/[0-9]+|[^0-9]/g).map(function (c) {
          return /[0-9]/.test(c) ? new math.ConstantNode(Number(c)) : new math.SymbolNode(c);
        })));
      }
      return n.map(norm);
    }
    node = norm(node);
    node.traverse(function (n, path, parent) {
      if (n.isSymbolNode) {
        var isFunction = parent && parent.isFunctionNode && path === "fn";
        if (!isFunction && !known(n.name)) unknown(n.name);
      } else if (!(n.isConstantNode || n.isOperatorNode || n.isParenthesisNode ||
                   n.isFunctionNode || n.isArrayNode)) {
        structural = true;  /* assignments, indexing, ranges, blocks: not a formula */
      } else if (n.isConstantNode && typeof n.value !== "number") {
        structural = true;  /* strings, booleans */
      }
    });
    if (structural) return malformed(spec);
    if (used.length) {
      used.sort();
      var allowed = spec.vars.length ? "only " + spec.vars.join(", ") : "no variable";
      return verdict(false, "Your answer uses " + used.join(", ") + ", but " + spec.about +
        " uses " + allowed + ".", "unknown-name");
    }
    var code = node.compile();
    var results = spec.points.map(function (point) {
      var scope = {ln: math.log};
      spec.vars.forEach(function (name, k) { scope[name] = point[k]; });
      try {
        return plain(code.evaluate(scope));
      } catch (err) {
        return undefined;
      }
    });
    var first = results.find(function (r) { return r !== undefined; });
    if (first === undefined) return malformed(spec);
    var gotShape = shapeOf(first);
    if (gotShape === null) return malformed(spec);
    if (fitShape(gotShape, spec.shape) === null) {
      return verdict(false, "Your answer is " + shapeName(gotShape) + ", but " + spec.about +
        " is " + shapeName(spec.shape) + ".", "shape");
    }
    var size = spec.values[0].length;
    var got = results.map(function (r) {
      if (r === undefined) return new Array(size).fill(null);
      var flat = flatten(r);
      return flat.length === size ? flat : new Array(size).fill(null);
    });
    return judge(spec, got);
  }

  function judge(spec, got) {
    var want = spec.values, rtol = spec.rtol, about = spec.about;
    var compared = [], definedWant = 0;
    want.forEach(function (row, p) {
      if (defined(row)) definedWant += 1;
      if (defined(got[p]) && defined(row)) compared.push(p);
    });
    if (compared.length < Math.min(MIN_POINTS, definedWant)) {
      var at = want.findIndex(defined);
      return verdict(false, "Not quite. Your answer is undefined at " + where(spec, Math.max(at, 0)) +
        ", where " + about + " is defined (and at too many other points to compare the two).",
        "undefined");
    }
    var pairs = [];
    compared.forEach(function (p) {
      want[p].forEach(function (w, i) { pairs.push([got[p][i], w]); });
    });
    if (pairs.every(function (pair) { return close(pair[0], pair[1], rtol); })) {
      return verdict(true, "Correct: that is " + about + ".", "correct");
    }
    var terms = spec.terms.map(function (entry) {
      return entry.map(function (t) { return compared.map(function (p) { return t[p]; }); });
    });
    var found = diagnose(compared.map(function (p) { return got[p]; }),
      compared.map(function (p) { return want[p]; }), terms, rtol);
    if (found) return verdict(false, "Not quite. " + hint(spec, found[0], found[1]), found[0]);
    if (!spec.vars.length && pairs.every(function (pair) { return close(pair[0], pair[1], CLOSE); })) {
      return verdict(false, "Not quite. Close, but not to six significant figures: give more " +
        "digits, or an exact value such as 1/3 or sqrt(2)/2.", "close");
    }
    for (var c = 0; c < compared.length; c++) {
      var p = compared[c];
      for (var i = 0; i < want[p].length; i++) {
        if (!close(got[p][i], want[p][i], rtol)) {
          return verdict(false, "Not quite. " + differ(spec, p, i, got[p][i]), "differ");
        }
      }
    }
    return verdict(false, "Not quite.", "differ");  /* unreachable: some pair differs */
  }

  function diagnose(got, want, terms, rtol) {
    var pairs = [];
    got.forEach(function (row, p) {
      row.forEach(function (g, i) { pairs.push([g, want[p][i]]); });
    });
    var nonzero = pairs.filter(function (pair) { return Math.abs(pair[1]) > rtol; });
    if (nonzero.length && pairs.every(function (pair) { return close(-pair[0], pair[1], rtol); })) {
      return ["sign", -1];
    }
    if (nonzero.length >= 2) {
      var best = nonzero[0];
      nonzero.forEach(function (pair) { if (Math.abs(pair[1]) > Math.abs(best[1])) best = pair; });
      var c = best[0] / best[1];
      if (c !== 0 && !close(c, 1, CLOSE) &&  /* a ratio near 1 is a rounded answer */
          pairs.every(function (pair) { return close(pair[0], c * pair[1], rtol); })) {
        return ["factor", c];
      }
    }
    var entries = want.length ? want[0].length : 0;
    for (var k = 0; k < entries; k++) {
      var others = got.every(function (row, p) {
        return row.every(function (g, i) { return i === k || close(g, want[p][i], rtol); });
      });
      if (!others) continue;
      for (var t = 0; t < terms[k].length; t++) {
        var term = terms[k][t], rows = [];
        got.forEach(function (row, p) {
          if (term[p] !== null) rows.push([row[k], want[p][k] - term[p]]);
        });
        if (rows.length >= Math.min(MIN_POINTS, got.length) &&
            rows.every(function (pair) { return close(pair[0], pair[1], rtol); })) {
          return ["missing-term", k];
        }
      }
    }
    return null;
  }

  function hint(spec, reason, value) {
    var about = spec.about;
    if (reason === "sign") return "Your answer has the wrong sign: it is minus " + about + ".";
    if (reason === "factor") {
      return "Your answer is " + formatG(value, 4) + " times " + about +
        ": check the constant factors.";
    }
    var entry = spec.shape.length ? " in " + entryName(spec, value) : "";
    return "A term seems to be missing" + entry + ": your answer is " + about +
      " less one of its terms.";
  }

  function differ(spec, p, i, got) {
    var about = spec.about, want = spec.values[p][i];
    if (!spec.vars.length) {
      if (!spec.shape.length) {
        return "Your answer is " + formatG(got, 6) + ", which is not " + about + ".";
      }
      return capitalise(entryName(spec, i)) + " of your answer, " + formatG(got, 6) +
        ", is not right.";
    }
    if (!spec.shape.length) {
      return "At " + where(spec, p) + ", your answer gives " + formatG(got, 6) + " but " +
        about + " is " + formatG(want, 6) + ".";
    }
    var entry = entryName(spec, i);
    return "At " + where(spec, p) + ", " + entry + " of your answer is " + formatG(got, 6) +
      " but " + entry + " of " + about + " is " + formatG(want, 6) + ".";
  }

  /* --- the boxes in the page ----------------------------------------------------------- */

  var mathjs = null;

  function loadMath() {
    if (!mathjs) {
      mathjs = new Promise(function (resolve, reject) {
        if (window.math && window.math.parse) { resolve(window.math); return; }
        var meta = document.querySelector('meta[name="calcbook-mathjs"]');
        if (!meta) { reject(new Error("calcbook: this page names no math.js")); return; }
        var script = document.createElement("script");
        script.src = meta.content;
        script.async = true;
        script.onload = function () { resolve(window.math); };
        script.onerror = function () {
          mathjs = null;
          reject(new Error("calcbook: could not load " + meta.content));
        };
        document.head.appendChild(script);
      });
    }
    return mathjs;
  }

  function init(doc) {
    Array.prototype.forEach.call(doc.querySelectorAll("form.calcbook-answer"), function (form) {
      var spec = JSON.parse(form.querySelector("script.calcbook-answer-spec").textContent);
      var input = form.querySelector("input");
      var out = form.querySelector(".calcbook-answer-verdict");
      var checks = 0;
      form.hidden = false;
      /* Start loading the parser as soon as the reader heads for a box. */
      input.addEventListener("focus", function () { loadMath().catch(function () {}); });
      form.addEventListener("submit", function (event) {
        event.preventDefault();
        var text = input.value;
        out.dataset.reason = "";
        out.textContent = "Checking\u2026";
        loadMath().then(function (math) {
          return check(spec, text, math);
        }, function () {
          return verdict(false, "The checker could not load; reload the page or open it in " +
            "Binder.", "error");
        }).then(function (v) {
          checks += 1;
          out.textContent = v.message;
          out.dataset.reason = v.reason;
          out.classList.toggle("calcbook-answer-right", v.correct);
          out.classList.toggle("calcbook-answer-wrong", !v.correct);
          form.dataset.checks = String(checks);
        });
      });
    });
  }

  return {check: check, judge: judge, diagnose: diagnose, formatG: formatG, init: init};
}));
