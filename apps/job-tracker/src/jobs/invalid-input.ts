import { ErrorCode } from '@jobdesk/contracts';
import { RpcFailure } from '@jobdesk/messaging';

/**
 * SQLSTATEs for text or JSON PostgreSQL cannot take: invalid_text_representation (a lone
 * surrogate escape in JSON), untranslatable_character, character_not_in_repertoire.
 */
const INVALID_INPUT = new Set(['22P02', '22P05', '22021']);

/** Whether PostgreSQL refused the values themselves: the same request can never succeed. */
export function isInvalidInput(e: unknown): boolean {
  // MikroORM's exceptions carry the SQLSTATE as sqlState (and code); pg's as code.
  const x = e as { sqlState?: unknown; code?: unknown } | null;
  return !!x && typeof x === 'object' && (INVALID_INPUT.has(x.sqlState as string) || INVALID_INPUT.has(x.code as string));
}

/**
 * An RPC handler whose invalid-input database errors answer 422 rather than serveRpc's 503
 * "try again": the gateway checks what it can (NUL, lone surrogates), this is the net under it.
 */
export function refusingInvalidInput<A extends unknown[], T>(fn: (...args: A) => Promise<T>): (...args: A) => Promise<T> {
  return async (...args) => {
    try {
      return await fn(...args);
    } catch (e) {
      if (!isInvalidInput(e)) throw e;
      throw new RpcFailure(ErrorCode.ValidationFailed, 'the request holds text PostgreSQL cannot store (e.g. a lone UTF-16 surrogate or a NUL character)', 422);
    }
  };
}
