import { ErrorCode, ProblemDetails } from '@jobdesk/contracts';

/** A client-facing error: becomes an RFC 9457 problem+json response. */
export class ApiProblem extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly extra: { errors?: ProblemDetails['errors']; retryAfterS?: number } = {},
  ) {
    super(message);
  }
}

const TITLES: Record<number, string> = {
  400: 'Bad Request',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'Not Found',
  405: 'Method Not Allowed',
  409: 'Conflict',
  410: 'Gone',
  413: 'Content Too Large',
  415: 'Unsupported Media Type',
  422: 'Unprocessable Content',
  429: 'Too Many Requests',
  500: 'Internal Server Error',
  503: 'Service Unavailable',
};

/** Fastify's own errors (body parsing, multipart limits) mapped to our codes. */
const FASTIFY_CODES: Record<string, string> = {
  FST_ERR_CTP_INVALID_JSON_BODY: ErrorCode.MalformedJson,
  FST_ERR_CTP_EMPTY_JSON_BODY: ErrorCode.MalformedJson,
  FST_ERR_CTP_BODY_TOO_LARGE: ErrorCode.PayloadTooLarge,
  FST_REQ_FILE_TOO_LARGE: ErrorCode.PayloadTooLarge,
  FST_ERR_CTP_INVALID_MEDIA_TYPE: ErrorCode.UnsupportedMediaType,
  FST_INVALID_MULTIPART_CONTENT_TYPE: ErrorCode.UnsupportedMediaType,
  FST_FILES_LIMIT: ErrorCode.ValidationFailed,
  FST_PARTS_LIMIT: ErrorCode.ValidationFailed,
  FST_FIELDS_LIMIT: ErrorCode.ValidationFailed,
  FST_PROTO_VIOLATION: ErrorCode.ValidationFailed,
  FST_ERR_BAD_URL: ErrorCode.ValidationFailed,
  // Job ids are UUIDs: a path parameter too long for the router names no job.
  FST_ERR_MAX_PARAM_LENGTH: ErrorCode.NotFound,
};
/** Fastify's status for these is not the one clients should see. */
const FASTIFY_STATUS: Record<string, number> = { FST_ERR_MAX_PARAM_LENGTH: 404, FST_FILES_LIMIT: 400, FST_PARTS_LIMIT: 400, FST_FIELDS_LIMIT: 400 };
/** What to tell the client instead of Fastify's own message. */
const FASTIFY_DETAIL: Record<string, string> = {
  FST_REQ_FILE_TOO_LARGE: 'the file is larger than the upload limit (MAX_UPLOAD_BYTES)',
  FST_ERR_CTP_BODY_TOO_LARGE: 'the body is larger than the limit of 1 MiB for JSON (files go as multipart/form-data, up to MAX_UPLOAD_BYTES)',
  FST_ERR_CTP_INVALID_JSON_BODY: 'the body is not valid JSON, or it has a "__proto__" or "constructor.prototype" key, which is refused',
  FST_ERR_CTP_EMPTY_JSON_BODY: 'the body is empty; send a JSON object',
  FST_FILES_LIMIT: 'send one file, in the form field "file"',
  FST_PARTS_LIMIT: 'too many form parts (at most 25)',
  FST_FIELDS_LIMIT: 'too many form fields (at most 20)',
  FST_ERR_MAX_PARAM_LENGTH: 'no such job',
  FST_ERR_BAD_URL: 'the URL is not valid',
  FST_ERR_CTP_INVALID_MEDIA_TYPE: 'the body\'s Content-Type is missing or not one this API reads: send JSON with Content-Type: application/json, or a file as multipart/form-data',
};

export function problemType(code: string): string {
  return `https://jobdesk.dev/problems/${code.replace(/_/g, '-')}`;
}

export function problem(status: number, code: string, detail: string, instance?: string, errors?: ProblemDetails['errors']): ProblemDetails {
  return { type: problemType(code), title: TITLES[status] ?? 'Error', status, detail, code, ...(instance ? { instance } : {}), ...(errors ? { errors } : {}) };
}

/** Anything thrown → problem details (+ Retry-After when it helps). Unknown errors are 500 and logged by the caller. */
export function toProblem(err: unknown, instance?: string): { body: ProblemDetails; retryAfterS?: number; unexpected: boolean } {
  if (err instanceof ApiProblem) {
    return { body: problem(err.status, err.code, err.message, instance, err.extra.errors), retryAfterS: err.extra.retryAfterS, unexpected: false };
  }
  const e = err as { status?: number; statusCode?: number; code?: string; message?: string; getStatus?: () => number; getResponse?: () => unknown };
  if (typeof e?.code === 'string' && FASTIFY_CODES[e.code]) {
    const status = FASTIFY_STATUS[e.code] ?? e.statusCode ?? 400;
    const detail = FASTIFY_DETAIL[e.code] ?? `${e.message}`;
    return { body: problem(status, FASTIFY_CODES[e.code], detail, instance), unexpected: false };
  }
  if (typeof e?.getStatus === 'function') {
    const status = e.getStatus();
    const code = status === 404 ? ErrorCode.NotFound : status === 503 ? ErrorCode.ServiceUnavailable : status >= 500 ? ErrorCode.Internal : ErrorCode.ValidationFailed;
    return { body: problem(status, code, e.message ?? 'error', instance), unexpected: status >= 500 };
  }
  if (typeof e?.statusCode === 'number' && e.statusCode >= 400 && e.statusCode < 500) {
    return { body: problem(e.statusCode, ErrorCode.ValidationFailed, e.message ?? 'bad request', instance), unexpected: false };
  }
  return { body: problem(500, ErrorCode.Internal, 'an unexpected error occurred; it has been logged', instance), unexpected: true };
}
