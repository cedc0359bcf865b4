import { EmailSendInput } from './job-types';

describe('EmailSendInput', () => {
  const to = 'ada@example.com';
  const problems = (v: unknown) => {
    const r = EmailSendInput.safeParse(v);
    return r.success ? [] : r.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`);
  };

  it('names an unknown template as such, not as a missing subject', () => {
    expect(problems({ to, template: 'nope', data: {} })).toEqual([expect.stringMatching(/^template: unknown template: one of order-confirmation, job-finished/)]);
  });

  it('takes a literal email without a template, and still wants its subject and a body', () => {
    expect(problems({ to, subject: 'Hi', text: 'hello' })).toEqual([]);
    expect(problems({ to, text: 'hello' })).toEqual([expect.stringMatching(/^subject: /)]);
    expect(problems({ to, subject: 'Hi' })).toEqual([': text or html is required']);
  });

  it('checks a known template\'s data against that template', () => {
    expect(problems({ to, template: 'job-finished', data: {} }).every((p) => p.startsWith('data.'))).toBe(true);
    expect(problems({ to, template: 'job-finished', data: {} }).length).toBeGreaterThan(0);
  });
});
