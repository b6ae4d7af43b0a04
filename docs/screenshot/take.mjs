// Takes docs/dashboard.png: the Aspire dashboard's resources page with the primary node's details
// open (its Role/Term/Primary/Commit index properties), from an AppHost that is already running.
//
//   ASPIRE_DASHBOARD_UNSECURED_ALLOW_ANONYMOUS=true dotnet run --project KvAspire.AppHost -- --Cluster:Timing=Fast
//   cd docs/screenshot && npm install && node take.mjs
//
// Settings (environment): DASHBOARD_URL (default http://localhost:15080; pass the login URL with its
// token, from the AppHost's output, when the dashboard is secured), GATEWAY_URL (default
// http://localhost:5080, used to find the primary), CHROMIUM (default /usr/bin/chromium),
// OUT_DIR (default docs/, the folder above this one).
import puppeteer from 'puppeteer-core';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const dashboard = process.env.DASHBOARD_URL ?? 'http://localhost:15080';
const gateway = process.env.GATEWAY_URL ?? 'http://localhost:5080';
const docs = process.env.OUT_DIR ?? fileURLToPath(new URL('..', import.meta.url));
const resources = ['gateway', 'node1', 'node2', 'node3'];
const timeout = 30_000;

/** The node the gateway routes to, once the cluster has one. */
async function primary() {
  const deadline = Date.now() + timeout;
  while (Date.now() < deadline) {
    try {
      const status = await (await fetch(`${gateway}/cluster`)).json();
      if (status.primary) return status.primary;
    } catch { /* gateway still starting */ }
    await new Promise(resolve => setTimeout(resolve, 500));
  }
  throw new Error(`no primary reported by ${gateway}/cluster within ${timeout / 1000} s`);
}

const browser = await puppeteer.launch({
  executablePath: process.env.CHROMIUM ?? '/usr/bin/chromium',
  headless: true,
  // The dashboard is Blazor Server: it needs a real page with its websocket, not --screenshot.
  args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
    '--disable-component-update', '--disable-sync', '--disable-dev-shm-usage'],
});
try {
  const node = await primary();
  const page = await browser.newPage();
  await page.setViewport({ width: 1600, height: 900, deviceScaleFactor: 1 });
  await page.goto(dashboard, { waitUntil: 'networkidle2', timeout });
  // The login URL redirects to the resources page; wait until every resource name has rendered.
  await page.waitForFunction(names => names.every(name => document.body.innerText.includes(name)),
    { timeout }, resources);
  // The local-run banners (no dev certificate, unsecured endpoint) only hide the resources.
  for (const close of await page.$$('fluent-button.dashboard-message-bar-dismiss'))
    await close.click();
  await new Promise(resolve => setTimeout(resolve, 500));
  // Open the primary's details pane, where the role properties are shown.
  const opened = await page.evaluate(name => {
    const cell = [...document.querySelectorAll('fluent-data-grid-cell, td')]
      .find(element => element.innerText.trim().startsWith(name));
    cell?.click();
    return cell !== undefined;
  }, node);
  if (!opened) throw new Error(`no row for ${node} on the resources page`);
  await page.waitForFunction(() => document.body.innerText.includes('Commit index'), { timeout });
  await new Promise(resolve => setTimeout(resolve, 1000)); // let the pane finish its layout
  await page.screenshot({ path: join(docs, 'dashboard.png') });
  console.log(`saved ${join(docs, 'dashboard.png')} (primary: ${node})`);
} finally {
  await browser.close();
}
