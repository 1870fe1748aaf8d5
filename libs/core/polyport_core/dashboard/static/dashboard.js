// polyport dashboard: every figure comes from this app's JSON endpoints; charts by the bundled uPlot.
"use strict";
(function () {
  const $ = (id) => document.getElementById(id);
  const state = { usagePage: 0, recordsPage: 0, pageSize: 50, charts: [] };
  const palette = ["#3f6fd8", "#e0803a", "#2e9e6b", "#c6417b", "#7a5bd1", "#8a9a1f", "#d04a3c", "#2b9bb3"];

  function text(value) { return value === null || value === undefined ? "–" : String(value); }
  function cell(tr, value, cls) {
    const td = document.createElement("td");
    td.textContent = text(value);
    if (cls) td.className = cls;
    tr.appendChild(td);
    return td;
  }
  function fill(table, rows, build) {
    const body = $(table).querySelector("tbody");
    body.replaceChildren();
    for (const row of rows) { const tr = document.createElement("tr"); build(tr, row); body.appendChild(tr); }
  }
  function query(extra) {
    const params = new URLSearchParams();
    for (const name of ["since", "until", "provider", "model", "user", "tag"]) {
      const value = $("f-" + name).value;
      if (value) params.set(name, value);
    }
    for (const [k, v] of Object.entries(extra || {})) params.set(k, v);
    return params.toString();
  }
  async function get(path, extra) {
    const response = await fetch(path + "?" + query(extra), { credentials: "same-origin" });
    if (!response.ok) throw new Error(path + ": " + response.status + " " + (await response.text()));
    return response.json();
  }
  function options(select, values) {
    const el = $(select);
    const keep = el.value;
    el.replaceChildren(new Option("all", ""));
    for (const v of values) el.appendChild(new Option(v, v));
    if (values.includes(keep)) el.value = keep;
  }
  function ms(seconds) { return seconds === null || seconds === undefined ? "–" : (seconds * 1000).toFixed(0) + " ms"; }

  function stackedBars(target, days, series) {
    const names = Object.keys(series);
    const xs = days.map((d) => Date.parse(d + "T00:00:00Z") / 1000);
    const sums = names.map(() => new Array(days.length).fill(0));
    names.forEach((name, i) => series[name].forEach((v, j) => {
      sums[i][j] = (i > 0 ? sums[i - 1][j] : 0) + v;
    }));
    const data = [xs, ...sums.slice().reverse()];
    const bars = uPlot.paths.bars({ size: [0.7, 60] });
    const opts = {
      width: Math.max(400, target.clientWidth - 10), height: 240,
      series: [{}, ...names.slice().reverse().map((name) => {
        const colour = palette[names.indexOf(name) % palette.length];
        return { label: name, fill: colour, stroke: colour, paths: bars, points: { show: false },
                 value: (u, v, si, idx) => idx === null ? "" : "$" + series[name][idx].toFixed(6) };
      })],
      axes: [{}, { size: 70, values: (u, ticks) => ticks.map((t) => "$" + t) }],
      scales: { x: { time: true, range: [xs[0] - 43200, xs[xs.length - 1] + 43200] } },
    };
    return new uPlot(opts, data, target);
  }

  function lineChart(target, title, t, lines) {
    const names = Object.keys(lines);
    const opts = {
      title: title, width: Math.max(400, target.clientWidth - 10), height: 200,
      series: [{}, ...names.map((n, i) => ({ label: n, stroke: palette[i % palette.length], spanGaps: true,
                                             value: (u, v) => v === null ? "–" : (v * 1000).toFixed(0) + " ms" }))],
      axes: [{}, { size: 80, values: (u, ticks) => ticks.map((v) => (v * 1000).toFixed(0) + " ms") }],
      scales: { x: { time: true, range: state.range } },
    };
    return new uPlot(opts, [t, ...names.map((n) => lines[n])], target);
  }

  async function loadOverview() {
    const data = await get("api/overview");
    const t = data.totals;
    $("total-calls").textContent = t.calls;
    $("total-cost").textContent = t.cost_usd;
    $("total-errors").textContent = t.errors;
    $("total-tokens").textContent = t.input_tokens + " / " + t.output_tokens;
    $("total-unpriced").textContent = t.unpriced;
    state.range = [Date.parse(data.filters.since + "T00:00:00Z") / 1000,
                   Math.min(Date.now() / 1000, Date.parse(data.filters.until + "T00:00:00Z") / 1000 + 86400)];
    if (!$("f-since").value) $("f-since").value = data.filters.since;
    if (!$("f-until").value) $("f-until").value = data.filters.until;
    options("f-provider", data.options.providers);
    options("f-model", data.options.models);
    options("f-user", data.options.users);
    options("f-tag", data.options.tags);
    fill("budgets-table", data.budgets, (tr, b) => {
      cell(tr, b.scope); cell(tr, b.period); cell(tr, b.spent_usd, "num"); cell(tr, b.reserved_usd, "num");
      cell(tr, b.cap_usd, "num");
      const td = cell(tr, "");
      const bar = document.createElement("span"); bar.className = "bar";
      const used = document.createElement("i"); used.style.width = Math.min(100, b.used_pct || 0) + "%";
      bar.appendChild(used);
      if (b.alert_threshold_pct !== null) {
        const mark = document.createElement("b"); mark.style.left = b.alert_threshold_pct + "%"; bar.appendChild(mark);
      }
      td.appendChild(bar); td.appendChild(document.createTextNode(" " + text(b.used_pct) + "%"));
      cell(tr, b.remaining_usd, "num");
    });
  }

  async function loadSpend() {
    const data = await get("api/spend", { stack: $("stack").value });
    const target = $("spend-chart");
    target.replaceChildren();
    if (data.days.length) state.charts.push(stackedBars(target, data.days, data.series));
    else target.textContent = "no spend in this range";
  }

  async function loadMetrics() {
    const data = await get("api/metrics");
    const box = $("latency-charts");
    box.replaceChildren();
    for (const [name, s] of Object.entries(data.series)) {
      const div = document.createElement("div"); div.className = "chart"; box.appendChild(div);
      state.charts.push(lineChart(div, name + " (per " + data.step_minutes + " min)", s.t,
                                  { p50: s.p50, p95: s.p95, p99: s.p99, "TTFT p50": s.ttft_p50 }));
    }
    if (!Object.keys(data.series).length) box.textContent = "no metrics in this range";
    const kinds = Object.entries(data.failures).map(([k, v]) => ({ kind: k, count: v }))
      .concat(Object.entries(data.refused).map(([k, v]) => ({ kind: "refused locally: " + k, count: v })));
    fill("failures-table", kinds, (tr, r) => { cell(tr, r.kind); cell(tr, r.count, "num"); });
    fill("availability-table", data.models, (tr, m) => {
      cell(tr, m.provider + ":" + m.model); cell(tr, m.requests, "num");
      cell(tr, text(m.availability_pct) + "%", "num"); cell(tr, text(m.uptime_pct) + "%", "num");
      cell(tr, ms(m.latency_p50_s), "num"); cell(tr, ms(m.latency_p95_s), "num"); cell(tr, ms(m.latency_p99_s), "num");
      cell(tr, m.request_rate_per_min, "num");
    });
  }

  async function loadHealth() {
    const data = await get("api/health");
    fill("health-table", data.latest, (tr, h) => {
      cell(tr, h.provider); cell(tr, h.status, "status-" + h.status);
      cell(tr, new Date(h.ts * 1000).toISOString().replace("T", " ").slice(0, 19));
      const td = cell(tr, ""); td.className = "dots";
      for (const row of data.history.filter((r) => r.provider === h.provider).slice(-40)) {
        const dot = document.createElement("span"); dot.className = row.ok ? "ok" : "bad"; dot.title = row.status;
        td.appendChild(dot);
      }
    });
  }

  async function loadUsage() {
    const data = await get("api/usage", { page: state.usagePage, page_size: state.pageSize });
    fill("usage-table", data.rows, (tr, r) => {
      cell(tr, r.day); cell(tr, r.provider); cell(tr, r.model); cell(tr, r.calls, "num"); cell(tr, r.errors, "num");
      cell(tr, r.input_tokens, "num"); cell(tr, r.output_tokens, "num"); cell(tr, r.cost_usd, "num");
    });
    const pages = Math.max(1, Math.ceil(data.total / data.page_size));
    $("usage-page").textContent = "page " + (data.page + 1) + " of " + pages + " (" + data.total + " rows)";
  }

  async function loadRecords() {
    const data = await get("api/records", { page: state.recordsPage, page_size: state.pageSize });
    fill("records-table", data.rows, (tr, r) => {
      cell(tr, new Date(r.ts * 1000).toISOString().replace("T", " ").slice(0, 19)); cell(tr, r.provider);
      cell(tr, r.model); cell(tr, r.user); cell(tr, r.tags.join(", ")); cell(tr, r.input_tokens, "num");
      cell(tr, r.output_tokens, "num"); cell(tr, r.cost_usd, "num"); cell(tr, ms(r.latency_s), "num"); cell(tr, r.outcome);
    });
    const pages = Math.max(1, Math.ceil(data.total / data.page_size));
    $("records-page").textContent = "page " + (data.page + 1) + " of " + pages + " (" + data.total + " calls)";
  }

  async function loadAll() {
    document.body.dataset.ready = "no";
    for (const chart of state.charts) chart.destroy();
    state.charts = [];
    const started = performance.now();
    try {
      await loadOverview();
      await Promise.all([loadSpend(), loadMetrics(), loadHealth(), loadUsage(), loadRecords()]);
      document.body.dataset.error = "";
    } catch (error) {
      document.body.dataset.error = String(error);
    }
    document.body.dataset.loadMs = String(Math.round(performance.now() - started));
    document.body.dataset.loads = String(Number(document.body.dataset.loads || 0) + 1);
    document.body.dataset.ready = "yes";
  }

  $("filters").addEventListener("submit", (event) => {
    event.preventDefault(); state.usagePage = 0; state.recordsPage = 0; loadAll();
  });
  $("stack").addEventListener("change", loadSpend);
  $("usage-prev").addEventListener("click", () => { if (state.usagePage > 0) { state.usagePage--; loadUsage(); } });
  $("usage-next").addEventListener("click", () => { state.usagePage++; loadUsage(); });
  $("records-prev").addEventListener("click", () => { if (state.recordsPage > 0) { state.recordsPage--; loadRecords(); } });
  $("records-next").addEventListener("click", () => { state.recordsPage++; loadRecords(); });
  loadAll();
})();
