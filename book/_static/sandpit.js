/* calcbook: the Sandpit, a game of finding the deepest point of a hidden depth map.
 *
 * A figure built with calcbook.figures.sandpit_game carries the whole game in
 * layout.meta.calcbook_sandpit (calcbook.sandpit.game_spec(): levels as sums of terms, step
 * rules, limits). Around such a figure this script adds the controls, a dip counter, a depth
 * log and a live region, and plays the game in the page (no kernel): it evaluates each level's
 * value, gradient and Hessian from the terms, draws random levels with mulberry32, and finds
 * local minima with the same descent as Python. On pages without the game it does nothing.
 *
 * For tests and debugging, each board exposes gd.calcbookSandpit (state(), level(), f(x, y),
 * grad(x, y), hess(x, y), minima(), descend(x, y), dip(x, y), reveal(), newGame(), set({...}),
 * toClient(x, y)). */
(function () {
  "use strict";

  var MINUS = "\u2212";
  var RULE_NAMES = {
    none: "None: I choose every dip",
    fixed: "Fixed step",
    steepest: "Steepest descent −γ∇f",
    newton: "Newton −H⁻¹∇f",
    hybrid: "Hybrid (Newton, else steepest)"
  };
  var RULE_SHORT = {
    fixed: "Fixed step", steepest: "Steepest descent", newton: "Newton", hybrid: "Hybrid"
  };
  var RULE_TAG = { fixed: "fixed step", steepest: "steepest", newton: "Newton", hybrid: "hybrid" };
  var REVEAL_GRID = 81;
  var ANIMATION_MS = 180;

  // ---------------------------------------------------------------- numbers as text

  function num(value, digits) {
    var text = value.toFixed(digits);
    if (Number(text) === 0) text = text.replace("-", "");
    return text.replace("-", MINUS);
  }
  function where(p) { return "(" + num(p[0], 2) + ", " + num(p[1], 2) + ")"; }
  function cm(depth) { return num(depth, 1) + " cm"; }

  // ---------------------------------------------------------------- the mathematics

  /* The standard mulberry32 generator (Contract 3; Python's calcbook.sandpit.mulberry32). */
  function mulberry32(a) {
    return function () {
      a |= 0; a = a + 0x6D2B79F5 | 0;
      var t = Math.imul(a ^ a >>> 15, 1 | a);
      t = t + Math.imul(t ^ t >>> 7, 61 | t) ^ t;
      return ((t ^ t >>> 14) >>> 0) / 4294967296;
    };
  }

  /* The terms of the random level drawn from `seed`, in the contract's order. */
  function randomTerms(recipe, seed) {
    var u = mulberry32(seed);
    function draw(range) { return range[0] + (range[1] - range[0]) * u(); }
    var cx = draw(recipe.bowl_center), cy = draw(recipe.bowl_center);
    var a = draw(recipe.bowl_curvature);
    var terms = [{ type: "quadratic", center: [cx, cy], matrix: [[a, 0], [0, a]],
                   offset: recipe.bowl_offset }];
    for (var i = 0; i < recipe.bumps; i++) {
      var bx = draw(recipe.bump_center), by = draw(recipe.bump_center);
      var width = draw(recipe.bump_width);
      terms.push({ type: "gaussian", center: [bx, by], width: width,
                   amplitude: draw(recipe.bump_amplitude) });
    }
    return terms;
  }

  /* f, its gradient and its Hessian at (x, y): the sums over the terms, in order. */
  function valueAt(terms, x, y) {
    var f = 0;
    for (var i = 0; i < terms.length; i++) {
      var t = terms[i];
      if (t.type === "quadratic") {
        var dx = x - t.center[0], dy = y - t.center[1], A = t.matrix;
        f += 0.5 * (dx * (A[0][0] * dx + A[0][1] * dy) + dy * (A[1][0] * dx + A[1][1] * dy)) +
          t.offset;
      } else if (t.type === "gaussian") {
        var gx = x - t.center[0], gy = y - t.center[1];
        f += t.amplitude * Math.exp(-(gx * gx + gy * gy) / (2 * t.width * t.width));
      } else if (t.type === "cosine") {
        f += t.amplitude * Math.cos(x * t.wavevector[0] + y * t.wavevector[1] + t.phase);
      }
    }
    return f;
  }

  function gradientAt(terms, x, y) {
    var g0 = 0, g1 = 0;
    for (var i = 0; i < terms.length; i++) {
      var t = terms[i];
      if (t.type === "quadratic") {
        var dx = x - t.center[0], dy = y - t.center[1], A = t.matrix;
        g0 += dx * A[0][0] + dy * A[1][0];
        g1 += dx * A[0][1] + dy * A[1][1];
      } else if (t.type === "gaussian") {
        var ex = x - t.center[0], ey = y - t.center[1], s2 = t.width * t.width;
        var v = t.amplitude * Math.exp(-(ex * ex + ey * ey) / (2 * s2));
        g0 += -v * ex / s2;
        g1 += -v * ey / s2;
      } else if (t.type === "cosine") {
        var k = t.wavevector;
        var s = -t.amplitude * Math.sin(x * k[0] + y * k[1] + t.phase);
        g0 += s * k[0];
        g1 += s * k[1];
      }
    }
    return [g0, g1];
  }

  function hessianAt(terms, x, y) {
    var h00 = 0, h01 = 0, h11 = 0;
    for (var i = 0; i < terms.length; i++) {
      var t = terms[i];
      if (t.type === "quadratic") {
        h00 += t.matrix[0][0]; h01 += t.matrix[0][1]; h11 += t.matrix[1][1];
      } else if (t.type === "gaussian") {
        var ex = x - t.center[0], ey = y - t.center[1], s2 = t.width * t.width;
        var v = t.amplitude * Math.exp(-(ex * ex + ey * ey) / (2 * s2));
        var s4 = s2 * s2;
        h00 += v * (ex * ex / s4 - 1 / s2);
        h01 += v * (ex * ey / s4);
        h11 += v * (ey * ey / s4 - 1 / s2);
      } else if (t.type === "cosine") {
        var k = t.wavevector;
        var c = -t.amplitude * Math.cos(x * k[0] + y * k[1] + t.phase);
        h00 += c * (k[0] * k[0]); h01 += c * (k[0] * k[1]); h11 += c * (k[1] * k[1]);
      }
    }
    return [[h00, h01], [h01, h11]];
  }

  function clip1(v) { return Math.min(1, Math.max(-1, v)); }
  function clip(p) { return [clip1(p[0]), clip1(p[1])]; }
  function norm(v) { return Math.hypot(v[0], v[1]); }
  function distance(p, q) { return Math.hypot(p[0] - q[0], p[1] - q[1]); }

  /* Slide downhill from p to the bottom of its hollow (Contract 3, as calcbook.sandpit.descend). */
  function descend(level, start) {
    var p = clip(start);
    for (var it = 0; it < 500; it++) {
      var g = level.grad(p[0], p[1]), n = Math.sqrt(g[0] * g[0] + g[1] * g[1]);
      if (n <= 1e-8) break;
      var dir = [-g[0] / n, -g[1] / n], t = 0.25, f0 = level.f(p[0], p[1]);
      while (t > 1e-10) {
        var trial = clip([p[0] + t * dir[0], p[1] + t * dir[1]]);
        if (level.f(trial[0], trial[1]) > f0 - 1e-4 * t * n) t /= 2;
        else break;
      }
      if (t <= 1e-10) break;
      p = clip([p[0] + t * dir[0], p[1] + t * dir[1]]);
    }
    return p;
  }

  /* Every local minimum, deepest first, as [x, y, f]: grid points no higher than their
   * neighbours, each followed down by descend, ends closer than 1e-3 merged (the lower kept). */
  function localMinima(level, grid) {
    var n = grid + 1, axis = [], values = [], i, j;
    for (i = 0; i < n; i++) axis.push(i === grid ? 1 : -1 + i * (2 / grid));
    for (i = 0; i < n; i++) {
      var row = new Float64Array(n);
      for (j = 0; j < n; j++) row[j] = level.f(axis[i], axis[j]);
      values.push(row);
    }
    var ends = [];
    for (i = 0; i < n; i++) {
      for (j = 0; j < n; j++) {
        var v = values[i][j], lowest = true;
        for (var di = -1; di <= 1 && lowest; di++) {
          for (var dj = -1; dj <= 1; dj++) {
            var a = i + di, b = j + dj;
            if ((di || dj) && a >= 0 && b >= 0 && a < n && b < n && v > values[a][b]) {
              lowest = false; break;
            }
          }
        }
        if (lowest) {
          var end = descend(level, [axis[i], axis[j]]);
          ends.push([end[0], end[1], level.f(end[0], end[1])]);
        }
      }
    }
    ends = ends.map(function (e, k) { return [e, k]; })
      .sort(function (p, q) { return p[0][2] - q[0][2] || p[1] - q[1]; })
      .map(function (pair) { return pair[0]; });
    var kept = [];
    ends.forEach(function (e) {
      if (kept.every(function (q) { return distance(e, q) >= 1e-3; })) kept.push(e);
    });
    return kept;
  }

  /* A level of the spec as an object with f, grad and hess; a random level from its seed. */
  function makeLevel(spec, entry, seed) {
    var level = { id: entry.id, title: entry.title, blurb: entry.blurb, seed: null };
    if (entry.random) {
      level.seed = seed == null ? entry.random.seed : seed;
      level.terms = randomTerms(entry.random, level.seed);
      level.title = entry.title + " #" + level.seed;
    } else {
      level.terms = entry.terms;
    }
    level.f = function (x, y) { return valueAt(level.terms, x, y); };
    level.grad = function (x, y) { return gradientAt(level.terms, x, y); };
    level.hess = function (x, y) { return hessianAt(level.terms, x, y); };
    if (entry.random) {
      level.localMinima = localMinima(level, spec.grid);
    } else {
      level.localMinima = entry.local_minima;
    }
    level.minimum = level.localMinima[0].slice(0, 2);
    level.minValue = level.localMinima[0][2];
    if (!entry.random) {
      level.minimum = entry.minimum.slice();
      level.minValue = entry.min_value;
    }
    return level;
  }

  /* -H⁻¹g by the 2 x 2 inverse, or null when |det H| < 1e-12 (as calcbook.sandpit). */
  function newtonStep(g, H) {
    var a = H[0][0], b = H[0][1], c = H[1][0], d = H[1][1];
    var det = a * d - b * c;
    if (Math.abs(det) < 1e-12) return null;
    return [-(d * g[0] - b * g[1]) / det, -(-c * g[0] + a * g[1]) / det];
  }

  /* The next step of a rule at p: {step: [sx, sy]} or {stop: "why"}. */
  function ruleStep(rule, rules, gamma, level, p) {
    var g = level.grad(p[0], p[1]);
    if (rule === "fixed") {
      var n = Math.hypot(g[0], g[1]), length = rules.fixed.length;
      if (n === 0) return { stop: "the gradient is zero" };
      return { step: [-length * g[0] / n, -length * g[1] / n] };
    }
    if (rule === "steepest") return { step: [-gamma * g[0], -gamma * g[1]] };
    var H = level.hess(p[0], p[1]);
    if (rule === "newton") {
      var s = newtonStep(g, H);
      return s ? { step: s } : { stop: "Hessian singular" };
    }
    // hybrid
    var hy = rules.hybrid;
    if (H[0][0] * H[1][1] - H[0][1] * H[1][0] > 0 && H[0][0] > 0) {
      var sn = newtonStep(g, H);
      if (sn && Math.hypot(sn[0], sn[1]) <= hy.max_step) return { step: sn, newton: true };
    }
    var st = [-hy.gamma * g[0], -hy.gamma * g[1]], len = Math.hypot(st[0], st[1]);
    if (len > hy.max_step) st = [st[0] * (hy.max_step / len), st[1] * (hy.max_step / len)];
    return { step: st, newton: false };
  }

  // ---------------------------------------------------------------- drawing helpers

  /* Shaft and two-stroke head of an arrow from p along v, as NaN-separated polyline points. The
   * head's strokes are `head` long (on an arrow shorter than twice that, half its length). */
  function arrowPoints(xs, ys, p, v, head) {
    var len = Math.hypot(v[0], v[1]);
    if (!(len > 1e-9)) return;
    var tip = [p[0] + v[0], p[1] + v[1]];
    xs.push(p[0], tip[0], NaN); ys.push(p[1], tip[1], NaN);
    var h = Math.min(head, 0.5 * len), back = [-v[0] / len * h, -v[1] / len * h];
    var c = Math.cos(0.45), s = Math.sin(0.45);
    xs.push(tip[0], tip[0] + back[0] * c - back[1] * s, NaN,
            tip[0], tip[0] + back[0] * c + back[1] * s, NaN);
    ys.push(tip[1], tip[1] + back[0] * s + back[1] * c, NaN,
            tip[1], tip[1] - back[0] * s + back[1] * c, NaN);
  }

  /* A step of a strategy from p to q: the segment, with a head halfway showing its direction. */
  function pathPoints(xs, ys, p, q) {
    var v = [q[0] - p[0], q[1] - p[1]], len = Math.hypot(v[0], v[1]);
    xs.push(p[0], q[0], NaN); ys.push(p[1], q[1], NaN);
    if (len < 0.03) return;
    var mid = [p[0] + 0.55 * v[0], p[1] + 0.55 * v[1]];
    var h = Math.min(0.04, 0.3 * len), back = [-v[0] / len * h, -v[1] / len * h];
    var c = Math.cos(0.5), s = Math.sin(0.5);
    xs.push(mid[0], mid[0] + back[0] * c - back[1] * s, NaN,
            mid[0], mid[0] + back[0] * c + back[1] * s, NaN);
    ys.push(mid[1], mid[1] + back[0] * s + back[1] * c, NaN,
            mid[1], mid[1] - back[0] * s + back[1] * c, NaN);
  }

  function circlePoints(center, radius) {
    var xs = [], ys = [];
    for (var k = 0; k <= 72; k++) {
      var a = 2 * Math.PI * k / 72;
      xs.push(center[0] + radius * Math.cos(a)); ys.push(center[1] + radius * Math.sin(a));
    }
    return [xs, ys];
  }

  function el(tag, attributes, text) {
    var node = document.createElement(tag);
    Object.keys(attributes || {}).forEach(function (name) {
      node.setAttribute(name, attributes[name]);
    });
    if (text != null) node.textContent = text;
    return node;
  }

  var count = 0;

  // ---------------------------------------------------------------- one board

  function setUp(gd) {
    var spec = gd.layout && gd.layout.meta && gd.layout.meta.calcbook_sandpit;
    if (!spec || gd.dataset.calcbookSandpit || !window.Plotly) return;
    gd.dataset.calcbookSandpit = "ready";
    var id = "calcbook-sandpit-" + ++count;
    // Asked at each dip, so that a reader who changes the setting need not reload the page.
    function reduceMotion() {
      return Boolean(window.matchMedia &&
        window.matchMedia("(prefers-reduced-motion: reduce)").matches);
    }

    var trace = {};
    gd.data.forEach(function (t, i) { if (t.meta != null) trace[String(t.meta)] = i; });
    var ids = spec.levels.map(function (entry) { return entry.id; });
    var startLevel = gd.layout.meta.calcbook_sandpit_level;
    var steep = spec.rules.steepest;

    var G = {
      levelIndex: Math.max(0, ids.indexOf(startLevel)),
      level: null, seed: null, mode: "arrow", rule: "none", gamma: steep.gamma,
      dips: [], over: null, revealed: false, stuck: null, message: "", shown: 0,
      busy: false, cursor: [0, 0], cursorShown: false
    };

    // ---- the controls, the board and the side panel
    var section = el("section", { class: "calcbook-sandpit", "aria-label": "The Sandpit game" });
    var controls = el("div", { class: "calcbook-sandpit-controls" });

    var levelRow = el("div", { class: "calcbook-sandpit-row" });
    levelRow.appendChild(el("label", { for: id + "-level" }, "Level"));
    var levelSelect = el("select", { id: id + "-level", name: "level" });
    spec.levels.forEach(function (entry, i) {
      levelSelect.appendChild(el("option", { value: entry.id }, (i + 1) + ". " + entry.title));
    });
    levelRow.appendChild(levelSelect);
    var seedBox = el("span", { class: "calcbook-sandpit-seed" });
    seedBox.appendChild(el("label", { for: id + "-seed" }, "Seed"));
    var seedInput = el("input", { id: id + "-seed", name: "seed", type: "number", min: "0",
                                  max: "4294967295", step: "1", inputmode: "numeric" });
    seedBox.appendChild(seedInput);
    var newMap = el("button", { type: "button", class: "calcbook-sandpit-newmap" }, "New map");
    seedBox.appendChild(newMap);
    levelRow.appendChild(seedBox);
    controls.appendChild(levelRow);

    var modeSet = el("fieldset", { class: "calcbook-sandpit-row calcbook-sandpit-mode" });
    modeSet.appendChild(el("legend", {}, "The stick shows"));
    var modeInputs = {};
    [["arrow", "depth and downhill arrow"], ["depth", "depth only"]].forEach(function (m) {
      var label = el("label", { class: "calcbook-sandpit-radio" });
      var input = el("input", { type: "radio", name: id + "-mode", value: m[0] });
      if (m[0] === G.mode) input.checked = true;
      label.appendChild(input);
      label.appendChild(document.createTextNode(" " + m[1]));
      modeSet.appendChild(label);
      modeInputs[m[0]] = input;
    });
    controls.appendChild(modeSet);

    var ruleRow = el("div", { class: "calcbook-sandpit-row" });
    ruleRow.appendChild(el("label", { for: id + "-rule" }, "Strategy"));
    var ruleSelect = el("select", { id: id + "-rule", name: "rule" });
    ["none", "fixed", "steepest", "newton", "hybrid"].forEach(function (rule) {
      ruleSelect.appendChild(el("option", { value: rule }, RULE_NAMES[rule]));
    });
    ruleRow.appendChild(ruleSelect);
    var gammaBox = el("span", { class: "calcbook-sandpit-gamma" });
    gammaBox.appendChild(el("label", { for: id + "-gamma" }, "γ"));
    // A logarithmic slider: position k of 100 stands for lo·(hi/lo)^(k/100).
    var lo = steep.gamma_range[0], hi = steep.gamma_range[1];
    var gammaInput = el("input", { id: id + "-gamma", name: "gamma", type: "range", min: "0",
                                   max: "100", step: "1" });
    var initialGammaPosition =
      String(Math.round(100 * Math.log(G.gamma / lo) / Math.log(hi / lo)));
    gammaInput.value = initialGammaPosition;
    var gammaOut = el("output", { for: id + "-gamma", class: "calcbook-sandpit-gamma-value" });
    gammaBox.appendChild(gammaInput);
    gammaBox.appendChild(gammaOut);
    ruleRow.appendChild(gammaBox);
    controls.appendChild(ruleRow);

    var buttons = el("div", { class: "calcbook-sandpit-row calcbook-sandpit-buttons" });
    var revealButton = el("button", { type: "button", class: "calcbook-sandpit-reveal" },
                          "Reveal");
    var newGameButton = el("button", { type: "button", class: "calcbook-sandpit-newgame" },
                           "New game");
    buttons.appendChild(revealButton);
    buttons.appendChild(newGameButton);
    controls.appendChild(buttons);
    section.appendChild(controls);

    var blurb = el("p", { class: "calcbook-sandpit-blurb" });
    section.appendChild(blurb);

    var play = el("div", { class: "calcbook-sandpit-play" });
    var side = el("div", { class: "calcbook-sandpit-side" });
    var counter = el("p", { class: "calcbook-sandpit-counter" });
    var best = el("p", { class: "calcbook-sandpit-best" });
    var status = el("p", { class: "calcbook-sandpit-status", role: "status",
                           "aria-live": "polite" });
    var cursorNote = el("p", { class: "calcbook-sandpit-cursor", "aria-live": "polite" });
    side.appendChild(counter);
    side.appendChild(best);
    side.appendChild(status);
    side.appendChild(el("p", { class: "calcbook-sandpit-loghead", id: id + "-loghead" },
                        "Depth log"));
    var logBox = el("div", { class: "calcbook-sandpit-logbox", tabindex: "0", role: "region",
                             "aria-labelledby": id + "-loghead" });
    var log = el("ol", { class: "calcbook-sandpit-log" });
    logBox.appendChild(log);
    side.appendChild(logBox);
    side.appendChild(cursorNote);

    // Plotly's HTML export wraps the figure in a <div>: that wrapper becomes the board.
    var wrapper = gd.parentElement || gd;
    wrapper.parentElement.insertBefore(section, wrapper);
    wrapper.classList.add("calcbook-sandpit-board");
    wrapper.style.height = ""; // the export fixes it to the figure's first height
    play.appendChild(wrapper);
    play.appendChild(side);
    section.appendChild(play);
    section.appendChild(el("p", { class: "calcbook-sandpit-hint" },
      "Click or tap the sand to dip the stick there. With the keyboard: Tab to the pit, move " +
      "the cursor with the arrow keys (with Shift in bigger steps) and dip with Enter or Space."));

    gd.setAttribute("tabindex", "0");
    gd.setAttribute("role", "application");
    gd.setAttribute("aria-roledescription", "sandpit");
    gd.setAttribute("aria-label",
      "The pit, 2 metres across, seen from above. Arrow keys move the cursor, with Shift in " +
      "bigger steps; Enter or Space dips the stick at the cursor.");

    // ---- the game

    function setLevel(index, seed) {
      G.levelIndex = index;
      var entry = spec.levels[index];
      G.level = makeLevel(spec, entry, seed);
      G.seed = G.level.seed;
      levelSelect.value = entry.id;
      seedBox.hidden = !entry.random;
      if (entry.random) seedInput.value = String(G.seed);
      blurb.textContent = G.level.title + ": " + G.level.blurb;
      newGame();
    }

    function newGame() {
      G.dips = []; G.over = null; G.revealed = false; G.stuck = null; G.shown = 0;
      G.busy = false; G.message = ""; G.foundAt = null; G.reason = null;
      clearTimeout(G.timer);
      clearTimeout(G.sayTimer); // a message still on its way belongs to the old game
      status.textContent = "";
      log.textContent = "";
      render(true);
    }

    /* The arrow at a dip (calcbook.sandpit.downhill_arrow): along -grad, min + scale |grad| long,
     * at most max; none where the floor is flat. */
    function downhillArrow(g) {
      var slope = Math.hypot(g[0], g[1]), arrow = spec.arrow;
      if (!(slope > 0)) return [0, 0];
      var length = Math.min(arrow.min + arrow.scale * slope, arrow.max);
      return [-g[0] / slope * length, -g[1] / slope * length];
    }

    function found(p) { return distance(p, G.level.minimum) <= spec.find_radius; }

    function makeDip(p, auto, note) {
      var f = G.level.f(p[0], p[1]), g = G.level.grad(p[0], p[1]);
      return { x: p[0], y: p[1], f: f, depth: -f, grad: g, arrow: downhillArrow(g), auto: auto,
               rule: auto ? G.rule : null, note: note || "", run: G.runs, n: G.dips.length + 1 };
    }

    function bestDip() {
      var b = null;
      G.dips.forEach(function (d) { if (!b || d.f < b.f) b = d; });
      return b;
    }

    /* A dip at p (a click, a tap, Enter), then in strategy mode the rule's automatic dips. */
    function dipAt(p, animate) {
      finishAnimation();
      if (G.over) {
        say(G.over === "found" ? "You found it! Press New game to play again."
                               : "This game is over: press New game to play again.");
        return;
      }
      G.runs = (G.runs || 0) + 1;
      var first = G.dips.length;
      var start = clip(p);
      G.dips.push(makeDip(start, false));
      var reason = null, clipped = false, newtonCount = 0, steps = 0;
      if (G.rule !== "none") {
        var q = start;
        while (steps < spec.auto_steps && !found(q) && G.dips.length < spec.max_dips) {
          var r = ruleStep(G.rule, spec.rules, G.gamma, G.level, q);
          if (r.stop) { reason = r.stop; break; }
          if (Math.hypot(r.step[0], r.step[1]) < 1e-12) {
            reason = "the step was shorter than 1e-12"; break;
          }
          var raw = [q[0] + r.step[0], q[1] + r.step[1]];
          q = clip(raw);
          var wasClipped = q[0] !== raw[0] || q[1] !== raw[1];
          clipped = clipped || wasClipped;
          if (r.newton) newtonCount++;
          G.dips.push(makeDip(q, true, wasClipped ? "clipped" : (r.newton === true ? "Newton"
            : r.newton === false ? "steepest" : "")));
          steps++;
        }
      }
      var added = G.dips.slice(first);
      var hit = null;
      added.forEach(function (d) { if (!hit && found([d.x, d.y])) hit = d; });
      // Words: the click's dip, then the rule's run, then the outcome.
      var d0 = added[0];
      var words = "Dip " + d0.n + " at " + where([d0.x, d0.y]) + ": depth " + cm(d0.depth) + ".";
      if (G.rule !== "none") {
        var last = added[added.length - 1];
        if (added.length > 1) {
          words += " " + RULE_SHORT[G.rule] + " took " + (added.length - 1) + " more dip" +
            (added.length > 2 ? "s" : "") + ": dip " + last.n + " at " + where([last.x, last.y]) +
            " is " + cm(last.depth) + " deep.";
        }
        if (reason) words += " " + RULE_SHORT[G.rule] + " stopped: " + reason + ".";
        if (clipped) words += " A step left the pit: clipped to the rim.";
        if (G.rule === "hybrid" && added.length > 1) {
          words += " (" + newtonCount + " of " + (added.length - 1) + " Newton steps.)";
        }
      }
      if (hit) {
        G.over = "found";
        G.foundAt = hit.n;
        words = words + " Found it in " + hit.n + " dip" + (hit.n > 1 ? "s" : "") + "! " +
          "The deepest point is " + cm(-G.level.minValue) + " deep, at " +
          where(G.level.minimum) + ".";
      } else if (G.dips.length >= spec.max_dips) {
        G.over = "out";
        words += " Out of dips. " + ending();
      }
      G.reason = reason;
      G.message = words;
      if (G.over) G.revealed = true;
      if (animate && !reduceMotion() && added.length > 1) {
        G.busy = true;
        G.shown = first + 1;
        render(false);
        var step = function () {
          G.shown++;
          if (G.shown >= G.dips.length) { finishAnimation(); return; }
          render(false);
          G.timer = setTimeout(step, ANIMATION_MS);
        };
        G.timer = setTimeout(step, ANIMATION_MS);
      } else {
        finishAnimation();
      }
    }

    /* The end of a game that did not find the minimum: stuck, or how far from it. */
    function ending() {
      var b = bestDip();
      if (!b) return "The deepest point is " + cm(-G.level.minValue) + " deep, at " +
        where(G.level.minimum) + ".";
      var m = descend(G.level, [b.x, b.y]);
      var hollow = G.level.f(m[0], m[1]);
      if (distance(m, G.level.minimum) > spec.find_radius &&
          distance([b.x, b.y], m) <= spec.stuck_radius) {
        G.stuck = { best: [b.x, b.y], bottom: m, hollow: -hollow, deepest: -G.level.minValue };
        return "You got stuck in a local minimum: your best dip is in a hollow " +
          cm(-hollow) + " deep, but the deepest point, at " + where(G.level.minimum) + ", is " +
          cm(-G.level.minValue) + " deep.";
      }
      return "Your best dip reached " + cm(b.depth) + "; the deepest point, at " +
        where(G.level.minimum) + ", is " + cm(-G.level.minValue) + " deep.";
    }

    function reveal() {
      finishAnimation();
      if (G.revealed) return;
      G.revealed = true;
      if (!G.over) {
        G.over = "revealed";
        G.message = "Revealed after " + G.dips.length + " dip" +
          (G.dips.length === 1 ? "" : "s") + ". " + ending();
      }
      render(true);
    }

    function finishAnimation() {
      clearTimeout(G.timer);
      G.busy = false;
      G.shown = G.dips.length;
      render(true);
    }

    function say(text) {
      // Re-announce even the same words: clear, then set. A message that has replaced this
      // one within the 30 ms (a dip right after "New game") is already shown: keep it.
      status.textContent = "";
      clearTimeout(G.sayTimer);
      G.sayTimer = window.setTimeout(function () {
        if (G.message === text) status.textContent = text;
      }, 30);
      G.message = text;
    }

    // ---- drawing

    var depthMapFor = null;

    function render(withText) {
      var shown = G.dips.slice(0, G.shown);
      var data = gd.data;
      // Dips: a label with the depth on the click's dips and on the last of each run.
      var xs = [], ys = [], text = [], hover = [], size = [], colour = [], position = [];
      var ax = [], ay = [], px = [], py = [];
      shown.forEach(function (d, i) {
        var next = shown[i + 1];
        var lastOfRun = !next || next.run !== d.run;
        var labelled = !d.auto || lastOfRun;
        xs.push(d.x); ys.push(d.y);
        text.push(labelled ? num(d.depth, 1) : "");
        hover.push("dip " + d.n + (d.auto ? " (" + RULE_SHORT[d.rule] + ")" : "") + "<br>" +
          where([d.x, d.y]) + "<br>depth " + cm(d.depth));
        var latest = i === shown.length - 1;
        size.push((d.auto ? 8 : 11) + (latest ? 4 : 0));
        colour.push(d.auto ? "#a0407a" : "#4a2f12");
        position.push(d.y > 0.86 ? "bottom center" : "top center");
        if (G.mode === "arrow" && labelled) {
          arrowPoints(ax, ay, [d.x, d.y], d.arrow, spec.arrow.head);
        }
        if (d.auto && i > 0) {
          var prev = shown[i - 1];
          pathPoints(px, py, [prev.x, prev.y], [d.x, d.y]);
        }
      });
      var dips = data[trace.dips];
      dips.x = xs; dips.y = ys; dips.text = text; dips.customdata = hover;
      dips.textposition = position;
      dips.marker = Object.assign({}, dips.marker, { size: size, color: colour });
      data[trace.arrows].x = ax; data[trace.arrows].y = ay;
      data[trace.path].x = px; data[trace.path].y = py;

      var cursor = data[trace.cursor];
      cursor.x = [G.cursor[0]]; cursor.y = [G.cursor[1]];
      cursor.visible = G.cursorShown && !G.over;

      var map = data[trace["depth map"]];
      var target = data[trace.target], hollows = data[trace["local minima"]];
      var deepest = data[trace.minimum];
      if (G.revealed) {
        if (depthMapFor !== G.level) {
          var grid = map.x.length ? map.x : null, axis = [];
          for (var i = 0; i < REVEAL_GRID; i++) {
            axis.push(i === REVEAL_GRID - 1 ? 1 : -1 + i * (2 / (REVEAL_GRID - 1)));
          }
          var z = axis.map(function (y) {
            return axis.map(function (x) { return -G.level.f(x, y); });
          });
          map.x = grid ? Array.from(grid) : axis; map.y = axis.slice(); map.z = z;
          depthMapFor = G.level;
        }
        map.visible = true;
        data[trace.grains].visible = false;
        var ring = circlePoints(G.level.minimum, spec.find_radius);
        target.x = ring[0]; target.y = ring[1];
        var others = G.level.localMinima.slice(1);
        hollows.x = others.map(function (m) { return m[0]; });
        hollows.y = others.map(function (m) { return m[1]; });
        hollows.hoverinfo = "text";
        hollows.hovertext = others.map(function (m) {
          return "a hollow " + cm(-m[2]) + " deep";
        });
        deepest.x = [G.level.minimum[0]]; deepest.y = [G.level.minimum[1]];
        deepest.text = [num(-G.level.minValue, 1)];
        deepest.hoverinfo = "text";
        deepest.hovertext = ["the deepest point: " + cm(-G.level.minValue) + " deep"];
      } else {
        map.visible = false;
        data[trace.grains].visible = true;
        [target, hollows, deepest].forEach(function (t) { t.x = []; t.y = []; });
      }
      var layout = gd.layout;
      layout.annotations = [];
      layout.datarevision = (layout.datarevision || 0) + 1;
      window.Plotly.react(gd, data, layout);

      // The counter, the best dip and the log.
      var used = G.shown;
      counter.textContent = "dips: " + used + " / " + spec.max_dips;
      var b = null;
      shown.forEach(function (d) { if (!b || d.f < b.f) b = d; });
      best.textContent = b ? "deepest dip so far: " + cm(b.depth) + " at " + where([b.x, b.y])
                           : "No dips yet.";
      while (log.children.length > shown.length) log.removeChild(log.lastChild);
      for (var k = log.children.length; k < shown.length; k++) {
        var d = shown[k];
        var item = el("li", {});
        item.appendChild(el("span", { class: "calcbook-sandpit-log-at" }, where([d.x, d.y])));
        item.appendChild(document.createTextNode(" "));
        item.appendChild(el("span", { class: "calcbook-sandpit-log-depth" }, cm(d.depth)));
        if (d.auto) {
          var tag = RULE_TAG[d.rule];
          if (d.rule === "hybrid" && d.note !== "clipped") tag += " (" + d.note + ")";
          if (d.note === "clipped") tag += ", clipped";
          item.appendChild(document.createTextNode(" "));
          item.appendChild(el("span", { class: "calcbook-sandpit-log-rule" }, tag));
        }
        log.appendChild(item);
      }
      Array.prototype.forEach.call(log.children, function (item, i) {
        item.classList.toggle("is-best", shown[i] === b);
      });
      logBox.scrollTop = logBox.scrollHeight;
      section.classList.toggle("is-over", !!G.over);
      section.classList.toggle("is-found", G.over === "found");
      revealButton.disabled = G.revealed;
      if (withText && G.message && status.textContent !== G.message) {
        status.textContent = G.message;
      }
    }

    // ---- the board's size: a square plot area as wide as the board

    function fit() {
      var m = gd.layout.margin || {};
      var width = gd.clientWidth;
      if (!width) return;
      var height = Math.round(width - (m.l || 0) - (m.r || 0) + (m.t || 0) + (m.b || 0));
      if (Math.abs((gd.layout.height || 0) - height) < 2) return;
      gd.style.height = height + "px";
      window.Plotly.relayout(gd, { height: height });
    }

    // ---- events

    function toData(event) {
      var drag = gd.querySelector(".nsewdrag");
      if (!drag) return null;
      var box = drag.getBoundingClientRect();
      var xa = gd.layout.xaxis.range, ya = gd.layout.yaxis.range;
      var u = (event.clientX - box.left) / box.width, v = (event.clientY - box.top) / box.height;
      if (u < 0 || u > 1 || v < 0 || v > 1) return null;
      return [xa[0] + u * (xa[1] - xa[0]), ya[1] - v * (ya[1] - ya[0])];
    }

    function toClient(x, y) {
      var box = gd.querySelector(".nsewdrag").getBoundingClientRect();
      var xa = gd.layout.xaxis.range, ya = gd.layout.yaxis.range;
      return [box.left + (x - xa[0]) / (xa[1] - xa[0]) * box.width,
              box.top + (ya[1] - y) / (ya[1] - ya[0]) * box.height];
    }

    var lastClick = { time: -Infinity, x: 0, y: 0, trusted: true };
    gd.addEventListener("click", function (event) {
      if (event.target.closest && event.target.closest(".modebar")) return;
      // A tap reaches us twice, as the browser's click and as Plotly's synthetic one (not
      // trusted): one dip per tap. Two real clicks at one place are two dips.
      if (event.isTrusted !== lastClick.trusted && event.timeStamp - lastClick.time < 500 &&
          Math.abs(event.clientX - lastClick.x) < 8 && Math.abs(event.clientY - lastClick.y) < 8) {
        lastClick.time = -Infinity;
        return;
      }
      lastClick = { time: event.timeStamp, x: event.clientX, y: event.clientY,
                    trusted: event.isTrusted };
      var p = toData(event);
      if (!p) return;
      G.cursor = clip(p);
      dipAt(p, true);
    });

    gd.addEventListener("keydown", function (event) {
      var moves = { ArrowLeft: [-1, 0], ArrowRight: [1, 0], ArrowUp: [0, 1], ArrowDown: [0, -1] };
      if (moves[event.key]) {
        event.preventDefault();
        var stepSize = event.shiftKey ? 0.2 : 0.05, m = moves[event.key];
        G.cursor = clip([Math.round((G.cursor[0] + m[0] * stepSize) * 1000) / 1000,
                         Math.round((G.cursor[1] + m[1] * stepSize) * 1000) / 1000]);
        G.cursorShown = true;
        cursorNote.textContent = "Cursor at " + where(G.cursor) + ".";
        render(false);
      } else if (event.key === "Enter" || event.key === " " || event.key === "Spacebar") {
        event.preventDefault();
        G.cursorShown = true;
        dipAt(G.cursor, true);
      }
    });
    gd.addEventListener("focus", function () {
      if (gd.matches(":focus-visible")) {
        G.cursorShown = true;
        cursorNote.textContent = "Cursor at " + where(G.cursor) + ".";
        render(false);
      }
    });
    gd.addEventListener("blur", function () {
      if (!G.cursorShown) return;
      G.cursorShown = false;
      cursorNote.textContent = "";
      render(false);
    });

    levelSelect.addEventListener("change", function () {
      setLevel(ids.indexOf(levelSelect.value));
    });
    function seedChanged() {
      var seed = Math.floor(Number(seedInput.value));
      if (!(seed >= 0 && seed < 4294967296)) {
        say("The seed must be a whole number from 0 to 4294967295.");
        seedInput.setAttribute("aria-invalid", "true");
        return;
      }
      seedInput.removeAttribute("aria-invalid");
      if (seed !== G.seed) setLevel(G.levelIndex, seed);
    }
    seedInput.addEventListener("change", seedChanged);
    newMap.addEventListener("click", function () {
      var seed = Math.floor(Math.random() * 1000000);
      setLevel(G.levelIndex, seed);
      say("A new map from seed " + seed + ": the same seed gives the same map.");
    });
    Object.keys(modeInputs).forEach(function (mode) {
      modeInputs[mode].addEventListener("change", function () {
        if (modeInputs[mode].checked) { G.mode = mode; render(false); }
      });
    });
    function showGamma() {
      gammaBox.hidden = G.rule !== "steepest";
      gammaOut.textContent = "= " + Number(G.gamma.toPrecision(2));
    }
    ruleSelect.addEventListener("change", function () {
      G.rule = ruleSelect.value;
      showGamma();
    });
    gammaInput.addEventListener("input", function () {
      G.gamma = lo * Math.pow(hi / lo, Number(gammaInput.value) / 100);
      showGamma();
    });
    revealButton.addEventListener("click", reveal);
    newGameButton.addEventListener("click", function () {
      newGame();
      say("New game on " + G.level.title + ": " + spec.max_dips + " dips.");
    });

    var timer = null;
    window.addEventListener("resize", function () {
      clearTimeout(timer);
      timer = setTimeout(fit, 150);
    });

    // ---- the test and debugging hook (read the state; play as a reader would)

    gd.calcbookSandpit = {
      state: function () {
        return JSON.parse(JSON.stringify({
          level: G.level.id, seed: G.seed, mode: G.mode, rule: G.rule, gamma: G.gamma,
          dips: G.dips, over: G.over, found: G.over === "found", foundAt: G.foundAt || null,
          revealed: G.revealed, stuck: G.stuck, reason: G.reason || null, message: G.message,
          busy: G.busy, cursor: G.cursor, shown: G.shown
        }));
      },
      level: function () {
        return JSON.parse(JSON.stringify({
          id: G.level.id, title: G.level.title, seed: G.seed, terms: G.level.terms,
          minimum: G.level.minimum, min_value: G.level.minValue,
          local_minima: G.level.localMinima
        }));
      },
      f: function (x, y) { return G.level.f(x, y); },
      grad: function (x, y) { return G.level.grad(x, y); },
      hess: function (x, y) { return G.level.hess(x, y); },
      minima: function () { return localMinima(G.level, spec.grid); },
      descend: function (x, y) { return descend(G.level, [x, y]); },
      mulberry32: function (seed, n) {
        var u = mulberry32(seed), out = [];
        for (var i = 0; i < n; i++) out.push(u());
        return out;
      },
      dip: function (x, y) { dipAt([x, y], false); return this.state(); },
      reveal: function () { reveal(); return this.state(); },
      newGame: function () { newGame(); return this.state(); },
      // Back to the board as the page opened it: first level, no strategy, the default γ,
      // arrows shown, the cursor hidden at the centre, no dips.
      reset: function () {
        ruleSelect.value = "none"; G.rule = "none";
        G.gamma = steep.gamma; gammaInput.value = initialGammaPosition;
        G.mode = "arrow"; modeInputs.arrow.checked = true;
        G.cursor = [0, 0]; G.cursorShown = false; cursorNote.textContent = "";
        G.runs = 0;
        seedInput.removeAttribute("aria-invalid");
        showGamma();
        setLevel(Math.max(0, ids.indexOf(startLevel)));
        return this.state();
      },
      set: function (options) {
        if (options.rule != null) { ruleSelect.value = options.rule; G.rule = options.rule; }
        if (options.gamma != null) G.gamma = options.gamma;
        if (options.mode != null) { G.mode = options.mode; modeInputs[G.mode].checked = true; }
        showGamma();
        if (options.level != null) setLevel(ids.indexOf(options.level), options.seed);
        return this.state();
      },
      toClient: toClient
    };

    showGamma();
    setLevel(G.levelIndex);
    // The board moved into the game's layout: take its new width, then a square's height.
    window.Plotly.Plots.resize(gd).then(fit);
  }

  // calcbook.js draws the figures, lazily, and calls setUp on each as it is drawn.
  window.calcbook.onFigure(setUp);
})();
