import type { ErrorBody } from '../../platform/http-error';
import { html } from '../html';
import { layout, type PageContext } from '../layout';
import { shopperMessage } from '../shopper-messages';

const TITLES: Readonly<Record<number, string>> = {
  400: 'That did not work',
  404: 'Not found',
  403: 'Not accepted',
  409: 'Something changed',
  413: 'Too much data',
  503: 'Temporarily unavailable',
};

/**
 * An error page for a shopper: what went wrong and what they can do ({@link shopperMessage}), a way on, and the
 * request id to quote to support. The API's field paths and schema messages stay in the JSON answers.
 */
export function errorPage(context: PageContext, error: ErrorBody): string {
  const title = TITLES[error.statusCode] ?? (error.statusCode >= 500 ? 'Something went wrong' : 'That did not work');
  return layout(
    context,
    title,
    html`<h1>${title}</h1>
<p class="error" role="alert">${shopperMessage(error)}</p>
<p><a href="/catalog">Catalog</a> · <a href="/cart">Your cart</a> · <a href="/orders">My orders</a> · <a href="/">Home</a></p>
<p class="muted"><small>If you contact us about this, quote reference ${error.requestId ?? ''} (error ${error.statusCode}).</small></p>`,
  );
}
