"""The training explorer's graph panel (JavaScript, part of ``explorer_script.SCRIPT``).

The layer's ``draw_dot`` SVG goes in the view once; its placeholder numbers are found in the text
of each Value node (``v{k}``), and each frame, sample and neuron puts its own numbers there, the
fill of each node by its gradient (``style.grad_fill``'s scale) and the legend's range.
"""

GRAPH_PANEL = r"""
  // the graph of the neuron clicked, for the ringed sample
  var graph = el("div", {"class": "vg-graph"}, root);
  var graphTitle = el("div", {"class": "vg-graph-title"}, graph);
  el("div", {"class": "vg-hint"}, graph,
     "Point at a neuron to see its output over the plane, click it to see its graph; " +
     "click a ringed point to follow that sample. " +
     "data: the value at this step; grad: the derivative of this sample's loss with respect " +
     "to it, from backward(). Keys: \u2190 \u2192 step, space plays, Home and End.");
  var graphView = el("div", {"class": "vg-graph-view"}, graph);
  var shown = null;  // {layer, texts, shapes, legend}: the template in the view

  function show(layer) {  // put the layer's template in the view; index what a frame changes
    graphView.innerHTML = D.graph.templates[layer];
    var texts = [], shapes = [], legend = [];
    var marks = D.graph.placeholders, scaleText = marks[1].replace("-", "");
    graphView.querySelectorAll("g.node").forEach(function (node) {
      var title = node.querySelector("title").textContent;
      if (title === "legend") {
        node.querySelectorAll("text").forEach(function (t) {
          var at = t.textContent.indexOf(scaleText);
          if (at < 0) return;
          legend.push([t, t.textContent.slice(0, at), t.textContent.slice(at + scaleText.length)]);
        });
        return;
      }
      if (title[0] !== "v") return;
      var k = Number(title.slice(1));
      node.querySelectorAll("text").forEach(function (t) {
        [0, 1].forEach(function (which) {
          var at = t.textContent.indexOf(marks[which]);
          if (at >= 0) texts.push([t, k, which, t.textContent.slice(0, at),
                                   t.textContent.slice(at + marks[which].length)]);
        });
      });
      node.querySelectorAll("polygon, path, ellipse").forEach(function (s) {
        if (s.getAttribute("fill") && s.getAttribute("fill") !== "none") shapes.push([s, k]);
      });
    });
    shown = {layer: layer, texts: texts, shapes: shapes, legend: legend};
  }

  function graphNumbers(g) {  // [data, grad] text of each Value node of neuron g's graph
    var n = neurons[g], l = n[0], j = n[1], roles = D.graph.roles[l];
    var w = words("w" + current, D.weights[current]);
    var rec = words("n" + current + "," + sample, D.graph.numbers[current][sample]);
    var x = words("x" + sample, D.graph.inputs[sample]);
    var P = w.length, F = 2, base = P + F;
    function neuron(l2, j2) {  // where neuron (l2, j2)'s dot and output numbers start
      var g2 = 0;
      for (var k = 0; k < l2; k++) g2 += D.layers[k + 1];
      return base + 4 * (g2 + j2);
    }
    var start = starts[l][j], own = neuron(l, j);
    return roles.map(function (r) {
      if (r[0] === "w") return [w[start + r[1]], rec[start + r[1]]];
      if (r[0] === "b") { var nb = start + D.layers[l]; return [w[nb], rec[nb]]; }
      if (r[0] === "x") {
        if (l === 0) return [x[r[1]], rec[P + r[1]]];
        var at = neuron(l - 1, r[1]);
        return [rec[at + 2], rec[at + 3]];
      }
      return r[0] === "dot" ? [rec[own], rec[own + 1]] : [rec[own + 2], rec[own + 3]];
    });
  }

  function gradFill(g, scale) {
    if (isNaN(g)) return D.colors.nan;
    var t = scale > 0 ? Math.min(1, Math.sqrt(Math.abs(g) / scale)) : 0;
    var c = mix(g > 0 ? POS : NEG, t);
    return "#" + c.map(function (v) { return (v < 16 ? "0" : "") + v.toString(16); }).join("");
  }

  function drawGraph() {
    if (selected === null) return;
    var n = neurons[selected];
    if (!shown || shown.layer !== n[0]) show(n[0]);
    var values = graphNumbers(selected), output = values.length - 1, scale = 0, scaleText = "1";
    values.forEach(function (v, k) {
      var g = Math.abs(number(v[1]));
      if (k === output || !isFinite(g) || g <= scale) return;
      scale = g; scaleText = v[1].replace("-", "");
    });
    if (scale === 0) scale = 1;
    shown.texts.forEach(function (t) { t[0].textContent = t[3] + values[t[1]][t[2]] + t[4]; });
    shown.shapes.forEach(function (s) {
      s[0].setAttribute("fill", gradFill(number(values[s[1]][1]), scale));
    });
    shown.legend.forEach(function (t) { t[0].textContent = t[1] + scaleText + t[2]; });
    var s = D.graph.samples[sample], act = D.activations[n[0]];
    graphTitle.textContent = "layers." + n[0] + ".neurons." + n[1] + ": " +
      (act === "linear" ? "w \u00b7 x + b" : act + "(w \u00b7 x + b)") +
      ", on sample " + s + " (" + D.classes[D.train[s][2]] + ") at step " + D.steps[current];
  }

  function select(g) {
    if (selected !== null) pictures[selected].classList.remove("vg-selected");
    selected = g;
    pictures[g].classList.add("vg-selected");
    drawGraph();
  }

"""
