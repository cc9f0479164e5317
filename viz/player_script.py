"""The backprop player's script: it shows frame ``i`` by setting, in the one SVG, each Value's
gradient text and fill as of that frame and the highlight on that frame's node, op and edges,
found by the SVG ids ``build`` gave them. ``data`` is ``Scene.changes`` plus the id ``prefix``
and ``wholePage`` (the keys act on the whole page, else only while the player has focus).
"""

SCRIPT = r"""
function (root, data) {
  "use strict";
  const $ = (selector) => root.querySelector(selector);
  const slider = $(".vg-slider"), counter = $(".vg-counter"), play = $(".vg-play");
  const title = $(".vg-title"), rule = $(".vg-rule");
  const frames = data.frames, last = frames.length - 1;
  const byId = new Map();
  for (const element of root.querySelectorAll("svg [id]")) byId.set(element.id, element);
  const element = (name) => byId.get(data.prefix + name);
  const shapes = (g) => [...g.querySelectorAll("path, polygon, ellipse")];
  // each Value: its gradient text (the one holding the layout's widest text), its filled shape,
  // and [frame, text, fill] from each frame where they change
  const values = data.values.map(([name, widest, changes]) => {
    const g = element(name);
    const text = [...g.querySelectorAll("text")].reverse().find((t) => t.textContent === widest);
    const shape = shapes(g).find((s) => s.getAttribute("fill") !== "none");
    return { text, shape, changes };
  });
  const looks = new Map();  // each highlighted shape's own stroke, width and fill, to put back
  function set(shape, attribute, value) {
    if (value === null) shape.removeAttribute(attribute); else shape.setAttribute(attribute, value);
  }
  function mark(name, on) {
    const g = element(name), edge = g.classList.contains("edge");
    for (const shape of shapes(g)) {
      if (!looks.has(shape)) {
        looks.set(shape, ["stroke", "stroke-width", "fill"].map((a) => shape.getAttribute(a)));
      }
      const [stroke, width, fill] = looks.get(shape);
      set(shape, "stroke", on ? data.highlight : stroke);
      set(shape, "stroke-width", on ? (edge ? data.edgeWidth : data.nodeWidth) : width);
      if (edge && shape.tagName === "polygon") set(shape, "fill", on ? data.highlight : fill);
    }
  }
  let current = 0, marked = [], timer = null;
  function show(i) {
    current = Math.max(0, Math.min(last, i));
    for (const value of values) {
      let state = value.changes[0];
      for (const change of value.changes) if (change[0] <= current) state = change;
      value.text.textContent = state[1];
      value.shape.setAttribute("fill", state[2]);
    }
    const [heading, lines, highlighted] = frames[current];
    for (const name of marked) mark(name, false);
    for (const name of highlighted) mark(name, true);
    marked = highlighted;
    title.textContent = title.title = heading;  // one line; the whole of it as a tooltip
    rule.textContent = lines;
    slider.value = current;
    counter.textContent = "step " + (current + 1) + " / " + frames.length;
  }
  function stop() { clearInterval(timer); timer = null; play.textContent = "\u25b6 play"; }
  function toggle() {
    if (timer) { stop(); return; }
    if (current === last) show(0);
    play.textContent = "\u275a\u275a pause";
    timer = setInterval(() => { if (current >= last) stop(); else show(current + 1); }, 1200);
  }
  $(".vg-previous").onclick = () => { stop(); show(current - 1); };
  $(".vg-next").onclick = () => { stop(); show(current + 1); };
  slider.oninput = () => { stop(); show(Number(slider.value)); };
  play.onclick = toggle;
  const keys = {
    ArrowLeft: () => { stop(); show(current - 1); },
    ArrowRight: () => { stop(); show(current + 1); },
    Home: () => { stop(); show(0); },
    End: () => { stop(); show(last); },
    " ": toggle,
  };
  const target = data.wholePage ? document : root;
  target.addEventListener("keydown", (event) => {
    const act = keys[event.key];
    if (!act || event.altKey || event.ctrlKey || event.metaKey) return;
    event.preventDefault();  // no scrolling, no slider or button acting on the key as well
    event.stopPropagation();  // and no notebook shortcut
    if (!event.repeat || event.key !== " ") act();
  });
  target.addEventListener("keyup", (event) => {
    // Chrome needs only the keydown prevented; a browser that clicks a focused button on
    // space's keyup would step as well
    if (event.key === " ") event.preventDefault();
  });
  show(0);
}
"""
