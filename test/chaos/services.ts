import { ChildProcess, spawn, spawnSync } from 'node:child_process';
import { chownSync, existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from '../support/stack';

/**
 * The chaos suite's own Redis, NATS and PostgreSQL: processes it may kill and restart without
 * touching the services other tests share (6379, 4222, 5432).
 */

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function waitFor(probe: () => boolean | Promise<boolean>, what: string, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await probe()) return;
    await sleep(100);
  }
  throw new Error(`${what} not up after ${timeoutMs} ms`);
}

async function tcpOpen(port: number): Promise<boolean> {
  const { connect } = await import('node:net');
  return new Promise((resolve) => {
    const s = connect(port, '127.0.0.1');
    s.once('connect', () => {
      s.destroy();
      resolve(true);
    });
    s.once('error', () => resolve(false));
  });
}

function exited(child: ChildProcess): Promise<void> {
  return new Promise((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) return resolve();
    child.once('exit', () => resolve());
  });
}

/** A server process the suite starts, kills (-9) and starts again on the same port. */
export interface Service {
  url: string;
  port: number;
  start(): Promise<void>;
  /** kill -9 and wait for the exit. */
  kill(): Promise<void>;
  restart(downMs?: number): Promise<void>;
  stop(): Promise<void>;
}

abstract class ProcessService implements Service {
  protected child?: ChildProcess;
  readonly log: string[] = [];
  constructor(readonly port: number, readonly url: string) {}
  protected abstract spawnIt(): ChildProcess;

  async start(): Promise<void> {
    const child = this.spawnIt();
    child.stdout?.on('data', (d) => this.keep(d));
    child.stderr?.on('data', (d) => this.keep(d));
    this.child = child;
    await waitFor(async () => {
      if (child.exitCode !== null) throw new Error(`${this.url} exited ${child.exitCode}: ${this.log.slice(-10).join('')}`);
      return tcpOpen(this.port);
    }, this.url);
  }

  private keep(d: unknown): void {
    this.log.push(String(d));
    if (this.log.length > 200) this.log.splice(0, 100);
  }

  async kill(): Promise<void> {
    if (!this.child) return;
    this.child.kill('SIGKILL');
    await exited(this.child);
  }

  async restart(downMs = 0): Promise<void> {
    await this.kill();
    await sleep(downMs);
    await this.start();
  }

  async stop(): Promise<void> {
    if (!this.child) return;
    this.child.kill('SIGTERM');
    const t = setTimeout(() => this.child?.kill('SIGKILL'), 5_000);
    await exited(this.child);
    clearTimeout(t);
  }
}

/** redis-server without persistence: a restart comes back empty, the queue is gone. */
export class RedisService extends ProcessService {
  static async create(): Promise<RedisService> {
    const port = await freePort();
    return new RedisService(port, `redis://127.0.0.1:${port}`);
  }
  protected spawnIt(): ChildProcess {
    return spawn('redis-server', ['--port', String(this.port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--daemonize', 'no'], { stdio: ['ignore', 'pipe', 'pipe'] });
  }
}

/** nats-server with JetStream on disk (-sd), so streams and consumers survive a restart. */
export class NatsService extends ProcessService {
  readonly storeDir = mkdtempSync(join(tmpdir(), 'jobdesk-chaos-nats-'));
  static async create(): Promise<NatsService> {
    const port = await freePort();
    return new NatsService(port, `nats://127.0.0.1:${port}`);
  }
  protected spawnIt(): ChildProcess {
    const bin = existsSync('/usr/sbin/nats-server') ? '/usr/sbin/nats-server' : 'nats-server';
    return spawn(bin, ['-js', '-a', '127.0.0.1', '-p', String(this.port), '-sd', this.storeDir], { stdio: ['ignore', 'pipe', 'pipe'] });
  }
  override async start(): Promise<void> {
    await super.start();
    // JetStream answers a little after the port opens (it recovers the store first).
    await sleep(300);
  }
  override async stop(): Promise<void> {
    await super.stop();
    rmSync(this.storeDir, { recursive: true, force: true });
  }
}

const PG_BIN = ['/usr/lib/postgresql/15/bin', '/usr/lib/postgresql/16/bin', '/usr/lib/postgresql/17/bin'].find((d) => existsSync(join(d, 'initdb')));

/**
 * A throwaway PostgreSQL cluster (initdb) on a spare port. initdb refuses to run as root, so as
 * root the cluster belongs to the `postgres` user and its tools run through runuser.
 */
export class PostgresService implements Service {
  readonly dir = mkdtempSync(join(tmpdir(), 'jobdesk-chaos-pg-'));
  private readonly data = join(this.dir, 'data');
  private readonly asRoot = process.getuid?.() === 0;
  private constructor(readonly port: number, readonly url: string) {}

  static available(): boolean {
    return !!PG_BIN;
  }

  static async create(): Promise<PostgresService> {
    const port = await freePort();
    const pg = new PostgresService(port, `postgres://postgres@127.0.0.1:${port}/postgres`);
    if (pg.asRoot) chownSync(pg.dir, uidOf('postgres'), gidOf('postgres'));
    pg.run('initdb', ['-D', pg.data, '-A', 'trust', '-U', 'postgres', '--no-sync', '-E', 'UTF8']);
    return pg;
  }

  private run(tool: string, args: string[]): string {
    const bin = join(PG_BIN!, tool);
    const r = this.asRoot
      ? spawnSync('runuser', ['-u', 'postgres', '--', bin, ...args], { encoding: 'utf8', cwd: this.dir })
      : spawnSync(bin, args, { encoding: 'utf8', cwd: this.dir });
    if (r.status !== 0) throw new Error(`${tool} failed: ${r.stderr}${r.stdout}`);
    return r.stdout;
  }

  async start(): Promise<void> {
    // fsync off is safe here (the OS does not crash), synchronous_commit must stay on: an
    // immediate shutdown would otherwise lose commits the apps were told about.
    const opts = `-p ${this.port} -k ${this.dir} -c listen_addresses=127.0.0.1 -c fsync=off -c full_page_writes=off -c max_connections=200 -c shared_buffers=64MB`;
    this.run('pg_ctl', ['-D', this.data, '-o', opts, '-l', join(this.dir, 'log'), '-w', '-t', '60', 'start']);
  }

  /** Immediate shutdown: like a crash (no checkpoint), recovery on the next start. */
  async kill(): Promise<void> {
    this.run('pg_ctl', ['-D', this.data, '-m', 'immediate', '-w', 'stop']);
  }

  async restart(downMs = 0): Promise<void> {
    await this.kill();
    await sleep(downMs);
    await this.start();
  }

  async stop(): Promise<void> {
    try {
      this.run('pg_ctl', ['-D', this.data, '-m', 'fast', '-w', 'stop']);
    } catch {
      /* already down */
    }
    rmSync(this.dir, { recursive: true, force: true });
  }
}

function uidOf(user: string): number {
  return Number(spawnSync('id', ['-u', user], { encoding: 'utf8' }).stdout.trim());
}
function gidOf(user: string): number {
  return Number(spawnSync('id', ['-g', user], { encoding: 'utf8' }).stdout.trim());
}
