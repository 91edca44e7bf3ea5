/** The fields of an error worth a log line (a type alias, not an interface: pino wants an index signature). */
export type SerializedError = {
  readonly type: string;
  readonly message: string;
  readonly code?: string;
  readonly stack: string;
  readonly cause?: SerializedError;
};

/**
 * pino's `err` serializer for this project. pino's default copies every enumerable property, and some libraries
 * hang whole objects on their errors (pg puts its client, with connection details, on pool errors); this keeps
 * the type, message, code, stack and cause only.
 */
export function serializeError(error: unknown, depth = 0): SerializedError {
  if (!(error instanceof Error)) return { type: typeof error, message: String(error), stack: '' };
  const code = (error as { code?: unknown }).code;
  return {
    type: error.name,
    message: error.message,
    ...(typeof code === 'string' ? { code } : {}),
    stack: error.stack ?? '',
    ...(error.cause !== undefined && depth < 3 ? { cause: serializeError(error.cause, depth + 1) } : {}),
  };
}
