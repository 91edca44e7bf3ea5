import { STATUS_CODES } from 'node:http';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { type ErrorBody, HttpError, RETRY_AFTER_SECONDS } from './http-error';
import type { ServiceApp } from './service-app';
import { classifyStoreError, storeUnavailable } from './store-failure';

/** Renders an error as an HTML page for browsers; returning `undefined` falls back to JSON. */
export type HtmlErrorRenderer = (body: ErrorBody, request: FastifyRequest) => string | undefined;

interface FastifyLikeError {
  readonly code?: string;
  readonly statusCode?: number;
  readonly message?: string;
}

/**
 * Maps anything thrown by a route (or by Fastify while parsing the request) to the response body: 4xx keep a
 * message naming the field; 5xx say only that something failed, with the request id to find it in the logs.
 */
export function toErrorBody(error: unknown, requestId: string, bodyLimitBytes: number): ErrorBody {
  if (error instanceof HttpError) {
    return body(error.statusCode, error.message, requestId, error.field);
  }
  const e = (typeof error === 'object' && error !== null ? error : {}) as FastifyLikeError;
  switch (e.code) {
    case 'FST_ERR_CTP_BODY_TOO_LARGE':
      return body(413, `body is larger than the accepted ${bodyLimitBytes} bytes`, requestId, 'body');
    case 'FST_ERR_CTP_INVALID_JSON_BODY':
      return body(400, 'body is not valid JSON', requestId, 'body');
    case 'FST_ERR_CTP_EMPTY_JSON_BODY':
      return body(400, 'body is empty; accepted: a JSON document', requestId, 'body');
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
      return body(
        415,
        'headers.content-type is not accepted; accepted: application/json',
        requestId,
        'headers.content-type',
      );
    case 'FST_ERR_CTP_INVALID_CONTENT_LENGTH':
      return body(400, 'headers.content-length does not match the body', requestId, 'headers.content-length');
    default:
      break;
  }
  if (isPostgresDataError(error)) {
    // A safety net: validation should have refused the value. The driver's text stays in the log.
    return body(
      400,
      'the request holds a value the database cannot store or compare; check its text, number and date values',
      requestId,
    );
  }
  const status = e.statusCode;
  if (typeof status === 'number' && status >= 400 && status < 500) {
    return body(status, e.message ?? STATUS_CODES[status] ?? 'bad request', requestId);
  }
  // A store failure a store client did not name (a query on a transaction's own connection): still a 503.
  const failure = classifyStoreError(error);
  if (failure !== undefined) {
    return body(503, storeUnavailable("the service's store", failure, error).message, requestId);
  }
  return body(500, 'internal error; the request id identifies it in the logs', requestId);
}

/**
 * A Postgres "data exception" (SQLSTATE class 22: 22021 a NUL in text, 22003 a numeric overflow, 22008 a date out
 * of range, 22P02 text that is not a uuid or number...): the value sent, not the server, is at fault.
 */
export function isPostgresDataError(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  return !(error instanceof HttpError) && typeof code === 'string' && /^22[0-9A-Z]{3}$/.test(code);
}

function body(statusCode: number, message: string, requestId: string, field?: string): ErrorBody {
  return {
    statusCode,
    error: STATUS_CODES[statusCode] ?? 'Error',
    message,
    ...(field === undefined ? {} : { field }),
    requestId,
  };
}

function wantsHtml(request: FastifyRequest): boolean {
  const accept = request.headers.accept;
  return typeof accept === 'string' && accept.includes('text/html');
}

/** Installs the one error handler and the not-found handler of a service. */
export function installErrorHandlers(
  app: ServiceApp,
  options: { readonly bodyLimitBytes: number; readonly renderHtml?: HtmlErrorRenderer },
): void {
  const send = (reply: FastifyReply, request: FastifyRequest, errorBody: ErrorBody, retryAfterSeconds?: number) => {
    reply.code(errorBody.statusCode);
    // Every 503 says when to come back. RFC 9110, 10.2.3: servers send Retry-After "to indicate how long the user
    // agent ought to wait before making a follow-up request"; with 503 it is "how long the service is expected to be
    // unavailable to the client".
    if (errorBody.statusCode === 503) reply.header('retry-after', String(retryAfterSeconds ?? RETRY_AFTER_SECONDS));
    if (options.renderHtml && wantsHtml(request)) {
      const html = options.renderHtml(errorBody, request);
      if (html !== undefined) return reply.type('text/html; charset=utf-8').send(html);
    }
    return reply.type('application/json; charset=utf-8').send(errorBody);
  };

  app.setErrorHandler((error, request, reply) => {
    const errorBody = toErrorBody(error, request.id, options.bodyLimitBytes);
    if (errorBody.statusCode >= 500) {
      const cause = error instanceof HttpError ? (error.cause ?? error) : error;
      request.log.error({ err: cause, url: request.url, method: request.method }, 'request failed');
    } else if (isPostgresDataError(error)) {
      request.log.warn({ err: error, url: request.url, method: request.method }, 'a value got past validation');
    } else {
      request.log.debug({ statusCode: errorBody.statusCode, message: errorBody.message }, 'request rejected');
    }
    return send(reply, request, errorBody, error instanceof HttpError ? error.retryAfterSeconds : undefined);
  });

  app.setNotFoundHandler((request, reply) =>
    send(reply, request, body(404, `no route for ${request.method} ${request.url.split('?')[0]}`, request.id)),
  );
}
