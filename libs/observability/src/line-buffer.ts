/** Where a LineBuffer sends what it has gathered: process.stdout or process.stderr. */
export interface LineSink {
  write(chunk: string): unknown;
}

/**
 * Log lines gathered during one turn of the event loop and written together. A busy app logs a
 * line per request or per job, and on a loopback-heavy machine each write(2) costs more than
 * the line itself: under load, this turns hundreds of writes a second into a few. Lines reach
 * the sink in order, at the latest one event-loop turn (setImmediate) after they were logged,
 * at once when `urgent` (errors) or when MAX_BYTES are waiting, and on process exit. A SIGKILL
 * loses at most the current turn's lines.
 */
export class LineBuffer {
  static readonly MAX_BYTES = 64 * 1024;
  private lines: string[] = [];
  private bytes = 0;
  private scheduled = false;

  constructor(
    private readonly sink: LineSink,
    private readonly schedule: (flush: () => void) => void = (f) => void setImmediate(f).unref(),
  ) {
    BUFFERS.add(this);
  }

  write(line: string, urgent = false): void {
    this.lines.push(line);
    this.bytes += line.length;
    if (urgent || this.bytes >= LineBuffer.MAX_BYTES) return this.flush();
    if (!this.scheduled) {
      this.scheduled = true;
      this.schedule(() => this.flush());
    }
  }

  flush(): void {
    this.scheduled = false;
    if (!this.lines.length) return;
    const chunk = this.lines.length === 1 ? this.lines[0] : this.lines.join('');
    this.lines = [];
    this.bytes = 0;
    this.sink.write(chunk);
  }
}

const BUFFERS = new Set<LineBuffer>();
// stdout and stderr are synchronous for files and pipes on Linux: written before the process ends.
process.once('exit', () => BUFFERS.forEach((b) => b.flush()));

let stdout: LineBuffer | undefined;
let stderr: LineBuffer | undefined;
/** The process's buffered stdout and stderr (one of each, shared by every logger). */
export const bufferedStdout = (): LineBuffer => (stdout ??= new LineBuffer(process.stdout));
export const bufferedStderr = (): LineBuffer => (stderr ??= new LineBuffer(process.stderr));
