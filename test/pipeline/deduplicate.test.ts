import fc from 'fast-check';
import { Deduplicator, keepRecords } from '../../src/pipeline/deduplicate';

describe('Deduplicator', () => {
  it('writes no event already written, and every copy within one batch (two identical lines in one request are two events)', () => {
    const dedup = new Deduplicator(100);
    const first = dedup.claim(['a', 'b', 'a']);
    expect(first).toMatchObject({ fresh: [0, 1, 2], duplicates: [] });
    first.written();
    expect(dedup.claim(['b', 'c'])).toMatchObject({ fresh: [1], duplicates: [0] });
  });

  it('counts an event as written only once its write completed: after a failed write it is fresh again', () => {
    const dedup = new Deduplicator(100);
    dedup.claim(['a']).failed();
    expect(dedup.claim(['a'])).toMatchObject({ fresh: [0], duplicates: [] });
    expect(dedup.size).toBe(0);
  });

  it('makes a request that carries events another one is writing wait for that write, and fail with it', async () => {
    const dedup = new Deduplicator(100);
    const writing = dedup.claim(['a', 'b']);
    const succeeding = dedup.claim(['a', 'c']);
    expect(succeeding).toMatchObject({ fresh: [1], duplicates: [0] });
    let settled = false;
    const waited = succeeding.othersWritten().then(() => (settled = true));
    await Promise.resolve();
    expect(settled).toBe(false);
    writing.written();
    await waited;
    expect(settled).toBe(true);

    const failing = dedup.claim(['d']);
    const sharing = dedup.claim(['d', 'e']);
    failing.failed();
    await expect(sharing.othersWritten()).rejects.toThrow('another request carrying the same events failed to write them');
    // The event the failed write held is not remembered: the retry writes it.
    sharing.written();
    expect(dedup.claim(['d'])).toMatchObject({ fresh: [0] });
  });

  it('remembers the last `capacity` written events and forgets the oldest first', () => {
    const dedup = new Deduplicator(2);
    for (const identity of ['a', 'b', 'c']) dedup.claim([identity]).written();
    expect(dedup.size).toBe(2);
    expect(dedup.claim(['a', 'b', 'c'])).toMatchObject({ fresh: [0], duplicates: [1, 2] });
  });

  it('always remembers exactly the newest `capacity` distinct events, however often the window wraps and events repeat', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 8 }), fc.array(fc.integer({ min: 0, max: 20 }), { maxLength: 200 }), (capacity, written) => {
        const dedup = new Deduplicator(capacity);
        const model: string[] = []; // distinct, in the order first written; a repeat does not renew one
        for (const number of written) {
          const identity = `e${number}`;
          dedup.remember(identity);
          if (!model.includes(identity)) model.push(identity);
          if (model.length > capacity) model.shift();
        }
        const universe = Array.from({ length: 21 }, (_, number) => `e${number}`);
        const claim = dedup.claim(universe);
        claim.failed(); // a question, not a write
        expect(claim.duplicates.map((index) => universe[index])).toEqual(universe.filter((identity) => model.includes(identity)));
        expect(dedup.size).toBe(model.length);
      }),
    );
  });
});

describe('keepRecords', () => {
  const records = Buffer.from('one\ntwo\nthree\n');
  const ends = [4, 8, 14];

  it('keeps the records asked for, in order, each with its newline', () => {
    expect(keepRecords(records, ends, [0, 2]).toString()).toBe('one\nthree\n');
    expect(keepRecords(records, ends, [1]).toString()).toBe('two\n');
    expect(keepRecords(records, ends, []).toString()).toBe('');
  });

  it('hands back the same bytes, not a copy, when every record is kept', () => {
    expect(keepRecords(records, ends, [0, 1, 2])).toBe(records);
  });
});
