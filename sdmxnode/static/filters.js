// The explorer's filters with JavaScript: a search box above long lists, the chosen codes
// listed under each list with "only this", "members" and "remove" buttons, Ctrl-click that
// lets go of a region when one of its own members is added, and the warning about an
// aggregate chosen with its members kept up to date. The options carry their hierarchy
// (data-level, data-parent, data-members) from the server. Every change is announced with a
// bubbling "change" event on the list, which explorer.js answers by reloading the results;
// without JavaScript the form, its "members of a region" lists and the server's warning work
// alone. Its texts come in the page's language through messages.js (sdmxnodeText, here `say`).
"use strict";
(function () {
  const say = window.sdmxnodeText;
  const LONG_LIST = 15;

  const codesOf = (select) => Array.from(select.selectedOptions, (o) => o.value).filter(Boolean);
  const optionOf = (select, code) =>
    Array.from(select.options).find((o) => o.value === code) || null;
  const membersOf = (option) => (option && option.dataset.members ? option.dataset.members.split(" ") : []);
  // A list's name: its label's first part (a name that fell back to another language
  // without its mark, the code after it left out).
  const labelOf = (select) => {
    const label = document.querySelector(`label[for="${select.id}"]`);
    const first = label && label.firstChild;
    if (!first) return select.name;
    const fallback = first instanceof Element && first.classList.contains("fallback");
    return ((fallback && first.querySelector("[lang]")) || first).textContent.trim();
  };

  // The name of an option: its text without the indentation, the code and any note.
  function nameOf(option) {
    const text = option.text.replace(/^\s+/, "");
    const cut = text.lastIndexOf(` (${option.value})`);
    return cut >= 0 ? text.slice(0, cut) : text;
  }

  // Every listed code below `code`, through the members of the listed aggregates.
  function below(select, code) {
    const found = new Set();
    const todo = membersOf(optionOf(select, code));
    while (todo.length) {
      const next = todo.pop();
      if (found.has(next) || next === code) continue;
      found.add(next);
      todo.push(...membersOf(optionOf(select, next)));
    }
    return found;
  }

  // Choose exactly `codes` (none: "All") and tell the form, as a person's choice would.
  function choose(select, codes) {
    const wanted = new Set(codes);
    for (const option of select.options) {
      option.selected = wanted.size ? wanted.has(option.value) : option.value === "";
    }
    remember(select);
    scrollToChoice(select);
    toScroll.add(select); // again once explorer.js has set the reloaded page's choice
    select.dispatchEvent(new Event("change", { bubbles: true }));
  }

  // Bring the first chosen option to the top of the list (its rows are of one height).
  const toScroll = new Set();
  function scrollToChoice(select) {
    const shown = Array.from(select.options).filter((o) => !o.hidden);
    const row = shown.indexOf(select.selectedOptions[0]);
    if (row >= 0) select.scrollTop = row * (select.scrollHeight / shown.length);
  }

  const before = new WeakMap();
  const remember = (select) => before.set(select, new Set(codesOf(select)));

  // Ctrl-click (or Ctrl + Space) adding a member of a chosen region lets go of that region:
  // a region's line beside its members' flattens them. Adding the region itself keeps it.
  function letGoOfRegions(select) {
    const previous = before.get(select) || new Set();
    const now = codesOf(select);
    const added = now.filter((code) => !previous.has(code));
    if (!added.length) return;
    for (const code of previous) {
      if (added.includes(code)) continue;
      const inside = below(select, code);
      if (added.some((a) => inside.has(a))) {
        const option = optionOf(select, code);
        if (option) option.selected = false;
      }
    }
  }

  // A button whose name is its text, then `detail` (the code's name) for screen readers.
  function button(text, detail, action) {
    const element = document.createElement("button");
    element.type = "button";
    element.textContent = text;
    const hidden = document.createElement("span");
    hidden.className = "visually-hidden";
    hidden.textContent = ` (${detail})`;
    element.append(hidden);
    element.addEventListener("click", action);
    return element;
  }

  // The chosen codes under a list, each with its actions.
  // A short list shows its one choice well enough: the list is for long lists (whose choice
  // may be scrolled out of sight), several choices, or a region's members to choose.
  function showChosen(select) {
    const list = document.getElementById(`chosen-${select.id}`);
    if (!list) return;
    const codes = codesOf(select);
    const long = select.options.length - 1 > LONG_LIST;
    const region = codes.length === 1 && membersOf(optionOf(select, codes[0])).length;
    const items = (long || region || codes.length > 1 ? codes : []).map((code) => {
      const option = optionOf(select, code);
      const name = option ? nameOf(option) : code;
      const item = document.createElement("li");
      item.dataset.code = code;
      const text = document.createElement("span");
      text.textContent = `${name} `;
      item.append(text);
      if (codes.length > 1) {
        item.append(button(say("Only this"), name, () => choose(select, [code])));
      }
      const members = membersOf(option);
      if (members.length) {
        item.append(button(say("Select its %(count)s members", { count: members.length }), name,
          () => choose(select, members)));
      }
      const remove = button("×", name, () => choose(select, codes.filter((c) => c !== code)));
      // The sign says nothing when read.
      remove.setAttribute("aria-label", say("Remove %(name)s", { name }));
      item.append(remove);
      return item;
    });
    list.replaceChildren(...items);
    list.hidden = !items.length;
  }

  // The warning about an aggregate chosen with codes below it (the server writes the same).
  function showWarnings(form) {
    const holder = document.getElementById("aggregate-warnings");
    if (!holder) return;
    const notes = [];
    for (const select of form.querySelectorAll("select[multiple]")) {
      const chosen = codesOf(select);
      for (const code of chosen) {
        const inside = below(select, code);
        const members = chosen.filter((c) => inside.has(c));
        if (!members.length) continue;
        const name = (c) => `${nameOf(optionOf(select, c))} (${c})`;
        const note = document.createElement("p");
        note.className = "notice aggregate-warning";
        note.dataset.dimension = select.id.replace(/^f-/, "");
        note.dataset.aggregate = code;
        note.textContent = say(
          "%(dimension)s: %(aggregate)s is an aggregate of %(parts)s, chosen with it: charted " +
            "together, its line adds theirs up.",
          { dimension: labelOf(select), aggregate: name(code), parts: members.map(name).join(", ") });
        notes.push(note);
      }
    }
    const joined = (nodes) => Array.from(nodes, (n) => n.textContent).join("\n");
    if (joined(notes) !== joined(holder.querySelectorAll("p"))) holder.replaceChildren(...notes);
  }

  // A search box above a long list: shows the options whose name or code holds the words.
  const folded = (text) => text.normalize("NFD").replace(/[\u0300-\u036f]/g, "").toLowerCase();

  function narrow(select, query) {
    const words = folded(query).split(/\s+/).filter(Boolean);
    let shown = 0;
    for (const option of select.options) {
      const haystack = folded(`${option.text} ${option.value}`);
      option.hidden = option.value !== "" && !words.every((w) => haystack.includes(w));
      if (!option.hidden && option.value) shown += 1;
    }
    const count = document.getElementById(`count-${select.id}`);
    if (count) {
      count.textContent = words.length
        ? say("%(shown)s of %(total)s shown", { shown, total: select.options.length - 1 })
        : "";
    }
  }

  function addSearch(select) {
    const field = select.closest(".field");
    const input = document.createElement("input");
    input.type = "search";
    input.id = `search-${select.id}`;
    input.className = "filter-search";
    input.autocomplete = "off";
    input.setAttribute("aria-controls", select.id);
    input.setAttribute("aria-describedby", `count-${select.id}`);
    const label = document.createElement("label");
    label.htmlFor = input.id;
    label.className = "filter-search-label";
    label.textContent = say("Search %(name)s", { name: labelOf(select) });
    const count = document.createElement("span");
    count.id = `count-${select.id}`;
    count.className = "filter-count";
    count.setAttribute("aria-live", "polite");
    field.insertBefore(label, select);
    field.insertBefore(input, select);
    field.insertBefore(count, select);
    input.addEventListener("input", () => narrow(select, input.value));
    // The box is not a field of the form: its changes must not reload the results.
    input.addEventListener("change", (event) => event.stopPropagation());
    input.addEventListener("keydown", (event) => {
      if (event.key === "Enter") { // go to the list rather than send the form
        event.preventDefault();
        select.focus();
      }
    });
    // explorer.js replaces the options when the other filters narrow them: search again.
    new MutationObserver(() => narrow(select, input.value)).observe(select, { childList: true });
  }

  function refresh(form, reloaded) {
    for (const select of form.querySelectorAll("select[multiple]")) {
      remember(select);
      showChosen(select);
      if (reloaded && toScroll.delete(select)) scrollToChoice(select);
    }
    showWarnings(form);
  }

  document.addEventListener("DOMContentLoaded", () => {
    const form = document.getElementById("filters");
    if (!form) return;
    for (const select of form.querySelectorAll("select[multiple]")) {
      if (select.options.length - 1 > LONG_LIST) addSearch(select);
      const list = document.createElement("ul");
      list.id = `chosen-${select.id}`;
      list.className = "chosen";
      list.setAttribute("aria-label", say("Chosen: %(name)s", { name: labelOf(select) }));
      select.after(list);
      // Before explorer.js (on the form) reads the choice: let go of the regions left behind.
      select.addEventListener("change", () => letGoOfRegions(select));
    }
    // After explorer.js has settled "All": list the choice and the warnings again.
    form.addEventListener("change", (event) => {
      if (event.target instanceof HTMLSelectElement) refresh(form);
    });
    // explorer.js sets the choices of a reloaded page (a region's members, for one) and
    // then replaces #results: list them again then.
    const results = document.getElementById("results");
    if (results && results.parentNode) {
      new MutationObserver(() => refresh(form, true)).observe(results.parentNode, { childList: true });
    }
    refresh(form);
  });
})();
