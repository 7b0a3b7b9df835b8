/* calcbook: the Taylor visualiser.
 *
 * A figure built with calcbook.figures.taylor_visualiser carries, in layout.meta.calcbook_taylor,
 * for each function its samples f(x) on a grid and, for each expansion point a of a small grid,
 * the coefficients f^(k)(a)/k! (k = 0..15) that SymPy computed exactly when the book was built.
 * Around such a figure this script adds the controls (function, order, expansion point,
 * tolerance) and a sentence that states the interval where |f - T_n| < tolerance, and redraws
 * the figure in the page, with no kernel: it only evaluates the shipped polynomials, by Horner's
 * rule, exactly as calcbook.figures.taylor.horner_values does, and finds the interval exactly as
 * calcbook.figures.taylor.tolerance_interval does. On pages without the visualiser it does
 * nothing.
 *
 * For tests and debugging, each figure exposes gd.calcbookTaylor (state(), set({...})). */
(function () {
  "use strict";

  var MINUS = "\u2212";
  var SUBSCRIPTS = "₀₁₂₃₄₅₆₇₈₉";
  var count = 0;

  function el(tag, attributes, text) {
    var node = document.createElement(tag);
    Object.keys(attributes || {}).forEach(function (name) {
      node.setAttribute(name, attributes[name]);
    });
    if (text != null) node.textContent = text;
    return node;
  }

  /* x with a fixed number of decimals and a true minus sign (Python's _text). */
  function fixed(value, digits) {
    var text = value.toFixed(digits);
    if (Number(text) === 0) text = text.replace("-", "");
    return text.replace("-", MINUS);
  }

  /* At most three decimals if that is exact, else three significant digits (Python's _short). */
  function short(value) {
    if (Number(value.toFixed(3)) === value) {
      return fixed(value, 6).replace(/0+$/, "").replace(/\.$/, "");
    }
    return value.toPrecision(3).replace("-", MINUS);
  }

  function orderName(n) {
    return "T" + String(n).split("").map(function (d) { return SUBSCRIPTS[Number(d)]; }).join("");
  }

  function tolText(tol) { return String(tol); }

  /* T_n(x) = sum c_k (x - a)^k by Horner's rule: the same operations, in the same order, as
   * calcbook.figures.taylor.horner_values. */
  function horner(c, a, x, n) {
    var t = x - a, p = c[n];
    for (var k = n - 1; k >= 0; k--) p = p * t + c[k];
    return p;
  }

  /* The run of sample points around index i0 where f is defined and |f - p| < tol. */
  function toleranceInterval(f, p, i0, tol) {
    function ok(i) { return f[i] !== null && Math.abs(f[i] - p[i]) < tol; }
    if (!ok(i0)) return null;
    var lo = i0, hi = i0;
    while (lo > 0 && ok(lo - 1)) lo--;
    while (hi < f.length - 1 && ok(hi + 1)) hi++;
    return [lo, hi];
  }

  function clipper(yRange) {
    var h = yRange[1] - yRange[0], lo = yRange[0] - h, hi = yRange[1] + h;
    return function (v) { return Math.min(Math.max(v, lo), hi); };
  }

  function setUp(gd) {
    var data = gd.layout && gd.layout.meta && gd.layout.meta.calcbook_taylor;
    if (!data || gd.dataset.calcbookTaylor || !window.Plotly) return;
    gd.dataset.calcbookTaylor = "ready";
    var id = "calcbook-taylor-" + ++count;
    var trace = {};
    gd.data.forEach(function (t, i) { if (t.meta != null) trace[String(t.meta)] = i; });
    var ids = data.functions.map(function (fn) { return fn.id; });

    var S = { fn: null, position: 0, order: 0, tolerance: 0, result: null };

    // ---- the controls
    var section = el("section", { class: "calcbook-taylor", "aria-label": "The Taylor visualiser" });
    var status = el("p", { class: "calcbook-taylor-status", role: "status", "aria-live": "polite" });
    var controls = el("div", { class: "calcbook-taylor-controls" });

    var fnSet = el("fieldset", { class: "calcbook-taylor-functions" });
    fnSet.appendChild(el("legend", {}, "Function f(x)"));
    var fnInputs = {};
    data.functions.forEach(function (fn) {
      var label = el("label", { class: "calcbook-taylor-choice" });
      var input = el("input", { type: "radio", name: id + "-function", value: fn.id });
      label.appendChild(input);
      label.appendChild(el("span", {}, fn.label));
      fnSet.appendChild(label);
      fnInputs[fn.id] = input;
    });
    controls.appendChild(fnSet);

    function sliderRow(name, text, max) {
      var row = el("div", { class: "calcbook-taylor-row" });
      row.appendChild(el("label", { for: id + "-" + name }, text));
      var input = el("input", { id: id + "-" + name, name: name, type: "range", min: "0",
                                max: String(max), step: "1" });
      var out = el("output", { for: id + "-" + name, class: "calcbook-taylor-value" });
      row.appendChild(input);
      row.appendChild(out);
      controls.appendChild(row);
      return [input, out];
    }
    var orderParts = sliderRow("order", "Order n", data.max_order);
    var orderInput = orderParts[0], orderOut = orderParts[1];
    var pointParts = sliderRow("point", "Expansion point a", 1);
    var pointInput = pointParts[0], pointOut = pointParts[1];

    var tolRow = el("div", { class: "calcbook-taylor-row" });
    tolRow.appendChild(el("label", { for: id + "-tolerance" }, "Tolerance"));
    var tolSelect = el("select", { id: id + "-tolerance", name: "tolerance" });
    data.tolerances.forEach(function (tol) {
      tolSelect.appendChild(el("option", { value: String(tol) }, tolText(tol)));
    });
    tolRow.appendChild(tolSelect);
    controls.appendChild(tolRow);

    var note = el("p", { class: "calcbook-taylor-note" },
      "The coefficients f⁽ᵏ⁾(a)/k! were computed exactly by SymPy " +
      "(calcbook.taylor.taylor_coefficients) when the book was built and stored rounded to " +
      data.coefficient_digits + " significant digits; this page only evaluates the " +
      "polynomials, by Horner’s rule.");

    // Plotly's HTML export wraps the figure in a <div>: that wrapper goes into the section.
    var wrapper = gd.parentElement || gd;
    wrapper.parentElement.insertBefore(section, wrapper);
    wrapper.classList.add("calcbook-taylor-figure");
    section.appendChild(wrapper);
    section.appendChild(status);
    section.appendChild(controls);
    section.appendChild(note);

    // ---- the state and the drawing

    function positionOf(fn, a) {
      var best = 0, gap = Infinity;
      fn.a_index.forEach(function (i, k) {
        var d = Math.abs(fn.x[i] - a);
        if (d < gap - 1e-12) { gap = d; best = k; }
      });
      return best;
    }

    function choose(fnId, a) {
      var index = ids.indexOf(fnId);
      if (index < 0) return;
      var fn = data.functions[index];
      // Keep the expansion point as near as the new function allows.
      S.position = positionOf(fn, a == null ? (S.fn ? S.fn.x[S.fn.a_index[S.position]] : 0) : a);
      S.fn = fn;
      fnInputs[fn.id].checked = true;
      pointInput.max = String(fn.a_index.length - 1);
      pointInput.value = String(S.position);
    }

    function render() {
      var fn = S.fn, k = S.position, n = S.order, tol = S.tolerance;
      var i0 = fn.a_index[k], a = fn.x[i0], c = fn.coefficients[k], x = fn.x, f = fn.f;
      var yRange = fn.y_range, clip = clipper(yRange);
      var p = x.map(function (xi) { return horner(c, a, xi, n); });
      var shown = p.map(clip);
      var fShown = f.map(function (v) { return v === null ? null : clip(v); });

      // The remainder: one closed polygon per run of points where f is defined.
      var rx = [], ry = [], run = [];
      for (var i = 0; i <= x.length; i++) {
        if (i < x.length && f[i] !== null) { run.push(i); continue; }
        if (run.length > 1) {
          if (rx.length) { rx.push(null); ry.push(null); }
          run.forEach(function (j) { rx.push(x[j]); ry.push(fShown[j]); });
          run.slice().reverse().forEach(function (j) { rx.push(x[j]); ry.push(shown[j]); });
        }
        run = [];
      }

      var found = toleranceInterval(f, p, i0, tol);
      var name = orderName(n);
      var copy = gd.data.map(function (t) { return Object.assign({}, t); });
      var band = copy[trace.interval];
      if (found) {
        var left = x[found[0]], right = x[found[1]];
        band.x = [left, right, right, left, left];
        band.y = [yRange[0], yRange[0], yRange[1], yRange[1], yRange[0]];
      } else {
        band.x = []; band.y = [];
      }
      band.name = "|f − " + name + "| < " + tolText(tol);
      var rem = copy[trace.remainder];
      rem.x = rx; rem.y = ry; rem.name = "remainder f − " + name;
      var fun = copy[trace["function"]];
      fun.x = x; fun.y = fShown; fun.name = "f(x) = " + fn.label;
      var poly = copy[trace.polynomial];
      poly.x = x; poly.y = shown; poly.name = name + "(x) about a = " + short(a);
      var ring = copy[trace.radius], radius = fn.radius[k];
      if (radius === null) {
        ring.x = []; ring.y = []; ring.visible = false; ring.name = "radius";
      } else {
        ring.x = [a - radius, a - radius, null, a + radius, a + radius];
        ring.y = [yRange[0], yRange[1], null, yRange[0], yRange[1]];
        ring.visible = true;
        ring.name = "radius of convergence R = " + short(radius);
      }
      var point = copy[trace.point];
      point.x = [a]; point.y = [f[i0]];

      var layout = Object.assign({}, gd.layout);
      layout.xaxis = Object.assign({}, gd.layout.xaxis, { range: [x[0], x[x.length - 1]] });
      layout.yaxis = Object.assign({}, gd.layout.yaxis, { range: yRange.slice() });
      layout.datarevision = (layout.datarevision || 0) + 1;

      // The sentence that states the interval, in numbers.
      var text = name + " of " + fn.label + " about a = " + short(a) + ": ";
      if (!found) {
        text += "|f(x) − " + name + "(x)| is not below " + tolText(tol) + " even at a.";
      } else {
        var step = Math.round((x[1] - x[0]) * 1e6) / 1e6, digits = fn.decimals;
        text += "|f(x) − " + name + "(x)| < " + tolText(tol) + " for " +
          fixed(x[found[0]], digits) + " ≤ x ≤ " + fixed(x[found[1]], digits);
        var edges = [];
        if (found[0] === 0) edges.push("left");
        if (found[1] === x.length - 1) edges.push("right");
        if (edges.length) text += " (to the " + edges.join(" and ") + " edge of the window)";
        text += ", checked at the plotted points, " + short(step) + " apart.";
      }
      text += radius === null
        ? " The series converges for every x."
        : " The series converges for |x − a| < R = " + short(radius) + ".";
      S.result = {
        interval: found ? [x[found[0]], x[found[1]]] : null,
        indices: found, a: a, text: text
      };

      orderOut.textContent = "n = " + n;
      orderInput.setAttribute("aria-valuetext", "order " + n);
      pointOut.textContent = "a = " + short(a);
      pointInput.setAttribute("aria-valuetext", "a = " + short(a));
      if (status.textContent !== text) status.textContent = text;
      return window.Plotly.react(gd, copy, layout);
    }

    function readControls() {
      S.order = Number(orderInput.value);
      S.position = Number(pointInput.value);
      S.tolerance = Number(tolSelect.value);
    }

    // ---- events (native controls: mouse, touch and keyboard alike)

    Object.keys(fnInputs).forEach(function (fnId) {
      fnInputs[fnId].addEventListener("change", function () {
        if (!fnInputs[fnId].checked) return;
        choose(fnId);
        readControls();
        render();
      });
    });
    [orderInput, pointInput].forEach(function (input) {
      input.addEventListener("input", function () { readControls(); render(); });
    });
    tolSelect.addEventListener("change", function () { readControls(); render(); });

    // ---- the test and debugging hook

    gd.calcbookTaylor = {
      state: function () {
        return JSON.parse(JSON.stringify({
          function: S.fn.id, order: S.order, position: S.position, a: S.result.a,
          tolerance: S.tolerance, interval: S.result.interval, indices: S.result.indices,
          text: S.result.text
        }));
      },
      set: function (options) {
        if (options.function != null) choose(options.function, options.a);
        else if (options.a != null) choose(S.fn.id, options.a);
        if (options.order != null) orderInput.value = String(options.order);
        if (options.tolerance != null) tolSelect.value = String(options.tolerance);
        readControls();
        render();
        return this.state();
      }
    };

    // The state the figure was built in.
    var start = data.start;
    choose(start.function, start.a);
    orderInput.value = String(start.order);
    tolSelect.value = String(start.tolerance);
    readControls();
    render();
    gd.dataset.calcbookTaylorReady = "true";
  }

  // calcbook.js draws the figures, lazily, and calls setUp on each as it is drawn.
  window.calcbook.onFigure(setUp);
})();
