// The code-list page: the filter box narrows the rows as one types (the same rule as the
// server's `?q=`: every word appears in the row's code, names or annotations, case and accents
// ignored; a matching code keeps its ancestors). Without JavaScript the form submits `q=`.
// The count speaks the page's language through messages.js (sdmxnodeText, here `say`).
"use strict";
(function () {
  const say = window.sdmxnodeText;
  const input = document.getElementById("code-q");
  const table = document.getElementById("codes-table");
  const count = document.getElementById("codes-count");
  if (!input || !table) return;
  const rows = Array.from(table.tBodies[0].rows);
  const byCode = new Map(rows.map((row) => [row.dataset.code, row]));
  // The number of codes: the count's data-total, else the largest number in its text (the
  // server's "(3 of 266 shown)" in any language, digits grouped or not).
  function totalOf(element) {
    if (!element) return rows.length;
    if (element.dataset.total) return Number(element.dataset.total);
    const numbers = (element.textContent.match(/\d+(?:[\s\u00a0\u202f.,\u066c]\d{3})*/g) || [])
      .map((n) => Number(n.replace(/\D/g, "")));
    return numbers.length ? Math.max(...numbers) : rows.length;
  }
  const total = totalOf(count);

  function normalise(text) {
    return text.normalize("NFKD").replace(/\p{M}/gu, "").toLowerCase();
  }

  function apply() {
    const words = normalise(input.value).split(/\s+/).filter(Boolean);
    const keep = new Set();
    for (const row of rows) {
      const text = row.dataset.search || "";
      if (!words.every((word) => text.includes(word))) continue;
      let current = row;
      while (current && !keep.has(current)) {
        keep.add(current);
        current = byCode.get(current.dataset.parent);
      }
    }
    for (const row of rows) row.hidden = !keep.has(row);
    if (count) count.textContent = say("(%(shown)s of %(total)s shown)", { shown: keep.size, total });
  }

  // A link to a row the filter hides (a parent, a member) clears the filter first.
  function reveal() {
    const target = document.getElementById(decodeURIComponent(location.hash.slice(1)));
    if (target && target.hidden) {
      input.value = "";
      apply();
      target.scrollIntoView();
    }
  }

  input.addEventListener("input", apply);
  window.addEventListener("hashchange", reveal);
})();
