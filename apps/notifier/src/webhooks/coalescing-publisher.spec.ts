import { EventPublisher } from '@jobdesk/messaging';
import { CoalescingPublisher } from './coalescing-publisher';

class ControlledPublisher extends EventPublisher {
  readonly started: Array<{ subject: string; id: string; settle: (err?: Error) => void }> = [];
  publish(subject: string, event: { id: string }): Promise<void> {
    return new Promise((resolve, reject) => this.started.push({ subject, id: event.id, settle: (err) => (err ? reject(err) : resolve()) }));
  }
  broadcast(): void {}
}

const turn = () => new Promise((r) => setImmediate(r));

describe('CoalescingPublisher', () => {
  it('starts the publishes asked for in one turn together, in order, in the next turn', async () => {
    const inner = new ControlledPublisher();
    const p = new CoalescingPublisher(inner);
    void p.publish('a', { id: '1' });
    void p.publish('b', { id: '2' });
    expect(inner.started).toHaveLength(0);
    await turn();
    expect(inner.started.map((s) => [s.subject, s.id])).toEqual([['a', '1'], ['b', '2']]);
    void p.publish('c', { id: '3' });
    await turn();
    expect(inner.started.map((s) => s.id)).toEqual(['1', '2', '3']);
  });

  it('resolves each caller only once JetStream stored its own event, and rejects only the one that failed', async () => {
    const inner = new ControlledPublisher();
    const p = new CoalescingPublisher(inner);
    const outcomes: string[] = [];
    const a = p.publish('a', { id: '1' }).then(() => outcomes.push('1 stored'));
    const b = p.publish('b', { id: '2' }).catch((e: Error) => outcomes.push(`2 ${e.message}`));
    await turn();
    expect(outcomes).toEqual([]);
    inner.started[1].settle(new Error('timeout'));
    await b;
    expect(outcomes).toEqual(['2 timeout']);
    inner.started[0].settle();
    await a;
    expect(outcomes).toEqual(['2 timeout', '1 stored']);
  });

  it('rejects a publish that throws at once', async () => {
    const inner = new ControlledPublisher();
    inner.publish = () => {
      throw new Error('connection closed');
    };
    await expect(new CoalescingPublisher(inner).publish('a', { id: '1' })).rejects.toThrow('connection closed');
  });
});
