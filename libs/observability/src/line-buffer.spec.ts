import { execFileSync } from 'node:child_process';
import { LineBuffer } from './line-buffer';

describe('LineBuffer', () => {
  const setup = () => {
    const chunks: string[] = [];
    let pending: (() => void) | undefined;
    const buf = new LineBuffer({ write: (c: string) => chunks.push(c) }, (f) => (pending = f));
    return { chunks, buf, turn: () => pending?.() };
  };

  it('writes the lines of one event-loop turn together, in order', () => {
    const { chunks, buf, turn } = setup();
    buf.write('a\n');
    buf.write('b\n');
    expect(chunks).toEqual([]);
    turn();
    expect(chunks).toEqual(['a\nb\n']);
    buf.write('c\n');
    turn();
    expect(chunks).toEqual(['a\nb\n', 'c\n']);
  });

  it('writes at once when a line is urgent, with the lines before it', () => {
    const { chunks, buf, turn } = setup();
    buf.write('info\n');
    buf.write('error\n', true);
    expect(chunks).toEqual(['info\nerror\n']);
    turn(); // the scheduled flush finds nothing left
    expect(chunks).toHaveLength(1);
  });

  it('does not hold more than MAX_BYTES', () => {
    const { chunks, buf } = setup();
    const line = `${'x'.repeat(1023)}\n`;
    for (let i = 0; i < LineBuffer.MAX_BYTES / 1024; i++) buf.write(line);
    expect(chunks).toHaveLength(1);
    expect(chunks[0].length).toBe(LineBuffer.MAX_BYTES);
  });

  it('flushes what is left when the process exits', () => {
    // A child process loads this module (compiled by swc, as jest does), logs through it and exits
    // in the same turn: the lines must still reach its stdout.
    const code = `
      const Module = require('node:module');
      const { code } = require('@swc/core').transformFileSync(${JSON.stringify(require.resolve('./line-buffer'))}, { module: { type: 'commonjs' }, jsc: { parser: { syntax: 'typescript' } } });
      const m = new Module('line-buffer'); m._compile(code, 'line-buffer.js');
      const out = m.exports.bufferedStdout();
      out.write('first\\n'); out.write('last\\n');
      process.exit(0);`;
    const out = execFileSync(process.execPath, ['-e', code], { cwd: __dirname, encoding: 'utf8' });
    expect(out).toBe('first\nlast\n');
  });
});
