// cellscope explorer: colours the excerpt by any cell, and finds the cells that
// mark a selected stretch of text. Reads window.CELLSCOPE_EXPLORER, set by
// explorer-data.js (a script, not fetched, so that the page works from file://).
// All text goes into the page through textContent, never as markup.
(function () {
  'use strict';
  var data = window.CELLSCOPE_EXPLORER;
  var root = document.getElementById('explorer');
  if (!data || !root) return;
  root.hidden = false;

  var ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';
  var LEVELS = 21; // colour classes .v0 … .v20 over [-1, 1], as in style.css
  var chars = Array.from(data.text);
  var n = Math.min(data.length, chars.length);
  var cells = data.cells;
  var values = data.values;

  // A base64 digit d stands for the value (d + 0.5) / 32 - 1.
  var valueOf = new Float64Array(128);
  var classOf = new Array(128);
  for (var d = 0; d < 64; d++) {
    var code = ALPHABET.charCodeAt(d);
    var v = (d + 0.5) / 32 - 1;
    valueOf[code] = v;
    classOf[code] = 'v' + Math.min(LEVELS - 1, Math.max(0, Math.floor((v + 1) / 2 * LEVELS)));
  }
  function value(cell, i) { return valueOf[values.charCodeAt(cell * data.length + i)]; }

  // One span per character, so that a selection maps straight to positions.
  var box = document.getElementById('explorer-text');
  var spans = new Array(n);
  var fragment = document.createDocumentFragment();
  for (var i = 0; i < n; i++) {
    var span = document.createElement('span');
    var ch = chars[i];
    if (ch === '\n' || ch === '\t') {
      var glyph = document.createElement('i');
      glyph.textContent = ch === '\n' ? '\u21b5' : '\u21e5';
      span.appendChild(glyph);
      if (ch === '\n') span.appendChild(document.createTextNode('\n'));
    } else {
      span.textContent = ch;
    }
    span.cellscopeIndex = i;
    spans[i] = span;
    fragment.appendChild(span);
  }
  box.appendChild(fragment);

  var select = document.getElementById('cell-select');
  cells.forEach(function (cell, k) {
    var option = document.createElement('option');
    option.value = String(k);
    option.textContent = cell.label + ' \u00b7 #' + cell.rank + (cell.role ? ' \u00b7 ' + cell.role : '');
    select.appendChild(option);
  });

  var current = -1;
  var selection = null; // [start, end) of the last search
  var roleLine = document.getElementById('cell-role');
  var pageLink = document.getElementById('cell-page');
  var pageBase = pageLink.getAttribute('href').replace(/cells\.html$/, '');

  function paint() {
    var offset = current * data.length;
    for (var i = 0; i < n; i++) {
      var cls = classOf[values.charCodeAt(offset + i)];
      if (selection && i >= selection[0] && i < selection[1]) cls += ' sel';
      spans[i].className = cls;
    }
  }

  function show(k, updateHash) {
    if (k < 0 || k >= cells.length) return;
    current = k;
    select.value = String(k);
    var cell = cells[k];
    roleLine.textContent = cell.label + ', rank ' + cell.rank + (cell.role ? ': ' + cell.role : '');
    if (cell.page) {
      pageLink.setAttribute('href', pageBase + cell.page);
      pageLink.hidden = false;
    } else {
      pageLink.hidden = true;
    }
    paint();
    if (updateHash && location.hash !== '#' + cell.id) {
      try {
        history.replaceState(null, '', '#' + cell.id);
      } catch (e) {
        location.hash = cell.id;
      }
    }
  }

  var byId = {};
  cells.forEach(function (cell, k) { byId[cell.id] = k; });
  function fromHash() {
    var id = decodeURIComponent(location.hash.replace(/^#/, ''));
    if (Object.prototype.hasOwnProperty.call(byId, id)) return byId[id];
    var best = 0;
    cells.forEach(function (cell, k) { if (cell.rank < cells[best].rank) best = k; });
    return best;
  }

  select.addEventListener('change', function () { show(parseInt(select.value, 10), true); });
  document.getElementById('prev-cell').addEventListener('click', function () { show(current - 1, true); });
  document.getElementById('next-cell').addEventListener('click', function () { show(current + 1, true); });
  window.addEventListener('hashchange', function () { show(fromHash(), false); });
  document.addEventListener('keydown', function (event) {
    var t = event.target;
    if (event.altKey || event.ctrlKey || event.metaKey || (t && (t.tagName === 'SELECT' || t.tagName === 'INPUT'))) return;
    if (event.key === 'j' || event.key === 'ArrowRight') { event.preventDefault(); show(current + 1, true); }
    if (event.key === 'k' || event.key === 'ArrowLeft') { event.preventDefault(); show(current - 1, true); }
  });

  // Pattern search (after LSTMVis): the cells that are on inside the selection and off around it.
  function position(node, offset, isEnd) {
    if (node === box) {
      var child = box.childNodes[Math.min(offset, box.childNodes.length - 1)];
      return child ? child.cellscopeIndex + (isEnd && offset >= box.childNodes.length ? 1 : 0) : null;
    }
    var textAtEnd = isEnd && node.nodeType === 3 && offset === 0;
    while (node && node.parentNode !== box) node = node.parentNode;
    if (!node || node.cellscopeIndex === undefined) return null;
    return node.cellscopeIndex + (isEnd && !textAtEnd ? 1 : 0);
  }

  // Two decimals with a real minus sign, as on the other pages.
  function number(x) { return x.toFixed(2).replace(/^-(?=.*[1-9])/, '\u2212').replace(/^-/, ''); }

  var results = document.getElementById('search-results');
  var note = document.getElementById('search-note');
  function search() {
    var sel = window.getSelection();
    if (!sel || sel.rangeCount === 0 || sel.isCollapsed) return;
    var range = sel.getRangeAt(0);
    if (!box.contains(range.commonAncestorContainer) && range.commonAncestorContainer !== box) return;
    var a = position(range.startContainer, range.startOffset, false);
    var b = position(range.endContainer, range.endOffset, true);
    if (a === null || b === null || b <= a) return;
    b = Math.min(b, a + 400);
    selection = [a, b];
    var w = Math.max(20, 2 * (b - a));
    var lo = Math.max(0, a - w), hi = Math.min(n, b + w);
    // Robust margins: the 10th percentile inside against the 90th percentile around
    // (and the reverse for cells that switch off), so one stray character does not decide.
    function quantile(sorted, q) { return sorted[Math.round(q * (sorted.length - 1))]; }
    var ranked = cells.map(function (cell, k) {
      var inside = [], around = [], inSum = 0, outSum = 0;
      for (var i = lo; i < hi; i++) {
        var v = value(k, i);
        if (i >= a && i < b) { inside.push(v); inSum += v; } else { around.push(v); outSum += v; }
      }
      inside.sort(function (x, y) { return x - y; });
      around.sort(function (x, y) { return x - y; });
      var up = around.length ? quantile(inside, 0.1) - quantile(around, 0.9) : quantile(inside, 0.1);
      var down = around.length ? quantile(around, 0.1) - quantile(inside, 0.9) : -quantile(inside, 0.9);
      return {
        k: k, margin: Math.max(up, down), on: up >= down,
        inside: inSum / inside.length, around: around.length ? outSum / around.length : 0
      };
    });
    ranked.sort(function (x, y) { return y.margin - x.margin || cells[x.k].rank - cells[y.k].rank; });
    var body = results.tBodies[0];
    while (body.firstChild) body.removeChild(body.firstChild);
    ranked.slice(0, 15).forEach(function (r) {
      var row = document.createElement('tr');
      var texts = [
        cells[r.k].label + (r.on ? ' (on inside)' : ' (off inside)'), number(r.margin),
        number(r.inside), number(r.around), cells[r.k].role
      ];
      texts.forEach(function (text, j) {
        var td = document.createElement('td');
        td.textContent = text;
        if (j === 0 || j === 4) td.className = 'text';
        row.appendChild(td);
      });
      row.addEventListener('click', function () { show(r.k, true); });
      body.appendChild(row);
    });
    results.hidden = false;
    note.textContent = 'Selected characters ' + a + '\u2013' + (b - 1) + ' (' + (b - a) + '), compared with the ' +
      ((hi - lo) - (b - a)) + ' characters around them. Click a row to show that cell; the selection stays underlined.';
    paint();
  }
  box.addEventListener('mouseup', function () { window.setTimeout(search, 0); });
  box.addEventListener('keyup', function () { window.setTimeout(search, 0); });

  show(fromHash(), false);
})();
