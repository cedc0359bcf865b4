import { z } from 'zod';
import { ApiProblem } from './api-problem';
import { parseJsonBody } from './json-body';

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
});
