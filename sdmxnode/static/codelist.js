// The code-list page: the filter box narrows the rows as one types (the same rule as the
// server's `?q=`: every word appears in the row's code, names or annotations, case and accents
// ignored; a matching code keeps its ancestors). Without JavaScript the form submits `q=`.
"use strict";
(function () {
  const input = document.getElementById("code-q");
  const table = document.getElementById("codes-table");
  const count = document.getElementById("codes-count");
  if (!input || !table) return;
  const rows = Array.from(table.tBodies[0].rows);
  const byCode = new Map(rows.map((row) => [row.dataset.code, row]));
  const total = count ? count.textContent.replace(/^.*of\s+(\d+).*$/, "$1") : "";

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
    if (count) count.textContent = `(${keep.size} of ${total} shown)`;
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
