/** Stable error codes: in problem+json bodies and in failed jobs' `error.code`. */
export const ErrorCode = {
  // request errors (gateway)
  ValidationFailed: 'validation_failed',
  UnknownJobType: 'unknown_job_type',
  UnsupportedMediaType: 'unsupported_media_type',
  PayloadTooLarge: 'payload_too_large',
  EmptyFile: 'empty_file',
  MissingFile: 'missing_file',
  MalformedJson: 'malformed_json',
  NotFound: 'not_found',
  ResultNotReady: 'result_not_ready',
  ServiceUnavailable: 'service_unavailable',
  Unauthorized: 'unauthorized',
  Forbidden: 'forbidden',
  RateLimited: 'rate_limited',
  IdempotencyKeyReused: 'idempotency_key_reused',
  InvalidCursor: 'invalid_cursor',
  JobFinished: 'job_finished',
  JobNotRetryable: 'job_not_retryable',
  Gone: 'gone',
  Internal: 'internal_error',
  // job failures (workers)
  InputMissing: 'input_missing',
  CorruptInput: 'corrupt_input',
  EncryptedInput: 'encrypted_input',
  TooManyPages: 'too_many_pages',
  /** a limit on decompressed size, text length or pixels was hit (zip bombs, huge images) */
  InputTooLarge: 'input_too_large',
  /** the bytes are another format than the one named (an HTML page sent as .pdf) */
  FormatMismatch: 'format_mismatch',
  NoText: 'no_text',
  Timeout: 'timeout',
  SmtpRejected: 'smtp_rejected',
  SmtpUnavailable: 'smtp_unavailable',
  SmsRejected: 'sms_rejected',
  SmsUnavailable: 'sms_unavailable',
  /** The recipient texted STOP: nothing more is sent to that number until START. */
  SmsOptedOut: 'sms_opted_out',
  /** The job was canceled while this attempt ran: the worker stopped it. */
  Canceled: 'canceled',
  WorkerError: 'worker_error',
  WorkerLost: 'worker_lost',
} as const;
export type ErrorCode = (typeof ErrorCode)[keyof typeof ErrorCode];
