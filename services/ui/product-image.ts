import { createHash } from 'node:crypto';
import { html } from './html';

/** The file names the catalog uses for product images (`/assets/products/<slug>.svg`). */
export const PRODUCT_IMAGE_FILE = /^([a-z0-9]+(?:-[a-z0-9]+){0,9})\.svg$/;

const PALETTES: ReadonlyArray<readonly [string, string]> = [
  ['#0b6e4f', '#7bc8a4'],
  ['#1d4e89', '#7fb2f0'],
  ['#8a3b12', '#f2a65a'],
  ['#5b2a86', '#b892ff'],
  ['#7a1f3d', '#f08ca0'],
  ['#2f4858', '#86bbd8'],
];

/**
 * Draws a product picture from its image slug: a gradient card with the product's initials and name. Generated,
 * so the shop has images without downloading or storing any, and the same slug always gives the same picture.
 */
export function productImageSvg(slug: string): string {
  const digest = createHash('sha256').update(slug).digest();
  const [dark, light] = PALETTES[digest[0]! % PALETTES.length]!;
  const words = slug.split('-');
  const label = words.map((w) => w.charAt(0).toUpperCase() + w.slice(1)).join(' ');
  const initials = words
    .slice(0, 2)
    .map((w) => w.charAt(0).toUpperCase())
    .join('');
  const angle = digest[1]! % 360;
  return html`<svg xmlns="http://www.w3.org/2000/svg" width="480" height="360" viewBox="0 0 480 360" role="img" aria-label="${label}">
<defs><linearGradient id="g" gradientTransform="rotate(${angle} .5 .5)"><stop offset="0" stop-color="${dark}"/><stop offset="1" stop-color="${light}"/></linearGradient></defs>
<rect width="480" height="360" rx="24" fill="url(#g)"/>
<circle cx="240" cy="160" r="92" fill="#ffffff" fill-opacity=".18"/>
<text x="240" y="190" text-anchor="middle" font-family="system-ui, sans-serif" font-size="88" font-weight="700" fill="#ffffff">${initials}</text>
<text x="240" y="310" text-anchor="middle" font-family="system-ui, sans-serif" font-size="26" fill="#ffffff">${label}</text>
</svg>`.value;
}
