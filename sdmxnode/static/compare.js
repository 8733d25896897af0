// The comparability page: a "find a country or area" box that narrows the definitions table
// as one types. Without JavaScript the box is absent and the form's filters and the column
// headings' sort links do the same work on the server. Its texts speak the page's language
// through messages.js (sdmxnodeText, here `say`).
"use strict";
(function () {
  const say = window.sdmxnodeText;
  const table = document.getElementById("compare-table");
  if (!table || !table.tBodies.length) return;
  const rows = Array.from(table.tBodies[0].querySelectorAll("tr[data-area]"));
  const box = table.closest(".table-scroll") || table;

  const line = document.createElement("p");
  line.className = "find-area";
  const label = document.createElement("label");
  label.htmlFor = "find-area";
  label.textContent = say("Find a country or area");
  const input = document.createElement("input");
  input.type = "search";
  input.id = "find-area";
  input.autocomplete = "off";
  input.setAttribute("aria-controls", "compare-table");
  const status = document.createElement("span");
  status.id = "find-area-status";
  status.setAttribute("role", "status");
  line.append(label, " ", input, " ", status);
  box.parentNode.insertBefore(line, box);

  input.addEventListener("input", () => {
    const text = input.value.trim().toLocaleLowerCase();
    let shown = 0;
    for (const row of rows) {
      const heading = row.querySelector("th");
      const match = !text || heading.textContent.toLocaleLowerCase().includes(text);
      row.hidden = !match;
      if (match) shown += 1;
    }
    status.textContent = text
      ? say("%(shown)s of %(total)s rows match", { shown, total: rows.length })
      : "";
  });
})();
