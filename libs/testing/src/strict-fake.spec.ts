import { strictFake } from './strict-fake';

interface Port {
  stubbed(): number;
  forgotten(): number;
}

describe('strictFake', () => {
  it('answers with the stubs it was given', () => {
    const fake = strictFake<Port>('Port', { stubbed: () => 7 });

    expect(fake.stubbed()).toBe(7);
  });

  it('fails on a call the test did not stub, naming it', () => {
    const fake = strictFake<Port>('Port', { stubbed: () => 7 });

    expect(() => fake.forgotten()).toThrow('unexpected call to Port.forgotten()');
  });

  it('is not mistaken for a promise', async () => {
    const fake = strictFake<Port>('Port');

    await expect(Promise.resolve(fake)).resolves.toBe(fake);
  });
});
