import { z } from 'zod';
import { ErrorCode } from '@jobdesk/contracts';
import { ApiProblem } from './api-problem';

/** Zod issues as `{field, message}`; for a union, the branch that came closest explains best. */
export function issues(e: { issues: readonly z.core.$ZodIssue[] }, prefix = ''): Array<{ field: string; message: string }> {
  return e.issues.flatMap((i) => {
    const at = (prefix + i.path.join('.')).replace(/\.$/, '');
    if (i.code === 'invalid_union' && i.errors.length) {
      const closest = [...i.errors].sort((a, b) => a.length - b.length)[0];
      return issues({ issues: closest }, at ? `${at}.` : '');
    }
    // An unknown key is reported at the key itself, not at the object holding it ("" at the top).
    if (i.code === 'unrecognized_keys') return i.keys.map((k) => ({ field: at ? `${at}.${k}` : k, message: 'unknown field' }));
    return [{ field: at, message: i.message }];
  });
}

/** How deep a JSON body may nest; deeper is refused before anything walks it recursively. */
const MAX_JSON_DEPTH = 32;

/**
 * Why PostgreSQL would refuse to store a string, or null. Neither NUL nor a lone UTF-16
 * surrogate (`"\ud800"` in JSON, which JSON.parse accepts) fits in its text or JSON: the insert
 * failed with 22P02 and the client was told to try again (503) a request that can never succeed.
 */
export function unstorable(s: string): 'nul' | 'surrogate' | null {
  if (s.includes('\u0000')) return 'nul';
  return s.isWellFormed() ? null : 'surrogate';
}

export const UNSTORABLE_MESSAGE = { nul: 'strings may not contain NUL (\\u0000) characters', surrogate: 'strings may not contain lone UTF-16 surrogates (\\ud800-\\udfff without their pair)' };

/**
 * Strings (keys too) PostgreSQL cannot store, and nesting deeper than MAX_JSON_DEPTH. Walks
 * iteratively (a recursive walk overflowed the stack on `[[[[…]]]]` thousands deep — a 500
 * found by the fuzz test).
 */
function scanJson(root: unknown): 'nul' | 'surrogate' | 'deep' | null {
  const stack: Array<[unknown, number]> = [[root, 0]];
  while (stack.length) {
    const [v, depth] = stack.pop()!;
    if (typeof v === 'string') {
      const bad = unstorable(v);
      if (bad) return bad;
    } else if (v && typeof v === 'object') {
      if (depth >= MAX_JSON_DEPTH) return 'deep';
      for (const [k, x] of Object.entries(v)) {
        const bad = unstorable(k);
        if (bad) return bad;
        stack.push([x, depth + 1]);
      }
    }
  }
  return null;
}

/** JSON text from a form field, refused (thrown) like a JSON body when PostgreSQL could not store it. */
export function parseJsonText(text: string): unknown {
  const v: unknown = JSON.parse(text);
  const scan = scanJson(v);
  if (scan === 'deep') throw new Error(`the JSON nests deeper than ${MAX_JSON_DEPTH} levels`);
  if (scan) throw new Error(UNSTORABLE_MESSAGE[scan]);
  return v;
}

/**
 * A JSON request body checked against its zod schema: 415 for a body that is not JSON, 422 with
 * per-field `errors[]` for JSON of the wrong shape (also strings PostgreSQL cannot store and absurd nesting).
 */
export function parseJsonBody<S extends z.ZodType>(schema: S, raw: unknown, o: { what: string; shape: string; alternative?: string; plural?: boolean }): z.infer<S> {
  // A string body means a text/* content type; other non-objects are valid JSON of the wrong kind.
  if (raw === undefined || typeof raw === 'string') {
    throw new ApiProblem(415, ErrorCode.UnsupportedMediaType, `send a JSON object with Content-Type: application/json${o.alternative ?? ''}`);
  }
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) {
    throw new ApiProblem(422, ErrorCode.ValidationFailed, `the body must be a JSON object: ${o.shape}`);
  }
  const scan = scanJson(raw);
  if (scan === 'nul' || scan === 'surrogate') throw new ApiProblem(422, ErrorCode.ValidationFailed, UNSTORABLE_MESSAGE[scan]);
  if (scan === 'deep') throw new ApiProblem(422, ErrorCode.ValidationFailed, `the JSON body nests deeper than ${MAX_JSON_DEPTH} levels`);
  const body = schema.safeParse(raw);
  if (!body.success) throw new ApiProblem(422, ErrorCode.ValidationFailed, `${o.what} ${o.plural ? 'are' : 'is'} not valid`, { errors: issues(body.error) });
  return body.data;
}
