/* Sort and filter for tables marked data-sortable. The table works without it. */
(function () {
  "use strict";

  // Text sorts as people read it: accents with their letter, "Architect 23" before "Architect 196".
  var collator = new Intl.Collator(undefined, { numeric: true, sensitivity: "base" });

  function cellKey(row, index, numeric) {
    var cell = row.cells[index];
    if (!cell) { return numeric ? -Infinity : ""; }
    var raw = cell.getAttribute("data-value");
    if (raw === null) { raw = cell.textContent; }
    if (numeric) {
      var value = parseFloat(raw);
      return isNaN(value) ? -Infinity : value;
    }
    return raw.trim();
  }

  function compare(x, y, numeric) {
    if (numeric) { return x < y ? -1 : (x > y ? 1 : 0); }
    return collator.compare(x, y);
  }

  // A row standing in for none ("No roles yet."): one cell across the table; never counted or sorted.
  function isPlaceholder(row) {
    return row.cells.length === 1 && row.cells[0].colSpan > 1;
  }

  function setUp(table, number) {
    var body = table.tBodies[0];
    var headers = table.tHead ? table.tHead.rows[0].cells : [];
    if (!body) { return; }
    var rows = Array.prototype.slice.call(body.rows).filter(function (row) { return !isPlaceholder(row); });

    // The label names the box; the count is announced beside it, not read as part of its name.
    var filter = document.createElement("div");
    filter.className = "filter";
    var label = document.createElement("label");
    var input = document.createElement("input");
    input.type = "search";
    input.id = "table-filter-" + number;
    input.placeholder = "Filter by any column";
    label.htmlFor = input.id;
    label.textContent = "Filter";
    var status = document.createElement("span");
    status.className = "muted";
    status.setAttribute("aria-live", "polite");
    filter.appendChild(label);
    filter.appendChild(input);
    filter.appendChild(status);
    var wrap = table.parentNode.classList.contains("table-wrap") ? table.parentNode : table;
    wrap.parentNode.insertBefore(filter, wrap);

    input.addEventListener("input", function () {
      var query = input.value.trim().toLowerCase();
      var shown = 0;
      rows.forEach(function (row) {
        var match = !query || row.textContent.toLowerCase().indexOf(query) !== -1;
        row.hidden = !match;
        if (match) { shown += 1; }
      });
      status.textContent = query ? shown + " of " + rows.length + " shown" : "";
    });

    Array.prototype.forEach.call(headers, function (th, index) {
      var kind = th.getAttribute("data-sort");
      if (!kind) { return; }
      var button = document.createElement("button");
      button.type = "button";
      button.textContent = th.textContent;
      th.textContent = "";
      th.appendChild(button);
      if (!th.hasAttribute("aria-sort")) { th.setAttribute("aria-sort", "none"); }  // else: as rendered
      button.addEventListener("click", function () {
        var ascending = th.getAttribute("aria-sort") !== "ascending";
        Array.prototype.forEach.call(headers, function (other) {
          if (other.hasAttribute("data-sort")) { other.setAttribute("aria-sort", "none"); }
        });
        th.setAttribute("aria-sort", ascending ? "ascending" : "descending");
        var numeric = kind === "number";
        rows.slice().sort(function (a, b) {
          var order = compare(cellKey(a, index, numeric), cellKey(b, index, numeric), numeric);
          return ascending ? order : -order;
        }).forEach(function (row) { body.appendChild(row); });
      });
    });
  }

  Array.prototype.forEach.call(document.querySelectorAll("table[data-sortable]"), setUp);
}());
