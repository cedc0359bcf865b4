import parseTask from './parser.worker';

describe('parser.worker', () => {
  it('returns the document for good input', async () => {
    const bytes = new Uint8Array(Buffer.from('Jane Doe\njane@example.com\n'));
    const result = await parseTask({ bytes, format: 'txt', maxPages: 5 });
    expect(result).toMatchObject({ basics: { name: 'Jane Doe', email: 'jane@example.com' } });
  });

  it('returns the error code as a value so it survives the thread boundary', async () => {
    const result = await parseTask({ bytes: new Uint8Array(0), format: 'pdf', maxPages: 5 });
    expect(result).toEqual({ error: { code: 'empty_file', message: expect.any(String) } });
    const junk = await parseTask({ bytes: new Uint8Array([1, 2, 3, 4, 5, 6, 7, 8, 9]), format: 'pdf', maxPages: 5 });
    expect(junk).toEqual({ error: { code: 'corrupt_input', message: expect.any(String) } });
  });
});
