"""The training explorer's JavaScript: it builds the page from the embedded JSON, draws a frame.

Plain DOM, canvas and SVG; no library. Text goes in through ``textContent`` only; the one markup
inserted is the neuron graph's SVG, laid out by Graphviz from labels the explorer itself wrote.
The script is one function of the explorer's element: the layout, then the graph panel (in
``explorer_graph_script``), then drawing a frame and the controls.
"""

from .explorer_graph_script import GRAPH_PANEL

_LAYOUT = r"""
(function (root) {
  "use strict";
  var D = JSON.parse(root.querySelector(".vg-data").textContent);
  var SVG = "http://www.w3.org/2000/svg";
  var CLASS_COLORS = ["#3b7dd8", "#f08c3a", "#3aa15a", "#9b59b6", "#c0392b", "#16a0a0",
                      "#8c6d31", "#d4a017"];
  var frames = D.steps.length, current = 0, timer = null, mode = "weights";
  var selected = null, sample = 0, preview = null;  // preview: the neuron under the mouse
  var neurons = [];  // [layer, index] of every neuron, layer by layer
  D.layers.slice(1).forEach(function (n, l) { for (var j = 0; j < n; j++) neurons.push([l, j]); });

  function el(tag, attrs, parent, text) {
    var e = tag.indexOf("svg:") === 0 ? document.createElementNS(SVG, tag.slice(4))
                                      : document.createElement(tag);
    for (var k in attrs) e.setAttribute(k, attrs[k]);
    if (text !== undefined) e.textContent = text;
    if (parent) parent.appendChild(e);
    return e;
  }
  function bytes(b64) {
    var s = atob(b64), out = new Uint8Array(s.length);
    for (var i = 0; i < s.length; i++) out[i] = s.charCodeAt(i);
    return out;
  }
  function hex(c) { return [1, 3, 5].map(function (i) { return parseInt(c.substr(i, 2), 16); }); }
  function number(s) { return s === "inf" ? Infinity : s === "-inf" ? -Infinity : parseFloat(s); }
  var cache = {};
  function words(key, text) { return cache[key] || (cache[key] = text.split(" ")); }
  var NEG = hex(D.colors.negative), POS = hex(D.colors.positive);  // the gradient scale
  var BELOW = hex(CLASS_COLORS[0]), ABOVE = hex(CLASS_COLORS[1]);  // outputs, weights
  function mix(rgb, t) { return rgb.map(function (c) { return Math.round(255 + (c - 255) * t); }); }
  function rgb(c) { return "rgb(" + c.join(",") + ")"; }

  // ----- layout
  el("h2", {}, root, D.title);
  var bar = el("div", {"class": "vg-bar"}, root);
  var previous = el("button", {"type": "button", "class": "vg-previous"}, bar, "\u25c0 step");
  var play = el("button", {"type": "button", "class": "vg-play"}, bar, "\u25b6 play");
  var next = el("button", {"type": "button", "class": "vg-next"}, bar, "step \u25b6");
  var slider = el("input", {"type": "range", "class": "vg-slider", "min": 0, "max": frames - 1,
                            "value": 0, "step": 1, "aria-label": "frame"}, bar);
  var counter = el("span", {"class": "vg-counter"}, bar);
  var toggle = el("span", {"class": "vg-toggle"}, bar, "edges by ");
  ["weights", "gradients"].forEach(function (m) {
    var label = el("label", {}, toggle);
    var radio = el("input", {"type": "radio", "name": root.id + "-edges", "value": m,
                             "class": "vg-edges-" + m}, label);
    if (m === mode) radio.checked = true;
    label.appendChild(document.createTextNode(" " + m));
    radio.onchange = function () { mode = m; draw(); };
  });
  var panels = el("div", {"class": "vg-panels"}, root);

  // the network: a column per layer, a canvas per neuron, an SVG line per weight
  var SIZE = 34, GAP = 6, COLUMN = 118, TOP = 18;
  var tallest = Math.max.apply(null, D.layers);
  var netBox = el("div", {}, panels);
  el("div", {"class": "vg-panel-title"}, netBox, "the network");
  var net = el("div", {"class": "vg-network"}, netBox);
  var width = COLUMN * (D.layers.length - 1) + SIZE + 2, height = TOP + tallest * (SIZE + GAP);
  net.style.width = width + "px"; net.style.height = height + "px";
  var edgesSvg = el("svg:svg", {"width": width, "height": height, "class": "vg-edges"}, net);
  function place(l, j) {
    var n = D.layers[l];
    return [l * COLUMN, TOP + (tallest - n) * (SIZE + GAP) / 2 + j * (SIZE + GAP)];
  }
  var lines = [];  // [line element, index of its weight]
  var offset = 0, starts = [];
  D.layers.slice(1).forEach(function (n, l) {
    var nin = D.layers[l], first = [];
    for (var j = 0; j < n; j++) {
      first.push(offset);
      for (var i = 0; i < nin; i++) {
        var a = place(l, i), b = place(l + 1, j);
        var line = el("svg:line", {"x1": a[0] + SIZE, "y1": a[1] + SIZE / 2, "x2": b[0],
                                   "y2": b[1] + SIZE / 2, "stroke-linecap": "round"}, edgesSvg);
        lines.push([line, offset + i]);
      }
      offset += nin + 1;
    }
    starts.push(first);
  });
  var names = ["input"].concat(D.activations.map(function (a, l) {
    return l === D.activations.length - 1 ? "output" : "layer " + l + " \u00b7 " + a;
  }));
  names.forEach(function (name, l) {
    el("svg:text", {"x": l * COLUMN, "y": 11, "class": "vg-column"}, edgesSvg, name);
  });
  var pictures = [];  // a canvas per neuron, in neurons order
  function canvasAt(l, j, cls, title) {
    var p = place(l, j), c = el("canvas", {"width": D.neuronCells, "height": D.neuronCells,
                                           "class": cls, "title": title}, net);
    c.style.left = p[0] + "px"; c.style.top = p[1] + "px";
    c.style.width = SIZE + "px"; c.style.height = SIZE + "px";
    return c;
  }
  var cells = D.neuronCells * D.neuronCells;
  [0, 1].forEach(function (i) {  // the inputs: x[0] and x[1] over the plane
    var c = canvasAt(0, i, "vg-input", "x[" + i + "]"), shade = new Uint8Array(cells);
    for (var k = 0; k < cells; k++) {
      var col = k % D.neuronCells, row = Math.floor(k / D.neuronCells);
      shade[k] = Math.round(255 * (i === 0 ? col : D.neuronCells - 1 - row) / (D.neuronCells - 1));
    }
    paint(c, shade, 0);
  });
  neurons.forEach(function (n, g) {
    var c = canvasAt(n[0] + 1, n[1], "vg-neuron", "layers." + n[0] + ".neurons." + n[1]);
    c.dataset.neuron = g;
    c.onclick = function () { select(g); };
    c.onmouseenter = function () { preview = g; drawPlane(current); };
    c.onmouseleave = function () { preview = null; drawPlane(current); };
    pictures.push(c);
  });
  function paint(canvas, shade, start) {  // shade: 0 blue .. 128 white .. 255 orange
    var ctx = canvas.getContext("2d"), image = ctx.createImageData(D.neuronCells, D.neuronCells);
    for (var k = 0; k < cells; k++) {
      var s = (shade[start + k] - 127.5) / 127.5, c = mix(s < 0 ? BELOW : ABOVE, Math.abs(s));
      image.data.set([c[0], c[1], c[2], 255], 4 * k);
    }
    ctx.putImageData(image, 0, 0);
  }

  // the plane: the decision boundary and the points
  var PLANE = 340;
  var planeBox = el("div", {"class": "vg-plane"}, panels);
  planeBox.style.width = PLANE + 2 + "px";  // a long class name wraps in the key
  var planeTitle = el("div", {"class": "vg-panel-title"}, planeBox);
  var plane = el("canvas", {"width": PLANE, "height": PLANE, "class": "vg-boundary"}, planeBox);
  var small = document.createElement("canvas");
  small.width = small.height = D.boundaryCells;
  var key = el("div", {"class": "vg-classes"}, planeBox);
  D.classes.forEach(function (name, k) {
    var item = el("span", {}, key);
    el("span", {"class": "vg-swatch"}, item).style.background = CLASS_COLORS[k % 8];
    item.appendChild(document.createTextNode(name));
  });
  if (D.heldOut.length) el("span", {}, key, "white edge: training, dark edge: held-out");
  var e = D.extent;
  function toPixel(x, y) {
    return [(x - e[0]) / (e[1] - e[0]) * PLANE, (e[3] - y) / (e[3] - e[2]) * PLANE];
  }
  plane.onclick = function (event) {
    var box = plane.getBoundingClientRect(), best = -1, distance = 20;
    D.graph.samples.forEach(function (s, k) {
      var p = toPixel(D.train[s][0], D.train[s][1]);
      var d = Math.hypot(p[0] - (event.clientX - box.left), p[1] - (event.clientY - box.top));
      if (d < distance) { distance = d; best = k; }
    });
    if (best >= 0) { sample = best; draw(); }
  };

  // the curves: loss and accuracy at each frame, a cursor at the current one
  var CW = 320, CH = 140, PAD = 30;
  var curvesBox = el("div", {"class": "vg-curves"}, panels);
  el("div", {"class": "vg-panel-title"}, curvesBox, "loss and accuracy");
  var last = D.steps[frames - 1] || 1, charts = [];
  [["loss", "heldOutLoss", "loss (mean, without the penalty)"],
   ["accuracy", "heldOutAccuracy", "accuracy"]].forEach(function (spec) {
    var readout = el("div", {"class": "vg-readout"}, curvesBox);
    var svg = el("svg:svg", {"width": CW, "height": CH, "class": "vg-curve-" + spec[0]}, curvesBox);
    var values = D.curves[spec[0]].concat(D.curves[spec[1]] || []).filter(isFinite);
    var top = spec[0] === "accuracy" ? 1 : Math.max.apply(null, values.concat([1e-12]));
    function xy(k, v) {
      return [PAD + (CW - PAD - 8) * D.steps[k] / last,
              CH - 18 - (CH - 28) * Math.min(v === null ? top : v, top) / top];
    }
    el("svg:rect", {"x": PAD, "y": 10, "width": CW - PAD - 8, "height": CH - 28,
                    "fill": "none", "stroke": "#ddd"}, svg);
    el("svg:text", {"x": PAD - 4, "y": 14, "text-anchor": "end"}, svg, top.toPrecision(2));
    el("svg:text", {"x": PAD - 4, "y": CH - 16, "text-anchor": "end"}, svg, "0");
    el("svg:text", {"x": PAD, "y": CH - 4}, svg, "step 0");
    el("svg:text", {"x": CW - 8, "y": CH - 4, "text-anchor": "end"}, svg, "step " + last);
    [[spec[0], "#333", ""], [spec[1], "#d6336c", "5 3"]].forEach(function (line) {
      var series = D.curves[line[0]];
      if (!series) return;
      var points = series.map(function (v, k) { return xy(k, v).join(","); }).join(" ");
      el("svg:polyline", {"points": points, "fill": "none", "stroke": line[1],
                          "stroke-width": 1.6, "stroke-dasharray": line[2]}, svg);
    });
    var cursor = el("svg:line", {"y1": 10, "y2": CH - 18, "stroke": D.colors.highlight,
                                 "stroke-width": 1.5, "class": "vg-cursor"}, svg);
    charts.push({readout: readout, cursor: cursor, name: spec[2], keys: [spec[0], spec[1]],
                 xy: xy});
  });
  el("div", {"class": "vg-hint"}, curvesBox,
     D.curves.heldOutLoss ? "solid: training points; dashed: held-out points"
                      : "on the training points");

"""

