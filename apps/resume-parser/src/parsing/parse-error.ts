import { ErrorCode } from '@jobdesk/contracts';

/** Bad input, reported to the job's owner by a stable `code` from ErrorCode. */
export class ParseError extends Error {
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
    this.name = 'ParseError';
  }
}

export const corrupt = (message: string) => new ParseError(ErrorCode.CorruptInput, message);
