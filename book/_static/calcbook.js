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
    if (!spec || !window.Plotly) return;
    var want = gd.clientWidth < spec.breakpoint ? "narrow" : "wide";
    var have = gd.dataset.calcbookLayout || "wide"; // every figure is drawn wide first
    gd.dataset.calcbookLayout = want;
    if (want === have) return;
    // Plotly's HTML export wraps the figure in a <div> of fixed height: follow the layout.
    if (spec[want].height && gd.parentElement) {
      gd.parentElement.style.height = spec[want].height + "px";
    }
    window.Plotly.relayout(gd, spec[want]);
  }

  function fitAll() {
    document.querySelectorAll(".js-plotly-plot").forEach(fit);
  }

  var timer = null;
  window.addEventListener("load", fitAll);
  window.addEventListener("resize", function () {
    clearTimeout(timer);
    timer = setTimeout(fitAll, 150);
  });
})();
