// The data explorer: draws the selection as an SVG line chart (with its unit and flags),
// offers it as SVG and PNG files, reloads the results when a filter or the order changes,
// and copies the REST URL and code snippets. Without JavaScript the forms, the table and
// the snippets work alone. The origins page uses its charts too. Its texts come in the page's
// language through messages.js (sdmxnodeText, here `say`), numbers in the page's locale.
"use strict";
(function () {
  const say = window.sdmxnodeText;
  const number = window.sdmxnodeNumber;
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

  // An axis label: 2.5M, 2,5 M, 250万 (the locale's short form of large numbers).
  function compact(value) {
    return number(value, { notation: "compact", maximumFractionDigits: 2 });
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
    const series = data.series.slice(0, data.maxLines || MAX_LINES);
    const flagNames = data.flags || {};
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
    const counts = { title: data.title, series: series.length, periods: data.periods.length };
    el("title", { id: titleId }, svg).textContent = data.title
      ? say("%(title)s: line chart of %(series)s series over %(periods)s periods", counts)
      : say("Line chart of %(series)s series over %(periods)s periods", counts);
    for (let tick = yMin; tick <= yMax + step / 2; tick += step) {
      el("line", { class: "grid", x1: left, x2: width - right, y1: y(tick), y2: y(tick) }, svg);
      const label = el("text", { x: left - 6, y: y(tick) + 4, "text-anchor": "end" }, svg);
      label.textContent = compact(tick);
    }
    el("line", { class: "axis", x1: left, x2: width - right, y1: height - bottom, y2: height - bottom }, svg);
    if (data.unit) {
      const unit = el("text", { class: "unit", x: left, y: top - 6, "text-anchor": "start" }, svg);
      unit.textContent = data.unit;
    }
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
        const flag = (s.flags || {})[period];
        const dot = el("circle", { cx: x(px), cy: y(value), r: 3.5, fill: colour,
          "data-period": period, "data-value": value }, group);
        if (flag) dot.setAttribute("data-flag", flag);
        const flagText = flag ? ` (${flag}: ${flagNames[flag] || flag})` : "";
        const unitText = data.unit ? ` ${data.unit}` : "";
        el("title", {}, dot).textContent =
          `${s.label}, ${period}: ${number(value)}${unitText}${flagText}`;
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
    if (holder.id === "chart") offerExports(svg, data, series);
  }

  // The chart as files: a standalone SVG (styles written as attributes, the title above,
  // the legend below) and a PNG painted from it on a canvas. Nothing is loaded from a blob
  // or data URL, so the page's Content-Security-Policy (img-src 'self') holds.
  const PRESENTATION = ["fill", "stroke", "stroke-width", "font-size", "font-family", "text-anchor"];
  const exportUrls = [];

  // Words into lines of at most `width` characters.
  function wrap(text, width) {
    const lines = [];
    for (const word of (text || "").split(/\s+/).filter(Boolean)) {
      const last = lines.length - 1;
      if (last >= 0 && lines[last].length + word.length < width) lines[last] += ` ${word}`;
      else lines.push(word);
    }
    return lines;
  }

  function standalone(svg, data, series) {
    const [, , width, height] = svg.getAttribute("viewBox").split(" ").map(Number);
    const row = 18;
    const titleLines = wrap(data.title, 100);
    const flags = Object.entries(data.flags || {});
    const notes = flags.length
      ? [say("Flags: %(flags)s", { flags: flags.map(([c, n]) => `${c} ${n}`).join("; ") })]
      : [];
    const titleHeight = titleLines.length * row + 12;
    const legendHeight = (series.length + notes.length) * row + 10;
    const total = height + titleHeight + legendHeight;
    const out = document.createElementNS(SVG, "svg");
    out.setAttribute("xmlns", SVG);
    out.setAttribute("width", width);
    out.setAttribute("height", total);
    out.setAttribute("viewBox", `0 0 ${width} ${total}`);
    el("rect", { x: 0, y: 0, width, height: total, fill: "#ffffff" }, out);
    titleLines.forEach((line, n) => {
      const title = el("text", { x: 10, y: 20 + n * row, "font-size": "14px",
        "font-family": "sans-serif", fill: "#222222" }, out);
      title.textContent = line;
    });
    notes.forEach((note, n) => {
      const text = el("text", { x: 10, y: total - 10 - (notes.length - 1 - n) * row,
        "font-size": "12px", "font-family": "sans-serif", fill: "#222222" }, out);
      text.textContent = note;
    });
    const body = el("g", { transform: `translate(0,${titleHeight})` }, out);
    const copy = svg.cloneNode(true);
    const live = svg.querySelectorAll("*"), copies = copy.querySelectorAll("*");
    live.forEach((node, i) => {
      const style = getComputedStyle(node);
      for (const name of PRESENTATION) {
        const value = style.getPropertyValue(name);
        if (value && !copies[i].hasAttribute(name)) copies[i].setAttribute(name, value);
      }
    });
    for (const child of Array.from(copy.childNodes)) body.appendChild(child);
    series.forEach((s, n) => {
      const y = height + titleHeight + 10 + n * row;
      el("line", { x1: 10, x2: 30, y1: y - 4, y2: y - 4, stroke: COLOURS[n % COLOURS.length],
        "stroke-width": 3 }, out);
      const label = el("text", { x: 36, y, "font-size": "12px", "font-family": "sans-serif",
        fill: "#222222" }, out);
      label.textContent = s.label;
    });
    return out;
  }

  function paint(ctx, node, dx, dy) {
    for (const child of node.children) {
      const a = (name) => child.getAttribute(name);
      const tag = child.tagName.toLowerCase();
      if (tag === "g") {
        const m = /translate\(([-\d.]+)[ ,]+([-\d.]+)\)/.exec(a("transform") || "");
        paint(ctx, child, dx + (m ? Number(m[1]) : 0), dy + (m ? Number(m[2]) : 0));
        continue;
      }
      const fill = a("fill"), stroke = a("stroke");
      ctx.lineWidth = Number.parseFloat(a("stroke-width")) || 1;
      ctx.beginPath();
      if (tag === "rect") {
        ctx.rect(dx + Number(a("x")), dy + Number(a("y")), Number(a("width")), Number(a("height")));
      } else if (tag === "line") {
        ctx.moveTo(dx + Number(a("x1")), dy + Number(a("y1")));
        ctx.lineTo(dx + Number(a("x2")), dy + Number(a("y2")));
      } else if (tag === "polyline") {
        (a("points") || "").trim().split(/\s+/).filter(Boolean).forEach((pair, i) => {
          const [px, py] = pair.split(",").map(Number);
          if (i) ctx.lineTo(dx + px, dy + py); else ctx.moveTo(dx + px, dy + py);
        });
      } else if (tag === "circle") {
        ctx.arc(dx + Number(a("cx")), dy + Number(a("cy")), Number(a("r")), 0, 2 * Math.PI);
      } else if (tag === "text") {
        ctx.font = `${a("font-size") || "12px"} ${a("font-family") || "sans-serif"}`;
        ctx.textAlign = { middle: "center", end: "right" }[a("text-anchor")] || "left";
        ctx.fillStyle = fill && fill !== "none" ? fill : "#222222";
        ctx.fillText(child.textContent, dx + Number(a("x")), dy + Number(a("y")));
        continue;
      } else {
        continue;
      }
      if (fill && fill !== "none" && tag !== "line" && tag !== "polyline") {
        ctx.fillStyle = fill;
        ctx.fill();
      }
      if (stroke && stroke !== "none") {
        ctx.strokeStyle = stroke;
        ctx.stroke();
      }
    }
  }

  function offerExports(svg, data, series) {
    const box = document.getElementById("chart-export");
    const svgLink = document.getElementById("export-svg");
    const pngLink = document.getElementById("export-png");
    if (!box || !svgLink || !pngLink) return;
    while (exportUrls.length) URL.revokeObjectURL(exportUrls.pop());
    const file = standalone(svg, data, series);
    const text = new XMLSerializer().serializeToString(file);
    const svgUrl = URL.createObjectURL(new Blob([text], { type: "image/svg+xml" }));
    exportUrls.push(svgUrl);
    svgLink.href = svgUrl;
    const name = (data.title || "chart").replace(/[^\w-]+/g, "_").replace(/^_+|_+$/g, "").slice(0, 80);
    svgLink.download = `${name || "chart"}.svg`;
    pngLink.download = `${name || "chart"}.png`;
    const scale = 2;
    const canvas = document.createElement("canvas");
    canvas.width = Number(file.getAttribute("width")) * scale;
    canvas.height = Number(file.getAttribute("height")) * scale;
    const ctx = canvas.getContext("2d");
    ctx.scale(scale, scale);
    paint(ctx, file, 0, 0);
    canvas.toBlob((blob) => {
      if (!blob) return;
      const pngUrl = URL.createObjectURL(blob);
      exportUrls.push(pngUrl);
      pngLink.href = pngUrl;
      box.hidden = false;
    }, "image/png");
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
    const sort = document.getElementById("sort");
    if (sort && !params.has("sort")) params.set("sort", sort.value);
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
      showCopyButtons();
    }
  }

  // Copy buttons (hidden without JavaScript): each names in data-copy the element whose
  // value or text it copies; a status line says it was done.
  function showCopyButtons() {
    for (const button of document.querySelectorAll("button.copy[data-copy]")) button.hidden = false;
  }

  async function copy(button) {
    const source = document.getElementById(button.dataset.copy);
    if (!source) return;
    const text = "value" in source && source.tagName === "INPUT" ? source.value : source.textContent;
    let done = false;
    try {
      await navigator.clipboard.writeText(text);
      done = true;
    } catch (error) {
      if (source.tagName === "INPUT") {
        source.select();
        done = document.execCommand("copy");
      }
    }
    const status = document.querySelector(".copy-status");
    button.dataset.copied = done ? "true" : "false";
    if (status) {
      status.textContent = done
        ? say("Copied to the clipboard.")
        : say("Copying failed: select the text and copy it.");
    }
  }

  document.addEventListener("DOMContentLoaded", () => {
    draw();
    showCopyButtons();
    document.addEventListener("click", (event) => {
      const button = event.target instanceof Element && event.target.closest("button.copy[data-copy]");
      if (button) copy(button);
    });
    document.addEventListener("change", (event) => {
      if (event.target instanceof HTMLSelectElement && event.target.id === "sort") {
        const sortForm = document.getElementById("sort-form");
        if (sortForm) reload(sortForm).catch(() => sortForm.submit());
      }
    });
    const form = document.getElementById("filters");
    if (!form) return;
    for (const select of form.querySelectorAll("select")) previous.set(select, chosen(select));
    form.addEventListener("change", (event) => {
      if (event.target instanceof HTMLSelectElement) settleAll(event.target);
      reload(form).catch(() => form.submit());
    });
  });
})();
