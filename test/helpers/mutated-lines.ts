import fc from 'fast-check';

/** Lines from `bases` with pieces spliced in and cut out at random places, to shake out edge cases. */
export function mutatedLines(
  bases: fc.Arbitrary<string>,
  pieces: fc.Arbitrary<string>,
  { maxEdits, maxRemoved }: { maxEdits: number; maxRemoved: number },
): fc.Arbitrary<string> {
  return fc
    .tuple(bases, fc.array(fc.tuple(fc.nat(), fc.nat(maxRemoved), pieces), { maxLength: maxEdits }))
    .map(([base, edits]) => {
      let line = base;
      for (const [at, remove, insert] of edits) {
        const i = at % (line.length + 1);
        line = line.slice(0, i) + insert + line.slice(i + remove);
      }
      return line;
    });
}
