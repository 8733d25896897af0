// The data explorer: draws the selection as an SVG line chart and reloads the results
// when a filter changes. Without JavaScript the form and the table work alone. The
// origins page uses its charts too.
"use strict";
(function () {
  const SVG = "http://www.w3.org/2000/svg";
  const COLOURS = ["#1f77b4", "#d62728", "#2ca02c", "#9467bd", "#ff7f0e", "#17becf",
    "#8c564b", "#e377c2", "#7f7f7f", "#bcbd22"];
  const MAX_LINES = 10;

  function el(name, attributes, parent) {
    const node = document.createElementNS(SVG, name);
    for (const [key, value] of Object.entries(attributes || {})) node.setAttribute(key, value);
    if (parent) parent.appendChild(node);
    return node;
  }

  // A period as a number on the time axis: 2019, 2019-Q2, 2019-S1, 2019-M03, 2019-03, 2019-W05.
  function periodNumber(period, index) {
    const m = /^(\d{4})(?:-?([QSMWD]?)(\d{1,2}))?/.exec(period);
    if (!m) return index;
    const year = Number(m[1]);
    if (!m[3]) return year;
    const n = Number(m[3]);
    const per = { Q: 4, S: 2, W: 52, D: 365 }[m[2]] || 12;
    return year + (n - 1) / per;
  }

  function niceStep(range) {
    const raw = range / 5;
    const power = Math.pow(10, Math.floor(Math.log10(raw || 1)));
    const step = [1, 2, 2.5, 5, 10].map((f) => f * power).find((s) => raw <= s);
    return step || power * 10;
  }

  function compact(value) {
    const abs = Math.abs(value);
    if (abs >= 1e9) return (value / 1e9).toLocaleString() + " bn";
    if (abs >= 1e6) return (value / 1e6).toLocaleString() + " M";
    if (abs >= 1e3) return (value / 1e3).toLocaleString() + " k";
    return value.toLocaleString();
  }

  // Every chart of the page: the explorer's #chart (data in #chart-data), and each element
  // naming its data's element in data-chart-source (the origins page has two).
  function draw() {
    const pairs = [[document.getElementById("chart"), document.getElementById("chart-data")]];
    for (const holder of document.querySelectorAll("[data-chart-source]")) {
      pairs.push([holder, document.getElementById(holder.dataset.chartSource)]);
    }
    for (const [holder, source] of pairs) {
      if (holder && source) drawChart(holder, source);
    }
  }

  function drawChart(holder, source) {
    const titleId = `${holder.id}-title`;
    const data = JSON.parse(source.textContent);
    const series = data.series.slice(0, MAX_LINES);
    holder.textContent = "";
    const xs = data.periods.map(periodNumber);
    const values = series.flatMap((s) => Object.values(s.values).filter((v) => v !== null));
    if (!values.length) return;
    // At most 800 units wide, and no wider than the box: on a phone the viewBox is not
    // shrunk, so the chart's 12 px text stays 12 px (#21 point 7).
    const width = Math.min(800, Math.max(300, holder.clientWidth || 800));
    const height = 360, left = 70, right = 20, top = 20, bottom = 40;
    const xMin = Math.min(...xs), xMax = Math.max(...xs);
    const yMin = Math.min(0, ...values), yMaxRaw = Math.max(...values);
    const step = niceStep(yMaxRaw - yMin);
    const yMax = Math.ceil(yMaxRaw / step) * step || 1;
    const x = (v) => left + (xMax === xMin ? 0.5 : (v - xMin) / (xMax - xMin)) * (width - left - right);
    const y = (v) => height - bottom - ((v - yMin) / (yMax - yMin)) * (height - top - bottom);
    const svg = el("svg", { viewBox: `0 0 ${width} ${height}`, role: "img",
      "aria-labelledby": titleId, "data-series-count": series.length });
    el("title", { id: titleId }, svg).textContent =
      `Line chart of ${series.length} series over ${data.periods.length} periods`;
    for (let tick = yMin; tick <= yMax + step / 2; tick += step) {
      el("line", { class: "grid", x1: left, x2: width - right, y1: y(tick), y2: y(tick) }, svg);
      const label = el("text", { x: left - 6, y: y(tick) + 4, "text-anchor": "end" }, svg);
      label.textContent = compact(tick);
    }
    el("line", { class: "axis", x1: left, x2: width - right, y1: height - bottom, y2: height - bottom }, svg);
    const every = Math.ceil(data.periods.length / 12);
    data.periods.forEach((period, i) => {
      if (i % every) return;
      const label = el("text", { x: x(xs[i]), y: height - bottom + 18, "text-anchor": "middle" }, svg);
      label.textContent = period;
    });
    const legend = document.createElement("ul");
    legend.className = "legend";
    series.forEach((s, n) => {
      const colour = COLOURS[n % COLOURS.length];
      const group = el("g", { class: "series", "data-series": s.key, "data-label": s.label }, svg);
      const points = data.periods
        .map((period, i) => [period, xs[i], s.values[period]])
        .filter((p) => p[2] !== null && p[2] !== undefined);
      el("polyline", { class: "line", stroke: colour,
        points: points.map((p) => `${x(p[1])},${y(p[2])}`).join(" ") }, group);
      for (const [period, px, value] of points) {
        const dot = el("circle", { cx: x(px), cy: y(value), r: 3.5, fill: colour,
          "data-period": period, "data-value": value }, group);
        el("title", {}, dot).textContent = `${s.label}, ${period}: ${value.toLocaleString()}`;
      }
      const item = document.createElement("li");
      const swatch = document.createElement("span");
      swatch.style.background = colour;
      item.append(swatch, s.label);
      legend.appendChild(item);
    });
    holder.appendChild(svg);
    holder.appendChild(legend);
    holder.dataset.empty = "false";
  }

  // "All" (value "") and codes exclude each other: choosing All clears the codes, choosing
  // a code clears All, and clearing every code chooses All again.
  const previous = new WeakMap();
  const chosen = (select) => new Set(Array.from(select.selectedOptions, (o) => o.value));

  function settleAll(select) {
    const all = select.querySelector('option[value=""]');
    if (!select.multiple || !all) return;
    const before = previous.get(select) || new Set();
    const now = chosen(select);
    if (now.has("") && now.size > 1) {
      const allIsNew = !before.has("");
      for (const option of select.options) {
        if (allIsNew ? option !== all : option === all) option.selected = false;
      }
    } else if (now.size === 0) {
      all.selected = true;
    }
    previous.set(select, chosen(select));
  }

  // Bring each filter's options (narrowed by the other filters' choices) up to date from
  // a freshly rendered page, leaving a list alone when its options are the same.
  function updateFilters(page) {
    for (const fresh of page.querySelectorAll("#filters select")) {
      const select = document.getElementById(fresh.id);
      if (!select) continue;
      const signature = (s) => Array.from(s.options, (o) => `${o.value}\t${o.text}`).join("\n");
      if (signature(select) !== signature(fresh)) {
        select.replaceChildren(...Array.from(fresh.options, (o) => document.importNode(o, true)));
        select.size = fresh.size;
      }
      Array.from(select.options).forEach((option, i) => {
        option.selected = fresh.options[i].hasAttribute("selected");
      });
      previous.set(select, chosen(select));
    }
  }

  let latest = 0;

  async function reload(form) {
    const ticket = ++latest;
    const params = new URLSearchParams(new FormData(form));
    const url = `${form.action}?${params}`;
    const response = await fetch(url, { headers: { Accept: "text/html" } });
    const text = await response.text();
    if (ticket !== latest) return; // a later change is on its way
    const page = new DOMParser().parseFromString(text, "text/html");
    const fresh = page.getElementById("results");
    const results = document.getElementById("results");
    if (fresh && results) {
      updateFilters(page);
      results.replaceWith(fresh);
      history.replaceState(null, "", response.url);
      draw();
    }
  }

  document.addEventListener("DOMContentLoaded", () => {
    draw();
    const form = document.getElementById("filters");
    if (!form) return;
    for (const select of form.querySelectorAll("select")) previous.set(select, chosen(select));
    form.addEventListener("change", (event) => {
      if (event.target instanceof HTMLSelectElement) settleAll(event.target);
      reload(form).catch(() => form.submit());
    });
  });
})();
