// The texts the pages' scripts write, in the page's language: the server puts their
// translations in <script type="application/json" id="page-messages"> (English msgid ->
// text; none on an English page). sdmxnodeText(msgid, values) answers the translation, else
// the English msgid itself, with its %(name)s placeholders filled in: numbers formatted for
// the page's locale (Intl.NumberFormat of <html lang>). Loaded before the other scripts.
"use strict";
(function () {
  const language = document.documentElement.lang || "en";
  let messages = null;

  function read() {
    if (messages) return messages;
    const block = document.getElementById("page-messages");
    try {
      messages = block ? JSON.parse(block.textContent) : {};
    } catch (error) {
      messages = {};
    }
    return messages;
  }

  function formatNumber(value, options) {
    try {
      return new Intl.NumberFormat(language, options).format(value);
    } catch (error) {
      return new Intl.NumberFormat("en", options).format(value);
    }
  }

  function text(msgid, values) {
    const found = read()[msgid];
    const template = typeof found === "string" && found ? found : msgid;
    return template.replace(/%\((\w+)\)s/g, (whole, name) => {
      if (!values || !(name in values)) return whole;
      const value = values[name];
      return typeof value === "number" ? formatNumber(value) : String(value);
    });
  }

  // A list in the page's language ("A, B and C"), the words joined plainly without Intl.
  function list(items, type) {
    try {
      return new Intl.ListFormat(language, { style: "long", type: type || "conjunction" })
        .format(items);
    } catch (error) {
      return items.join(", ");
    }
  }

  window.sdmxnodeText = text;
  window.sdmxnodeNumber = formatNumber;
  window.sdmxnodeList = list;
})();
