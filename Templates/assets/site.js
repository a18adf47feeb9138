// cellscope: keyboard navigation between cell pages (j / k or arrows, u), and
// sorting and filtering of the cell table. The pages work without this file.
(function () {
  'use strict';

  function typing(event) {
    var t = event.target;
    return t && (t.tagName === 'INPUT' || t.tagName === 'SELECT' || t.tagName === 'TEXTAREA' || t.isContentEditable);
  }

  // Cell pages: j or the right arrow for the next cell, k or the left arrow for the previous one, u for the table.
  var keys = { j: 'nav-next', ArrowRight: 'nav-next', k: 'nav-prev', ArrowLeft: 'nav-prev', u: 'nav-up' };
  document.addEventListener('keydown', function (event) {
    if (event.altKey || event.ctrlKey || event.metaKey || event.shiftKey || typing(event)) return;
    var id = keys[event.key];
    var link = id ? document.getElementById(id) : null;
    if (link) {
      event.preventDefault();
      window.location.href = link.href;
    }
  });

  // The cell table: click a heading to sort by it, choose a feature or layer to filter.
  var table = document.getElementById('cells-table');
  if (!table) return;
  var body = table.tBodies[0];
  var rows = Array.prototype.slice.call(body.rows);
  rows.forEach(function (row, i) { row.cellscopeOrder = i; });
  var headers = Array.prototype.slice.call(table.tHead.rows[0].cells);
  var sorted = { column: -1, descending: false };

  // Cells hold formatted numbers: "0.970", "+0.310", "\u22120.050" (a real minus), "12.3%", or a dash.
  function key(row, column, numeric) {
    var text = row.cells[column].textContent.trim();
    if (!numeric) return text.toLowerCase();
    var v = parseFloat(text.replace('\u2212', '-'));
    return isNaN(v) ? null : v;
  }

  function sortBy(column) {
    var numeric = headers[column].getAttribute('data-sort') === 'num';
    var descending = sorted.column === column ? !sorted.descending : numeric && column > 0;
    rows.sort(function (a, b) {
      var x = key(a, column, numeric), y = key(b, column, numeric);
      if (x === y) return a.cellscopeOrder - b.cellscopeOrder;
      if (x === null) return 1;
      if (y === null) return -1;
      // Text in natural order, so that "L0 c 2" comes before "L0 c 10".
      var order = numeric ? (x < y ? -1 : 1) : x.localeCompare(y, 'en', { numeric: true }) || (x < y ? -1 : 1);
      return descending ? -order : order;
    });
    rows.forEach(function (row) { body.appendChild(row); });
    headers.forEach(function (th, i) {
      th.classList.toggle('sorted-asc', i === column && !descending);
      th.classList.toggle('sorted-desc', i === column && descending);
    });
    sorted = { column: column, descending: descending };
  }

  headers.forEach(function (th, i) {
    if (!th.hasAttribute('data-sort')) return;
    th.tabIndex = 0;
    th.addEventListener('click', function () { sortBy(i); });
    th.addEventListener('keydown', function (event) {
      if (event.key === 'Enter' || event.key === ' ') {
        event.preventDefault();
        sortBy(i);
      }
    });
  });

  var filters = document.getElementById('filters');
  var feature = document.getElementById('filter-feature');
  var layer = document.getElementById('filter-layer');
  var count = document.getElementById('filter-count');
  function filter() {
    var shown = 0;
    rows.forEach(function (row) {
      var ok = (!feature.value || row.getAttribute('data-feature') === feature.value) &&
        (!layer.value || row.getAttribute('data-layer') === layer.value);
      row.hidden = !ok;
      if (ok) shown += 1;
    });
    count.textContent = shown + ' of ' + rows.length + ' cells';
  }
  if (filters && feature && layer && count) {
    filters.hidden = false;
    feature.addEventListener('change', filter);
    layer.addEventListener('change', filter);
    filter();
  }
})();
