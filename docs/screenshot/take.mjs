// Takes the docs' pictures of the Aspire dashboard with headless Chromium, from an AppHost that is
// already running (attach mode). To start one, take them and stop it again, run ./take.sh (one command).
//
//   docs/dashboard.png         the resources page with the primary's details open (Role/Term/Primary/Commit index)
//   docs/trace-write.png       the trace of one PUT through the gateway: gateway, the primary's `kv SET`, and each
//                              secondary's `replicate` -> replicate.receive/persist/apply
//   docs/metrics-lag.png       kv.replication.max_lag (seconds: the worst secondary's lag) on the primary while this
//                              script writes through the gateway for LOAD_SECONDS (default 20)
//   docs/trace-election.png    the `election` trace after a step-down of the primary, the voters' request_vote under it
//   docs/metrics-failover.png  kv.failover.last_duration on the new primary after the old one crashed (POST
//                              /admin/crash, what the dashboard's Crash command calls)
//
// The last two change the cluster (a step-down, then a crash): run them against a scratch cluster only.
//
// Settings (environment): DASHBOARD_URL (default http://localhost:15080; pass the login URL with its token
// when the dashboard is secured), GATEWAY_URL (default http://localhost:5080), KV_PASSWORD (the client
// password, bearer token for the gateway), KV_ADMIN_SECRET (for step-down and crash), CHROMIUM (default
// /usr/bin/chromium), OUT_DIR (default docs/, the folder above this one), SHOTS (comma-separated subset of
// dashboard,write,lag,election,failover; default all), LOAD_SECONDS (default 20).
import puppeteer from 'puppeteer-core';
import { randomBytes } from 'node:crypto';
import { statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const dashboard = new URL(process.env.DASHBOARD_URL ?? 'http://localhost:15080');
const dashboardBase = dashboard.origin;
const gateway = process.env.GATEWAY_URL ?? 'http://localhost:5080';
const password = process.env.KV_PASSWORD ?? '';
const adminSecret = process.env.KV_ADMIN_SECRET ?? '';
const docs = process.env.OUT_DIR ?? fileURLToPath(new URL('..', import.meta.url));
const shots = (process.env.SHOTS ?? 'dashboard,write,lag,election,failover').split(',').map(s => s.trim());
const loadSeconds = Number(process.env.LOAD_SECONDS ?? 20);
const resources = ['gateway', 'node1', 'node2', 'node3'];
const timeout = 60_000;
const meter = 'KvAspire.Node';

const delay = ms => new Promise(resolve => setTimeout(resolve, ms));

/** Polls `check` (async, returns a truthy value when done) until it holds or `what` times out. */
async function until(what, check, ms = timeout) {
  const deadline = Date.now() + ms;
  for (;;) {
    try {
      const value = await check();
      if (value) return value;
    } catch { /* not yet */ }
    if (Date.now() > deadline) throw new Error(`timed out after ${ms / 1000} s waiting for ${what}`);
    await delay(250);
  }
}

const auth = secret => ({ Authorization: `Bearer ${secret}` });

/** The gateway's view: { primary, term, nodes: [{ node, endpoints: { http } ... }] }. */
async function cluster() {
  const response = await fetch(`${gateway}/cluster`, { headers: auth(password), signal: AbortSignal.timeout(5000) });
  if (!response.ok) throw new Error(`${gateway}/cluster answered ${response.status}`);
  return response.json();
}

/** The primary the gateway routes to, and its HTTP address, once the cluster has one that takes writes. */
async function primary(notThis) {
  return until(notThis ? `a primary other than ${notThis}` : 'a primary', async () => {
    const status = await cluster();
    if (!status.primary || status.primary === notThis) return null;
    const node = status.nodes.find(n => n.node === status.primary);
    return { name: status.primary, term: status.term, http: node?.endpoints?.http?.replace(/\/$/, '') };
  });
}

/** One PUT through the gateway; `traceId` (32 hex) makes it part of a trace the script knows. */
async function put(key, value, traceId) {
  const headers = { ...auth(password), 'content-type': 'application/json' };
  if (traceId) headers.traceparent = `00-${traceId}-${randomBytes(8).toString('hex')}-01`;
  const response = await fetch(`${gateway}/kv/${key}`, { method: 'PUT', headers, body: JSON.stringify(value), signal: AbortSignal.timeout(10_000) });
  await response.arrayBuffer();
  return response.status;
}

/** `workers` writers through the gateway for `seconds`; returns how many writes succeeded. */
async function load(seconds, workers = 8) {
  const end = Date.now() + seconds * 1000;
  let ok = 0, failed = 0;
  await Promise.all(Array.from({ length: workers }, async (_, w) => {
    for (let i = 0; Date.now() < end; i++) {
      try { (await put(`shots:load:${w}:${i % 500}`, { w, i, pad: 'x'.repeat(200) })) === 200 ? ok++ : failed++; }
      catch { failed++; }
    }
  }));
  return { ok, failed };
}

async function admin(node, path) {
  const response = await fetch(`${node.http}${path}`, { method: 'POST', headers: auth(adminSecret), signal: AbortSignal.timeout(10_000) });
  const body = await response.text();
  if (!response.ok) throw new Error(`POST ${node.http}${path} answered ${response.status}: ${body}`);
  return body;
}

const bodyIncludes = (page, texts, ms = timeout) =>
  page.waitForFunction(all => all.every(text => document.body.innerText.includes(text)), { timeout: ms }, texts);

/** Occurrences of `text` in the page's visible text. */
const countOf = (page, text) => page.evaluate(t => document.body.innerText.split(t).length - 1, text);

/** The local-run banners (no dev certificate, unsecured endpoint) only hide what is below them. */
async function dismissBanners(page) {
  for (const close of await page.$$('fluent-button.dashboard-message-bar-dismiss')) await close.click().catch(() => {});
}

/** Absolute paths of this machine (repository, temp folders, home folders, the .NET install) must not show. */
const repoRoot = fileURLToPath(new URL('../..', import.meta.url)).replace(/\/$/, '');
const machinePath = new RegExp(`${repoRoot.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}|(^|[\\s"'=:])/(work|tmp|root|home|usr|opt|var|mnt)/`);

/** Hides the details-pane rows whose value is a path on this machine (Project path, Executable path,
 * Working directory, arguments): they say nothing about the cluster and would publish the machine's layout. */
async function hideMachinePaths(page) {
  await page.evaluate(source => {
    const pattern = new RegExp(source);
    for (const row of document.querySelectorAll('fluent-data-grid-row, tr'))
      if (pattern.test(row.innerText)) row.style.display = 'none';
  }, machinePath.source);
}

async function save(page, name, options = {}) {
  const visible = await page.evaluate(() => document.body.innerText);
  const leak = visible.match(machinePath);
  if (leak) throw new Error(`${name}: the page shows a machine path near "${visible.slice(Math.max(0, leak.index - 40), leak.index + 80)}"`);
  const path = join(docs, name);
  await page.screenshot({ path, ...options });
  console.log(`saved ${path} (${statSync(path).size} bytes)`);
}

/** A metrics page for one instrument; waits until its chart has drawn a line. */
async function metricsPage(page, resource, instrument, minutes = 5) {
  const url = `${dashboardBase}/metrics/resource/${resource}?meter=${encodeURIComponent(meter)}`
    + `&instrument=${encodeURIComponent(instrument)}&duration=${minutes}&view=Graph`;
  await page.goto(url, { waitUntil: 'networkidle2', timeout });
  await bodyIncludes(page, [instrument]);
  await page.waitForSelector('.js-plotly-plot .scatterlayer .trace path', { timeout });
  await dismissBanners(page);
}

/** Every value the metrics page's chart has plotted (Plotly keeps its data on the chart's element). */
const plotted = page => page.evaluate(() => [...document.querySelectorAll('.js-plotly-plot')]
  .flatMap(chart => (chart.data ?? []).flatMap(trace => [...(trace.y ?? [])])).filter(v => typeof v === 'number'));

/** A trace's detail page, once `ready` (a function of the page's text) holds; reloads while spans still arrive. */
async function tracePage(page, traceId, what, ready) {
  await until(what, async () => {
    await page.goto(`${dashboardBase}/traces/detail/${traceId}`, { waitUntil: 'networkidle2', timeout });
    return page.waitForFunction(ready, { timeout: 5000 }).then(() => true, () => false);
  });
  await dismissBanners(page);
}

const browser = await puppeteer.launch({
  executablePath: process.env.CHROMIUM ?? '/usr/bin/chromium',
  headless: true,
  // The dashboard is Blazor Server: it needs a real page with its websocket, not --screenshot.
  args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
    '--disable-component-update', '--disable-sync', '--disable-dev-shm-usage'],
});
try {
  const page = await browser.newPage();
  await page.setViewport({ width: 1600, height: 900, deviceScaleFactor: 1 });
  // The AppHost may still be starting: wait until its dashboard answers. The login URL (or the plain one,
  // unsecured) sets the session; every later page uses it.
  await until(`the dashboard at ${dashboardBase}`, async () => (await fetch(dashboardBase, { signal: AbortSignal.timeout(5000) })).status < 500, 180_000);
  await page.goto(dashboard.href, { waitUntil: 'networkidle2', timeout });
  await page.waitForFunction(names => names.every(name => document.body.innerText.includes(name)),
    { timeout }, resources);
  let node = await primary();
  console.log(`primary: ${node.name} (term ${node.term}) at ${node.http}`);

  if (shots.includes('dashboard')) {
    await dismissBanners(page);
    // Open the primary's details pane, where the role properties are shown.
    const opened = await page.evaluate(name => {
      const cell = [...document.querySelectorAll('fluent-data-grid-cell, td')]
        .find(element => element.innerText.trim().startsWith(name));
      cell?.click();
      return cell !== undefined;
    }, node.name);
    if (!opened) throw new Error(`no row for ${node.name} on the resources page`);
    await bodyIncludes(page, ['Commit index']);
    await delay(1000); // let the pane finish its layout
    await hideMachinePaths(page);
    await save(page, 'dashboard.png');
  }

  if (shots.includes('write')) {
    // The script starts the trace itself (a W3C traceparent on the PUT), so it knows the trace id.
    const traceId = randomBytes(16).toString('hex');
    const status = await put('user:1', { name: 'Alice' }, traceId);
    if (status !== 200) throw new Error(`PUT through the gateway answered ${status}`);
    // Every secondary applies the entry once it hears it committed (the next message from the primary).
    await tracePage(page, traceId, 'the write trace with every node\'s spans', () => {
      const text = document.body.innerText;
      const count = name => text.split(name).length - 1;
      return ['gateway', 'node1', 'node2', 'node3'].every(name => text.includes(name))
        && count('replicate.receive') >= 2 && count('replicate.persist') >= 2 && count('replicate.apply') >= 2;
    });
    console.log(`write trace ${traceId}: ${await countOf(page, 'replicate.apply')} replicate.apply spans`);
    await save(page, 'trace-write.png');
  }

  if (shots.includes('lag')) {
    node = await primary();
    const result = await load(loadSeconds);
    console.log(`load: ${result.ok} writes through the gateway in ${loadSeconds} s (${result.failed} failed)`);
    // The worst secondary's lag, one series: the dashboard's graph of the per-secondary kv.replication.lag adds the
    // secondaries up into a line that means nothing.
    await metricsPage(page, node.name, 'kv.replication.max_lag', 1);
    // Wait for the load's lag to be drawn (a fast machine may keep every secondary caught up: then say so).
    const lagged = await until('a replication lag above 0 on the chart', async () => Math.max(...await plotted(page)) > 0, 15_000)
      .catch(() => false);
    if (!lagged) console.log('note: the chart shows no lag above 0 s (the secondaries kept up)');
    await save(page, 'metrics-lag.png');
  }

  if (shots.includes('election')) {
    node = await primary();
    await admin(node, '/cluster/step-down');
    const next = await primary(node.name);
    console.log(`step-down: ${node.name} -> ${next.name} (term ${next.term})`);
    // The new primary's election: the Traces page, filtered by name, names each trace's full id in its
    // Name cell's title ("Name: node1: election\nTrace Id: ..."). Rows are oldest first: take the last.
    await page.goto(`${dashboardBase}/traces/resource/${next.name}`, { waitUntil: 'networkidle2', timeout });
    const search = await page.waitForSelector('fluent-text-input[name="traces-search"]', { timeout });
    await search.click();
    await page.keyboard.type('election');
    const traceId = await until('the election trace on the Traces page', () => page.evaluate(name => {
      const titles = [...document.querySelectorAll('tr[role=row] td[role=gridcell]')]
        .map(cell => cell.getAttribute('title') ?? '')
        .filter(title => title.startsWith(`Name: ${name}: election`));
      return titles.at(-1)?.match(/Trace Id: ([0-9a-f]{32})/)?.[1] ?? null;
    }, next.name));
    await tracePage(page, traceId, 'the election trace with the voters\' spans',
      () => document.body.innerText.split('request_vote').length - 1 >= 2);
    console.log(`election trace ${traceId}: ${await countOf(page, 'request_vote')} request_vote spans`);
    await save(page, 'trace-election.png');
    node = next;
  }

  if (shots.includes('failover')) {
    node = await primary();
    await admin(node, '/admin/crash');
    const next = await primary(node.name);
    console.log(`crash: ${node.name} -> ${next.name} (term ${next.term})`);
    // The new primary's own value (its Prometheus endpoint), then wait until the chart has drawn it.
    const recorded = await until(`kv.failover.last_duration on ${next.name}`, async () => {
      const text = await (await fetch(`${next.http}/metrics`, { signal: AbortSignal.timeout(5000) })).text();
      const value = text.match(/^kv_failover_last_duration(?:_seconds)?\{[^}]*\} ([0-9.eE+-]+)/m)?.[1];
      return value === undefined ? null : Number(value);
    });
    console.log(`failover: ${next.name} reports kv.failover.last_duration = ${recorded} s`);
    await metricsPage(page, next.name, 'kv.failover.last_duration', 5);
    await until(`the chart to draw the failover of ${recorded} s`,
      async () => (await plotted(page)).some(v => Math.abs(v - recorded) < 1e-6 * Math.max(1, recorded)));
    await save(page, 'metrics-failover.png');
  }
} finally {
  await browser.close();
}
