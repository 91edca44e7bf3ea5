import { html, type SafeHtml } from './html';

/** What every page shows besides its content. */
export interface PageContext {
  /** The Region that served the page. */
  readonly region: string;
}

/** Formats an amount in dollars. */
export function money(amount: number): string {
  return `$${amount.toFixed(2)}`;
}

const UTC_FORMAT = new Intl.DateTimeFormat('en-GB', {
  timeZone: 'UTC',
  day: 'numeric',
  month: 'short',
  year: 'numeric',
  hour: '2-digit',
  minute: '2-digit',
  hourCycle: 'h23',
});

/**
 * A moment for the shopper: a `<time>` with the ISO instant, showing UTC (`7 Dec 2026, 14:05 UTC`) until
 * `/assets/local-time.js` rewrites it in the browser's own time zone. The browser knows the shopper's zone and the
 * server does not (no header carries it), so the page stays cacheable-free of guesses and correct without scripts.
 */
export function localTime(iso: string): SafeHtml {
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return html`${iso}`;
  return html`<time datetime="${date.toISOString()}" data-local-time>${UTC_FORMAT.format(date)} UTC</time>`;
}

/**
 * The script behind {@link localTime}, served as `/assets/local-time.js` from the shop's own origin (the CSP allows
 * `script-src 'self'`, no inline script): each `<time data-local-time>` shows its instant in the browser's time zone,
 * with the zone's name; its title names the IANA zone.
 */
export const LOCAL_TIME_JS = `(() => {
  const format = new Intl.DateTimeFormat(undefined, {
    day: 'numeric', month: 'short', year: 'numeric', hour: '2-digit', minute: '2-digit', timeZoneName: 'short',
  });
  const zone = Intl.DateTimeFormat().resolvedOptions().timeZone;
  for (const element of document.querySelectorAll('time[data-local-time]')) {
    const date = new Date(element.getAttribute('datetime'));
    if (Number.isNaN(date.getTime())) continue;
    element.textContent = format.format(date);
    if (zone) element.title = zone;
  }
})();
`;

/** The page frame: header with navigation, the serving Region in the banner and the footer, the content. */
export function layout(context: PageContext, title: string, content: SafeHtml): string {
  return html`<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${title} · Two-Region Shop</title>
<link rel="stylesheet" href="/assets/site.css">
<script src="/assets/local-time.js" defer></script>
</head>
<body>
<header class="top">
  <a class="brand" href="/">Two-Region Shop</a>
  <nav>
    <a href="/catalog">Catalog</a>
    <a href="/cart">Cart</a>
    <a href="/orders">My orders</a>
  </nav>
  <span class="region" data-testid="region">Served from <strong>${context.region}</strong></span>
</header>
<main>
${content}
</main>
<footer>Served from <strong>${context.region}</strong> · the shop keeps running if a Region fails</footer>
</body>
</html>
`.value;
}

/** The stylesheet, served as `/assets/site.css` (no inline styles, so the CSP can forbid them). */
export const SITE_CSS = `
:root { --ink: #1f2933; --muted: #616e7c; --accent: #0b6e4f; --line: #e4e7eb; --bg: #f8f9fa; }
* { box-sizing: border-box; }
body { margin: 0; font: 16px/1.5 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; color: var(--ink); background: var(--bg); }
a { color: var(--accent); }
header.top { display: flex; gap: 1.5rem; align-items: center; padding: .8rem 1.5rem; background: #fff; border-bottom: 1px solid var(--line); flex-wrap: wrap; }
.brand { font-weight: 700; font-size: 1.2rem; text-decoration: none; color: var(--ink); }
nav { display: flex; gap: 1rem; flex: 1; }
.region { font-size: .85rem; padding: .2rem .6rem; border-radius: 999px; background: #e6f4ea; color: var(--accent); }
main { max-width: 1100px; margin: 0 auto; padding: 1.5rem; }
footer { text-align: center; color: var(--muted); font-size: .85rem; padding: 2rem 1rem; }
.hero { padding: 2rem; background: #fff; border: 1px solid var(--line); border-radius: 12px; margin-bottom: 1.5rem; }
.grid { display: grid; grid-template-columns: repeat(auto-fill, minmax(220px, 1fr)); gap: 1rem; }
.card { background: #fff; border: 1px solid var(--line); border-radius: 12px; padding: 1rem; display: flex; flex-direction: column; gap: .4rem; }
.card img, .product img { width: 100%; height: auto; border-radius: 8px; background: var(--bg); }
.card a { text-decoration: none; color: var(--ink); font-weight: 600; }
.price { font-weight: 700; }
.tags { display: flex; gap: .4rem; flex-wrap: wrap; margin: 0 0 1rem; padding: 0; list-style: none; }
.tags a { padding: .15rem .6rem; border: 1px solid var(--line); border-radius: 999px; background: #fff; text-decoration: none; font-size: .85rem; }
.tags a.on { background: var(--accent); color: #fff; }
.product { display: grid; grid-template-columns: minmax(0, 1fr) minmax(0, 1fr); gap: 2rem; }
table { width: 100%; border-collapse: collapse; background: #fff; }
th, td { text-align: left; padding: .6rem; border-bottom: 1px solid var(--line); }
td.num, th.num { text-align: right; }
form.inline { display: inline-flex; gap: .4rem; align-items: center; }
input, select { font: inherit; padding: .4rem .5rem; border: 1px solid #cbd2d9; border-radius: 6px; }
input[type=number] { width: 5rem; }
button, .button { font: inherit; padding: .5rem 1rem; border: 0; border-radius: 6px; background: var(--accent); color: #fff; cursor: pointer; text-decoration: none; display: inline-block; }
button.link { background: none; color: var(--accent); padding: 0; text-decoration: underline; }
.fields { display: grid; grid-template-columns: repeat(2, minmax(0, 1fr)); gap: .8rem 1rem; max-width: 640px; }
.fields label { display: flex; flex-direction: column; font-size: .9rem; color: var(--muted); }
.error { padding: .8rem 1rem; border-radius: 8px; background: #fde8e8; color: #9b1c1c; margin-bottom: 1rem; }
.notice { padding: .8rem 1rem; border-radius: 8px; background: #e6f4ea; margin-bottom: 1rem; }
.pager { display: flex; gap: 1rem; margin-top: 1rem; }
.muted { color: var(--muted); }
.order-number { font-variant-numeric: tabular-nums; letter-spacing: .02em; white-space: nowrap; }
.table-scroll { overflow-x: auto; }
@media (max-width: 700px) { .product, .fields { grid-template-columns: 1fr; } }
@media (max-width: 560px) { main { padding: 1rem .75rem; } th, td { padding: .5rem .35rem; } table.orders .items { display: none; } }
`;
