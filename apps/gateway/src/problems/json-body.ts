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
 * PostgreSQL cannot store NUL in text or JSON; say so instead of failing later. Walks the body
 * iteratively (a recursive walk overflowed the stack on `[[[[…]]]]` thousands deep — a 500
 * found by the fuzz test) and reports bodies nested deeper than MAX_JSON_DEPTH.
 */
function scanJson(root: unknown): 'nul' | 'deep' | null {
  const stack: Array<[unknown, number]> = [[root, 0]];
  while (stack.length) {
    const [v, depth] = stack.pop()!;
    if (typeof v === 'string') {
      if (v.includes('\u0000')) return 'nul';
    } else if (v && typeof v === 'object') {
      if (depth >= MAX_JSON_DEPTH) return 'deep';
      for (const [k, x] of Object.entries(v)) {
        if (k.includes('\u0000')) return 'nul';
        stack.push([x, depth + 1]);
      }
    }
  }
  return null;
}

/**
 * A JSON request body checked against its zod schema: 415 for a body that is not JSON, 422 with
 * per-field `errors[]` for JSON of the wrong shape (also NUL characters and absurd nesting).
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
  if (scan === 'nul') throw new ApiProblem(422, ErrorCode.ValidationFailed, 'strings may not contain NUL (\\u0000) characters');
  if (scan === 'deep') throw new ApiProblem(422, ErrorCode.ValidationFailed, `the JSON body nests deeper than ${MAX_JSON_DEPTH} levels`);
  const body = schema.safeParse(raw);
  if (!body.success) throw new ApiProblem(422, ErrorCode.ValidationFailed, `${o.what} ${o.plural ? 'are' : 'is'} not valid`, { errors: issues(body.error) });
  return body.data;
}
