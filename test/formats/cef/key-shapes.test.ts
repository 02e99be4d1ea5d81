import { buildFromShape, childShape, knownKeyBefore, rootShape } from '../../../src/formats/cef/key-shapes';

describe('key shapes', () => {
  it('returns the same node for the same key sequence', () => {
    const line = 'alpha=1 beta=2';
    const a = childShape(rootShape(), line, 0, 5);
    const b = a && childShape(a, line, 8, 12);
    expect(b?.keys).toEqual(['alpha', 'beta']);
    expect(childShape(rootShape(), 'alpha=9', 0, 5)).toBe(a);
  });

  it('recognises a known next key only right behind a space', () => {
    const first = childShape(rootShape(), 'gamma=1 delta=2', 0, 5);
    if (first === undefined) throw new Error('trie full');
    childShape(first, 'gamma=1 delta=2', 8, 13);
    expect(knownKeyBefore('gamma=1 delta=2', 13, 6, first)?.key).toBe('delta');
    expect(knownKeyBefore('gamma=1xdelta=2', 13, 6, first)).toBeUndefined();
    expect(knownKeyBefore('gamma=1 zdelta=2', 14, 6, first)).toBeUndefined();
  });

  it('caches no sequence longer than 64 keys, as each node copies its path', () => {
    const line = Array.from({ length: 70 }, (_, index) => `deep${index}=1`).join(' ');
    let shape = rootShape();
    let depth = 0;
    let from = 0;
    for (;;) {
      const eq = line.indexOf('=', from);
      if (eq < 0) break;
      const next = childShape(shape, line, from, eq);
      if (next === undefined) break;
      shape = next;
      depth++;
      from = line.indexOf(' ', eq) + 1;
    }
    expect(depth).toBe(64);
  });

  it('marks sequences with a repeated key so the caller takes the duplicate-aware path', () => {
    const line = 'rep=1 other=2 rep=3';
    const one = childShape(rootShape(), line, 0, 3);
    const two = one && childShape(one, line, 6, 11);
    const three = two && childShape(two, line, 14, 17);
    expect([one?.repeats, two?.repeats, three?.repeats]).toEqual([false, false, true]);
  });

  it('builds the same object before and after the builder is compiled, __proto__ included', () => {
    const line = 'p=1 __proto__=2 q.r[0]=3';
    const p = childShape(rootShape(), line, 0, 1);
    const proto = p && childShape(p, line, 4, 13);
    const last = proto && childShape(proto, line, 16, 22);
    if (last === undefined) throw new Error('trie full');
    const built = Array.from({ length: 20 }, () => buildFromShape(last, ['1', '2', '3']));
    for (const object of built) {
      expect(Object.getPrototypeOf(object)).toBe(Object.prototype);
      expect(Object.entries(object)).toEqual([['p', '1'], ['__proto__', '2'], ['q.r[0]', '3']]);
    }
  });

  it('compiles builders that return fresh objects with the keys in order', () => {
    const line = 'x1=a x2=b';
    const x1 = childShape(rootShape(), line, 0, 2);
    const x2 = x1 && childShape(x1, line, 5, 7);
    if (x2 === undefined) throw new Error('trie full');
    const objects = Array.from({ length: 20 }, (_, i) => buildFromShape(x2, [`a${i}`, `b${i}`]));
    expect(objects[19]).toEqual({ x1: 'a19', x2: 'b19' });
    expect(objects[18]).not.toBe(objects[19]);
    expect(Object.keys(objects[19] ?? {})).toEqual(['x1', 'x2']);
  });
});
