// The mirror-statistics page: one small SVG line chart per corridor, with both reports of the
// flow (destination's solid, origin's dashed) or their difference; the "Chart shows" control
// redraws in place. Without JavaScript the table holds the same figures. Its texts speak the
// page's language through messages.js (sdmxnodeText, here `say`), numbers its locale.
"use strict";
(function () {
  const say = window.sdmxnodeText;
  const number = window.sdmxnodeNumber;
  const SVG = "http://www.w3.org/2000/svg";
  const SIDES = {
    reports: [
      ["immigration", say("destination's report"), "#1f77b4", ""],
      ["emigration", say("origin's report"), "#d62728", "6 4"],
    ],
    difference: [["difference", say("difference (destination's minus origin's)"), "#2ca02c", ""]],
  };

  function el(name, attributes, parent) {
    const node = document.createElementNS(SVG, name);
    for (const [key, value] of Object.entries(attributes || {})) node.setAttribute(key, value);
    if (parent) parent.appendChild(node);
    return node;
  }

  // An axis label: 2.5M, 2,5 M, 250万 (the locale's short form of large numbers).
  function compact(value) {
    return number(value, { notation: "compact", maximumFractionDigits: 2 });
  }

  // Round axis bounds and ticks around [low, high]: about four steps of 1, 2, 2.5 or 5 x 10^n.
  function axis(low, high) {
    const raw = (high - low) / 4 || 1;
    const power = Math.pow(10, Math.floor(Math.log10(raw)));
    const step = [1, 2, 2.5, 5, 10].map((f) => f * power).find((s) => raw <= s);
    const start = Math.floor(low / step) * step, end = Math.ceil(high / step) * step;
    const ticks = [];
    for (let t = start; t <= end + step / 2; t += step) ticks.push(t);
    return { low: start, high: end, ticks };
  }

  function title(data, corridor) {
    const from = corridor.direction === "inflow" ? corridor.partner_name : data.country_name;
    const to = corridor.direction === "inflow" ? data.country_name : corridor.partner_name;
    return `${from} → ${to}` + (data.breakdowns ? ` (${corridor.breakdown})` : "");
  }

  // One panel: the lines of `sides` over the periods, on the y range [low, high].
  function panel(data, corridor, sides, range) {
    const width = 360, height = 200, left = 56, right = 24, top = 12, bottom = 28;
    const { low, high } = range;
    const periods = data.periods;
    const x = (i) => left + (periods.length > 1 ? i / (periods.length - 1) : 0.5) * (width - left - right);
    const y = (v) => height - bottom - ((v - low) / (high - low || 1)) * (height - top - bottom);
    const figure = document.createElement("figure");
    figure.className = "panel";
    const caption = document.createElement("figcaption");
    caption.textContent = title(data, corridor);
    const svg = el("svg", { viewBox: `0 0 ${width} ${height}`, role: "img",
      "aria-label": say("%(title)s: %(lines)s by period",
        { title: caption.textContent, lines: window.sdmxnodeList(sides.map((s) => s[1])) }),
      "data-partner": corridor.partner, "data-direction": corridor.direction });
    for (const tick of range.ticks) {
      el("line", { class: "grid", x1: left, x2: width - right, y1: y(tick), y2: y(tick) }, svg);
      el("text", { x: left - 6, y: y(tick) + 4, "text-anchor": "end" }, svg).textContent = compact(tick);
    }
    if (low < 0 && high > 0) {
      el("line", { class: "axis", x1: left, x2: width - right, y1: y(0), y2: y(0) }, svg);
    }
    const every = Math.ceil(periods.length / 6);
    periods.forEach((period, i) => {
      if (i % every) return;
      el("text", { x: x(i), y: height - bottom + 18, "text-anchor": "middle" }, svg).textContent = period;
    });
    for (const [side, label, colour, dash] of sides) {
      const values = corridor[side];
      const group = el("g", { class: "series", "data-side": side }, svg);
      const points = periods.map((p, i) => [p, i, values[p]]).filter((p) => p[2] !== undefined);
      el("polyline", { class: "line", stroke: colour, "stroke-dasharray": dash,
        points: points.map((p) => `${x(p[1])},${y(p[2])}`).join(" ") }, group);
      for (const [period, i, value] of points) {
        const dot = el("circle", { cx: x(i), cy: y(value), r: 3.5, fill: colour,
          "data-partner": corridor.partner, "data-direction": corridor.direction,
          "data-side": side, "data-period": period, "data-value": value }, group);
        el("title", {}, dot).textContent = `${caption.textContent}, ${period}, ${label}: ${number(value)}`;
      }
    }
    figure.append(svg, caption);
    return figure;
  }

  function draw() {
    const holder = document.getElementById("mirror-chart");
    const source = document.getElementById("mirror-data");
    const control = document.getElementById("chart-mode");
    if (!holder || !source) return;
    const data = JSON.parse(source.textContent);
    const mode = control && control.value === "difference" ? "difference" : "reports";
    const sides = SIDES[mode];
    const values = data.corridors.flatMap((c) => sides.flatMap((s) => Object.values(c[s[0]])));
    holder.textContent = "";
    holder.dataset.mode = mode;
    if (!values.length) return;
    // One y range for every panel, so that panels can be compared at a glance.
    const range = axis(Math.min(0, ...values), Math.max(0, ...values));
    const legend = document.createElement("ul");
    legend.className = "legend";
    for (const [, label, colour, dash] of sides) {
      const item = document.createElement("li");
      const swatch = document.createElement("span");
      swatch.style.background = colour;
      if (dash) swatch.style.opacity = "0.6";
      item.append(swatch, label);
      legend.appendChild(item);
    }
    const grid = document.createElement("div");
    grid.className = "panels";
    for (const corridor of data.corridors) grid.appendChild(panel(data, corridor, sides, range));
    holder.append(legend, grid);
    holder.dataset.empty = "false";
  }

  document.addEventListener("DOMContentLoaded", () => {
    draw();
    const control = document.getElementById("chart-mode");
    if (!control) return;
    control.addEventListener("change", () => {
      draw();
      const url = new URL(window.location.href);
      url.searchParams.set("chart", control.value);
      history.replaceState(null, "", url);
    });
  });
})();
