/* calcbook: draw the book's figures, lazily, over their static twins.
 *
 * At build time each Plotly figure became a box (div.calcbook-figure) holding its static twins
 * (still images of its first state, light and dark, wide and narrow), an empty graph div and
 * the figure's JSON. The twin shows at once. When a figure comes within a screen's height of
 * the viewport, this loads the site's one plotly.js (its URL is in <meta name="calcbook-plotly">)
 * if it is not loaded yet, draws the figure into its box, gives it its narrow layout on a
 * narrow screen, tells the scripts that build on figures (calcbook.onFigure) and only then hides
 * the twin. Figures are drawn one at a time, yielding to the browser in between, so no single
 * task holds the page for long. Without JavaScript, and in print, the twins stay. */
(function () {
  "use strict";

  var calcbook = (window.calcbook = window.calcbook || {});
  var drawn = [];
  var listeners = [];
  var plotly = null;
  var queue = Promise.resolve();

  /* Call fn(gd) for every figure drawn so far and for each one drawn from now on. */
  calcbook.onFigure = function (fn) {
    drawn.forEach(function (gd) { fn(gd); });
    listeners.push(fn);
  };

  function loadPlotly() {
    if (!plotly) {
      plotly = new Promise(function (resolve, reject) {
        if (window.Plotly) { resolve(window.Plotly); return; }
        var meta = document.querySelector('meta[name="calcbook-plotly"]');
        if (!meta) { reject(new Error("calcbook: this page names no plotly.js")); return; }
        var script = document.createElement("script");
        script.src = meta.content;
        script.async = true;
        script.onload = function () { resolve(window.Plotly); };
        script.onerror = function () { reject(new Error("calcbook: could not load " + meta.content)); };
        document.head.appendChild(script);
      });
    }
    return plotly;
  }

  function nextFrame() {
    return new Promise(function (resolve) { setTimeout(resolve, 0); });
  }

  function draw(box) {
    if (box.dataset.calcbookState) return;
    box.dataset.calcbookState = "loading";
    queue = queue.then(loadPlotly).then(nextFrame).then(function () {
      var gd = box.querySelector(".plotly-graph-div");
      var spec = JSON.parse(box.querySelector("script.calcbook-figure-data").textContent);
      return window.Plotly.newPlot(gd, spec.data, spec.layout, spec.config).then(function () {
        return spec.frames ? window.Plotly.addFrames(gd, spec.frames) : null;
      }).then(function () {
        return calcbook.fitLayout(gd);
      }).then(function () {
        drawn.push(gd);
        listeners.forEach(function (fn) { fn(gd); });
        box.dataset.calcbookState = "live";
        box.classList.add("is-live");
      });
    }).catch(function (error) {
      box.dataset.calcbookState = "failed";
      console.error(error);
    });
  }

  function start() {
    var boxes = document.querySelectorAll(".calcbook-figure");
    if (!boxes.length) return;
    if (!("IntersectionObserver" in window)) { boxes.forEach(draw); return; }
    var observer = new IntersectionObserver(function (entries) {
      entries.forEach(function (entry) {
        if (!entry.isIntersecting) return;
        observer.unobserve(entry.target);
        draw(entry.target);
      });
    }, { rootMargin: "100% 0px" });
    boxes.forEach(function (box) { observer.observe(box); });
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();

/* calcbook: give Plotly figures their narrow-screen layout on small screens.
 *
 * A figure built with calcbook.figures.narrow_layout carries, in layout.meta.calcbook, two sets
 * of layout values computed in Python: "wide" (as drawn) and "narrow" (e.g. panels stacked
 * instead of side by side). When the figure is narrower than the breakpoint, the narrow set is
 * applied with Plotly.relayout; when it grows again, the wide set. No kernel is involved. */
(function () {
  "use strict";

  function fit(gd) {
    var spec = gd.layout && gd.layout.meta && gd.layout.meta.calcbook;
    if (!spec || !window.Plotly) return Promise.resolve();
    var want = gd.clientWidth < spec.breakpoint ? "narrow" : "wide";
    var have = gd.dataset.calcbookLayout || "wide"; // every figure is drawn wide first
    gd.dataset.calcbookLayout = want;
    if (want === have) return Promise.resolve();
    // Plotly's HTML export wraps the figure in a <div> of fixed height: follow the layout.
    if (spec[want].height && gd.parentElement) {
      gd.parentElement.style.height = spec[want].height + "px";
    }
    return window.Plotly.relayout(gd, spec[want]);
  }

  function fitAll() {
    document.querySelectorAll(".js-plotly-plot").forEach(fit);
  }

  // Each figure is fitted as it is drawn (calcbook.js draws figures lazily, above).
  (window.calcbook = window.calcbook || {}).fitLayout = fit;
  var timer = null;
  window.addEventListener("resize", function () {
    clearTimeout(timer);
    timer = setTimeout(fitAll, 150);
  });
})();

/* calcbook: the matching game of functions and derivatives.
 *
 * A figure built with calcbook.figures.derivative_matching carries its answer key in
 * layout.meta.calcbook_match ({"A": 3, ...}: panel A's derivative is panel 3) and the name of
 * each trace's panel in trace.meta. Under such a figure this adds a form: for each function a
 * <select> of the derivative panels, a Check button and a live region that says which pairs are
 * right. Clicking (or tapping) a function's panel and then a derivative's panel pairs them too.
 * Everything runs in the page: no kernel. */
(function () {
  "use strict";

  var count = 0;

  function el(tag, attributes, text) {
    var node = document.createElement(tag);
    Object.keys(attributes || {}).forEach(function (name) {
      node.setAttribute(name, attributes[name]);
    });
    if (text) node.textContent = text;
    return node;
  }

  function listing(names) {
    if (names.length < 2) return names.join("");
    return names.slice(0, -1).join(", ") + " and " + names[names.length - 1];
  }

  function setUp(gd) {
    var key = gd.layout && gd.layout.meta && gd.layout.meta.calcbook_match;
    if (!key || gd.dataset.calcbookMatch || !window.Plotly) return;
    gd.dataset.calcbookMatch = "ready";
    var id = "calcbook-match-" + ++count;
    var letters = Object.keys(key).sort();
    var numbers = letters.map(function (_, i) { return String(i + 1); });
    var range = function (names) { return names[0] + "–" + names[names.length - 1]; };

    // Which panel each subplot shows ("x3y3" → "C"), and each panel's title annotation.
    var panelOf = {};
    gd.data.forEach(function (trace) {
      if (trace.meta != null) panelOf[(trace.xaxis || "x") + (trace.yaxis || "y")] = String(trace.meta);
    });
    var titleIndex = {};
    (gd.layout.annotations || []).forEach(function (annotation, i) {
      titleIndex[annotation.text] = i;
    });

    var form = el("form", { class: "calcbook-match", novalidate: "" });
    var fieldset = el("fieldset");
    fieldset.appendChild(el("legend", {},
      "Match each function (" + range(letters) + ") to its derivative (" + range(numbers) + ")"));
    var selects = {};
    var rows = {};
    letters.forEach(function (letter) {
      var row = el("div", { class: "calcbook-match-row" });
      var selectId = id + "-" + letter;
      row.appendChild(el("label", { for: selectId }, "Function " + letter + "’s derivative is"));
      var select = el("select", { id: selectId, name: letter });
      select.appendChild(el("option", { value: "" }, "choose…"));
      numbers.forEach(function (number) {
        select.appendChild(el("option", { value: number }, "panel " + number));
      });
      row.appendChild(select);
      row.appendChild(el("span", { class: "calcbook-match-mark", "aria-hidden": "true" }));
      fieldset.appendChild(row);
      selects[letter] = select;
      rows[letter] = row;
    });
    form.appendChild(fieldset);
    var buttons = el("div", { class: "calcbook-match-buttons" });
    buttons.appendChild(el("button", { type: "submit", class: "calcbook-match-check" }, "Check"));
    buttons.appendChild(el("button", { type: "reset", class: "calcbook-match-reset" }, "Start again"));
    form.appendChild(buttons);
    form.appendChild(el("p", { class: "calcbook-match-hint" },
      "With a mouse or a finger: click a function’s panel (" + range(letters) +
      "), then its derivative’s panel (" + range(numbers) + ")."));
    var status = el("p", { class: "calcbook-match-status", role: "status", "aria-live": "polite" });
    form.appendChild(status);
    // After the <div> that Plotly's HTML export wraps around the figure.
    (gd.parentElement || gd).insertAdjacentElement("afterend", form);

    function showPairs(pending) {
      var update = {};
      letters.forEach(function (letter) {
        if (!(letter in titleIndex)) return;
        var text = letter;
        if (letter === pending) text = letter + " → ?";
        else if (selects[letter].value) text = letter + " → " + selects[letter].value;
        update["annotations[" + titleIndex[letter] + "].text"] = text;
      });
      window.Plotly.relayout(gd, update);
    }

    function clearMark(letter) {
      rows[letter].classList.remove("is-right", "is-wrong");
      rows[letter].querySelector(".calcbook-match-mark").textContent = "";
      selects[letter].removeAttribute("aria-invalid");
    }

    var pending = null;
    letters.forEach(function (letter) {
      selects[letter].addEventListener("change", function () {
        clearMark(letter);
        pending = null;
        showPairs(null);
      });
    });

    form.addEventListener("submit", function (event) {
      event.preventDefault();
      var right = [], wrong = [], open = [];
      letters.forEach(function (letter) {
        var row = rows[letter], value = selects[letter].value;
        clearMark(letter);
        if (!value) { open.push(letter); return; }
        var ok = Number(value) === Number(key[letter]);
        (ok ? right : wrong).push(letter);
        row.classList.add(ok ? "is-right" : "is-wrong");
        row.querySelector(".calcbook-match-mark").textContent = ok ? "✓ right" : "✗ not this one";
        if (!ok) selects[letter].setAttribute("aria-invalid", "true");
      });
      var message;
      if (right.length === letters.length) {
        message = "All " + letters.length + " pairs are right. Well done!";
      } else {
        message = right.length + " of " + letters.length + " right.";
        if (wrong.length) message += " Not yet right: " + listing(wrong) + ".";
        if (open.length) message += " Still to choose: " + listing(open) + ".";
      }
      status.textContent = message;
    });

    form.addEventListener("reset", function () {
      window.setTimeout(function () { // after the browser has reset the selects
        letters.forEach(clearMark);
        pending = null;
        status.textContent = "";
        showPairs(null);
      }, 0);
    });

    // Click-to-pair: a click anywhere in a panel counts, not only on its curve.
    gd.addEventListener("click", function (event) {
      var target = event.target.closest && event.target.closest("[data-subplot]");
      var panel = target && panelOf[target.getAttribute("data-subplot")];
      if (!panel) return;
      if (letters.indexOf(panel) >= 0) {
        pending = pending === panel ? null : panel;
        status.textContent = pending
          ? "Function " + panel + " chosen: now click its derivative (" + range(numbers) + ")."
          : "Function " + panel + " no longer chosen.";
      } else if (pending) {
        selects[pending].value = panel;
        clearMark(pending);
        status.textContent = "Function " + pending + " paired with derivative " + panel + ".";
        pending = null;
      } else {
        status.textContent = "First click a function (" + range(letters) + "), then its derivative.";
      }
      showPairs(pending);
    });
  }

  window.calcbook.onFigure(setUp);
})();

/* calcbook: name the theme's collapse toggles in the navigation for screen readers.
 * The sidebar wraps a chapter's sections in <details>; its <summary> holds only a chevron icon,
 * so a screen reader announces an unnamed control. Name it after the chapter it opens. */
(function () {
  "use strict";
  function nameToggles() {
    document.querySelectorAll("nav details > summary").forEach(function (summary) {
      if (summary.textContent.trim() || summary.hasAttribute("aria-label")) return;
      var link = summary.parentElement.parentElement.querySelector("a");
      var chapter = link ? link.textContent.trim() : "this chapter";
      summary.setAttribute("aria-label", "Show or hide the sections of " + chapter);
    });
  }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", nameToggles);
  } else {
    nameToggles();
  }
})();
