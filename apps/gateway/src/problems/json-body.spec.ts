import { z } from 'zod';
import { ApiProblem } from './api-problem';
import { parseJsonBody, parseJsonText } from './json-body';

const Body = z.strictObject({ type: z.string(), input: z.strictObject({ n: z.number() }) });
const refused = (raw: unknown, o = { what: 'the request', shape: '{"type", "input"}' }) => {
  try {
    parseJsonBody(Body, raw, o);
  } catch (e) {
    return e as ApiProblem;
  }
  throw new Error('accepted');
};

describe('parseJsonBody', () => {
  it('names each unknown key as the field at fault, at the top and nested', () => {
    const p = refused({ type: 't', input: { n: 1, extra: true }, colour: 'red' });
    expect(p.status).toBe(422);
    expect(p.extra.errors).toEqual(expect.arrayContaining([{ field: 'colour', message: 'unknown field' }, { field: 'input.extra', message: 'unknown field' }]));
  });

  it('says what is wrong in a sentence that agrees in number', () => {
    expect(refused({ type: 1, input: { n: 1 } }).message).toBe('the request is not valid');
    expect(refused({ type: 1, input: { n: 1 } }, { what: 'the settings', shape: '{}', plural: true } as never).message).toBe('the settings are not valid');
  });

  it('refuses bodies that are not objects, NUL characters and deep nesting before validating', () => {
    expect(refused('text').status).toBe(415);
    expect(refused([]).status).toBe(422);
    expect(refused({ type: 'a\u0000b', input: { n: 1 } }).message).toContain('NUL');
    let deep: unknown = 1;
    for (let i = 0; i < 40; i++) deep = { d: deep };
    expect(refused(deep).message).toContain('deeper than');
  });

  it('refuses lone UTF-16 surrogates in strings and keys (PostgreSQL cannot store them), keeps proper pairs', () => {
    for (const raw of [{ type: '\ud800', input: { n: 1 } }, { type: 't\udc00', input: { n: 1 } }, { type: 't', input: { n: 1, ['\udbff']: 1 } }]) {
      const p = refused(raw);
      expect([p.status, p.message]).toEqual([422, expect.stringContaining('lone UTF-16 surrogates')]);
    }
    expect(parseJsonBody(Body, { type: 'a \ud83d\ude00', input: { n: 1 } }, { what: 'the request', shape: '{}' }).type).toBe('a 😀');
  });
});

describe('parseJsonText', () => {
  it('refuses what a JSON body would refuse, from JSON text such as a form field', () => {
    expect(() => parseJsonText('{"a":"\\ud800"}')).toThrow('lone UTF-16 surrogates');
    expect(() => parseJsonText('{"\\u0000":1}')).toThrow('NUL');
    expect(() => parseJsonText('{')).toThrow(SyntaxError);
    expect(parseJsonText('{"a":"\\ud83d\\ude00"}')).toEqual({ a: '😀' });
  });
});