_FRAMES = r"""
  // ----- one frame
  function draw() {
    var f = current;
    counter.textContent = "step " + D.steps[f] + " of " + last +
      "  (frame " + (f + 1) + "/" + frames + ")";
    slider.value = f;
    var shade = bytes(D.pictures[f]);
    pictures.forEach(function (c, g) { paint(c, shade, g * cells); });
    var values = words((mode === "weights" ? "w" : "g") + f,
                       mode === "weights" ? D.weights[f] : D.grads[f]).map(number);
    var biggest = 0;
    lines.forEach(function (l) {
      var v = Math.abs(values[l[1]]);
      if (isFinite(v) && v > biggest) biggest = v;
    });
    lines.forEach(function (l) {
      var v = values[l[1]], t = biggest > 0 && isFinite(v) ? Math.abs(v) / biggest : 0;
      l[0].setAttribute("stroke", rgb(mix(v >= 0 ? ABOVE : BELOW, 0.25 + 0.75 * t)));
      l[0].setAttribute("stroke-width", (0.3 + 3.2 * t).toFixed(2));
    });
    drawPlane(f);
    charts.forEach(function (chart) {
      var x = chart.xy(f, 0)[0];
      chart.cursor.setAttribute("x1", x); chart.cursor.setAttribute("x2", x);
      var a = D.curves[chart.keys[0]][f], b = D.curves[chart.keys[1]];
      var text = chart.name + " " + (a === null ? "\u221e" : a.toPrecision(4));
      if (b) text += ", held-out " + (b[f] === null ? "\u221e" : b[f].toPrecision(4));
      chart.readout.textContent = text;
    });
    drawGraph();
  }

  function drawPlane(f) {
    var cellsB = D.boundaryCells, data = bytes(D.boundary[f]);
    var ctx = small.getContext("2d"), image = ctx.createImageData(cellsB, cellsB);
    for (var k = 0; k < cellsB * cellsB; k++) {
      var c = mix(hex(CLASS_COLORS[data[2 * k] % 8]), 0.1 + 0.45 * data[2 * k + 1] / 255);
      image.data.set([c[0], c[1], c[2], 255], 4 * k);
    }
    ctx.putImageData(image, 0, 0);
    var big = plane.getContext("2d");
    big.imageSmoothingEnabled = true;
    big.drawImage(preview === null ? small : pictures[preview], 0, 0, PLANE, PLANE);
    planeTitle.textContent = preview === null ? "the data and the decision boundary"
      : "the output of layers." + neurons[preview][0] + ".neurons." + neurons[preview][1];
    [[D.train, "#fff"], [D.heldOut, "#222"]].forEach(function (set) {
      set[0].forEach(function (p) {
        var q = toPixel(p[0], p[1]);
        big.beginPath(); big.arc(q[0], q[1], 3.6, 0, 2 * Math.PI);
        big.fillStyle = CLASS_COLORS[p[2] % 8]; big.fill();
        big.lineWidth = 1; big.strokeStyle = set[1]; big.stroke();
      });
    });
    D.graph.samples.forEach(function (s, k) {
      var q = toPixel(D.train[s][0], D.train[s][1]);
      big.beginPath(); big.arc(q[0], q[1], k === sample ? 8 : 6.5, 0, 2 * Math.PI);
      big.lineWidth = k === sample ? 2.5 : 1.5;
      big.strokeStyle = k === sample ? D.colors.highlight : "#222"; big.stroke();
    });
  }

  // ----- controls
  function go(f) { current = Math.max(0, Math.min(frames - 1, f)); draw(); }
  function stop() { clearInterval(timer); timer = null; play.textContent = "\u25b6 play"; }
  function toggleplay() {
    if (timer) { stop(); return; }
    if (current === frames - 1) go(0);
    play.textContent = "\u275a\u275a pause";
    timer = setInterval(function () {
      if (current >= frames - 1) stop(); else go(current + 1);
    }, 120);
  }
  previous.onclick = function () { stop(); go(current - 1); };
  next.onclick = function () { stop(); go(current + 1); };
  play.onclick = toggleplay;
  slider.oninput = function () { stop(); go(Number(slider.value)); };
  root.addEventListener("keydown", function (event) {
    var tag = event.target.tagName;
    if (tag === "INPUT") return;  // the slider and the radio buttons take arrow keys themselves
    if (tag === "BUTTON" && (event.key === " " || event.key === "Enter")) return;  // a click
    var keys = {ArrowLeft: -1, ArrowRight: 1, ArrowDown: -1, ArrowUp: 1};
    if (event.key in keys) { stop(); go(current + keys[event.key]); }
    else if (event.key === " ") toggleplay();
    else if (event.key === "Home") { stop(); go(0); }
    else if (event.key === "End") { stop(); go(frames - 1); }
    else return;
    event.preventDefault();
  });
  root.addEventListener("mousedown", function () { root.focus({preventScroll: true}); });
  select(neurons.length - D.layers[D.layers.length - 1]);
  draw();
})(document.currentScript.parentNode);
"""

SCRIPT = _LAYOUT + GRAPH_PANEL + _FRAMES
