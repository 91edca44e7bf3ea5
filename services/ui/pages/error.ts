import type { ErrorBody } from '../../platform/http-error';
import { html } from '../html';
import { layout, type PageContext } from '../layout';

const TITLES: Readonly<Record<number, string>> = {
  400: 'That did not work',
  404: 'Not found',
  409: 'Something changed',
  413: 'Too much data',
  503: 'Temporarily unavailable',
};

/** An error page: what went wrong (4xx messages name the field; 5xx say only that it failed) and a way on. */
export function errorPage(context: PageContext, error: ErrorBody): string {
  const title = TITLES[error.statusCode] ?? (error.statusCode >= 500 ? 'Something went wrong' : 'That did not work');
  return layout(
    context,
    title,
    html`<h1>${title}</h1>
<p class="error" role="alert">${error.message}</p>
<p><a href="/">Home</a> · <a href="/cart">Your cart</a></p>
<p><small>Request ${error.requestId ?? ''} · status ${error.statusCode}</small></p>`,
  );
}
