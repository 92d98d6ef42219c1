// The IOM dashboard's one script (served from the dashboard itself; no
// inline script, nothing from the internet). Progressive enhancement: the
// server renders every figure in an accessible table; this draws each
// table's chart from the table itself (so a chart can never show what its
// table does not, and suppressed cells are never plotted), and keeps the
// page live: on a server-sent "update" it fetches the page again and swaps
// the figures in, without a reload.
'use strict';

(function () {
  // Colour-blind-safe palette (Okabe and Ito), then a neutral for references.
  const PALETTE = ['#0072B2', '#E69F00', '#009E73', '#CC79A7', '#56B4E9', '#D55E00',
                   '#F0E442', '#000000'];
  const REFERENCE = '#6f777b';
  let charts = [];

  function rowsOf(table) {
    const body = table.tBodies[0];
    if (!body) return [];
    return Array.from(body.rows).map(function (row) {
      const value = row.querySelector('td.value');
      const reference = row.querySelector('td.reference');
      const suppressed = value.dataset.suppressed === 'true';
      return {
        label: row.cells[0].textContent,
        value: suppressed || value.dataset.value === undefined ? null : Number(value.dataset.value),
        suppressed: suppressed,
        reference: reference && reference.dataset.value !== undefined
          ? Number(reference.dataset.value) : null,
      };
    });
  }

  function chartConfig(kind, title, unit, rows) {
    const shown = kind === 'doughnut' ? rows.filter(function (r) { return !r.suppressed; }) : rows;
    const labels = shown.map(function (r) {
      return r.suppressed ? r.label + ' (suppressed)' : r.label;
    });
    const datasets = [{
      label: unit || title,
      data: shown.map(function (r) { return r.value; }),
      backgroundColor: kind === 'doughnut' ? PALETTE : PALETTE[0],
      borderColor: PALETTE[0],
      spanGaps: false,
    }];
    if (rows.some(function (r) { return r.reference !== null; })) {
      datasets.push({
        label: 'Reference',
        data: shown.map(function (r) { return r.reference; }),
        backgroundColor: REFERENCE,
        borderColor: REFERENCE,
      });
    }
    return {
      type: kind,
      data: { labels: labels, datasets: datasets },
      options: {
        animation: false,
        responsive: true,
        maintainAspectRatio: false,
        plugins: {
          legend: { display: kind === 'doughnut' || datasets.length > 1 },
          title: { display: false },
        },
        // Shares on a 0-100 scale, so a small change does not look like a large one.
        scales: kind === 'doughnut' ? {}
          : { y: { beginAtZero: true, suggestedMax: unit === '%' ? 100 : undefined } },
      },
    };
  }

  function drawCharts(root) {
    if (typeof window.Chart !== 'function') return;  // tables only
    root.querySelectorAll('table.figures').forEach(function (table) {
      const kind = table.dataset.chart;
      if (kind !== 'bar' && kind !== 'line' && kind !== 'doughnut') return;
      const rows = rowsOf(table);
      if (!rows.some(function (r) { return r.value !== null; })) return;
      const title = table.caption ? table.caption.textContent : '';
      const box = document.createElement('div');
      box.className = 'chart-box';
      const canvas = document.createElement('canvas');
      canvas.setAttribute('role', 'img');
      canvas.setAttribute('aria-label', 'Chart: ' + title + '. The table beside it gives every ' +
        'figure.');
      box.appendChild(canvas);
      const suppressed = rows.filter(function (r) { return r.suppressed; }).length;
      if (suppressed > 0) {
        const note = document.createElement('p');
        note.className = 'chart-note';
        note.textContent = suppressed + (suppressed === 1 ? ' group is' : ' groups are') +
          ' suppressed to protect small numbers and not drawn.';
        box.appendChild(note);
      }
      table.parentNode.insertBefore(box, table);
      charts.push(new window.Chart(canvas, chartConfig(kind, title, table.dataset.unit, rows)));
    });
  }

  function live(text, state) {
    const element = document.getElementById('live');
    if (!element) return;
    element.textContent = text;
    element.dataset.state = state;
  }

  function pagePosition() {
    const main = document.getElementById('main');
    return main ? Number(main.dataset.viewPosition || 0) : 0;
  }

  let fetching = false;
  let again = false;

  // Fetches this page again and swaps its <main> in; coalesces updates that
  // arrive while a fetch is under way.
  function refresh() {
    if (fetching) { again = true; return; }
    fetching = true;
    fetch(window.location.pathname + window.location.search,
      { cache: 'no-store', credentials: 'same-origin', headers: { Accept: 'text/html' } })
      .then(function (response) { return response.text(); })
      .then(function (text) {
        const fresh = new DOMParser().parseFromString(text, 'text/html').getElementById('main');
        const main = document.getElementById('main');
        if (!fresh || !main) return;
        charts.forEach(function (chart) { chart.destroy(); });
        charts = [];
        const adopted = document.adoptNode(fresh);
        main.replaceWith(adopted);
        drawCharts(adopted);
        if (Number(adopted.dataset.viewPosition || 0) > 0) {
          live('Live: updated ' + new Date().toLocaleTimeString('en-GB') + ' (log position ' +
            adopted.dataset.viewPosition + ')', 'live');
        }
      })
      .catch(function () { live('Live: could not fetch the new figures; retrying', 'down'); })
      .finally(function () {
        fetching = false;
        if (again) { again = false; refresh(); }
      });
  }

  function follow() {
    if (typeof window.EventSource !== 'function') return;
    const source = new EventSource('/events');
    source.addEventListener('update', function (event) {
      const position = JSON.parse(event.data).viewPosition;
      if (position > pagePosition()) {
        refresh();
      } else {
        live('Live: figures to log position ' + pagePosition(), 'live');
      }
    });
    source.addEventListener('unavailable', function (event) {
      live('The hub is not answering (' + JSON.parse(event.data).message + '); these are the ' +
        'last figures it gave. The page updates when it is back.', 'down');
    });
    source.addEventListener('error', function () {
      live('Live updates interrupted; reconnecting…', 'down');
    });
  }

  document.addEventListener('DOMContentLoaded', function () {
    drawCharts(document);
    follow();
  });
})();
