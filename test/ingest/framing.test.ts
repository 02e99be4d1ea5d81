import { frameBody, type Frame } from '../../src/ingest/framing';

const frame = (text: string | Buffer) => frameBody(Buffer.isBuffer(text) ? text : Buffer.from(text));
const summary = (frames: Frame[]) => frames.map((item) => [item.kind, item.text, item.line]);

describe('frameBody', () => {
  it('splits newline-delimited lines, dropping CR and blank lines', () => {
    expect(summary(frame('CEF:0|a\r\n\r\n{"b":1}\r\n\nCEF:0|c'))).toEqual([
      ['text', 'CEF:0|a', 1],
      ['json', '{"b":1}', 3],
      ['text', 'CEF:0|c', 5],
    ]);
  });

  it('keeps a text line exactly as received, inner and trailing spaces included', () => {
    expect(summary(frame('CEF:0|a| x=1  \n'))).toEqual([['text', 'CEF:0|a| x=1  ', 1]]);
  });

  it("reads a flat, compact line's members while framing it, with its big integers, and leaves other JSON to the scan", () => {
    const [flat, spaced, nested] = frame('{"a":1,"trace_id":6891110586028963295}\n{"a": 1}\n{"a":{"b":1}}');
    expect(flat).toMatchObject({ kind: 'json', scanned: { start: 0, end: 38, unsafeNumbers: [[18, 37]] } });
    expect(flat!.kind === 'json' && flat!.members?.map((m) => m.key)).toEqual(['a', 'trace_id']);
    for (const other of [spaced, nested]) expect(other).toMatchObject({ kind: 'json' });
    expect(spaced!.kind === 'json' && spaced!.members).toBeUndefined();
    expect(nested!.kind === 'json' && nested!.members).toBeUndefined();
  });

  it('splits a top-level array into one event per object', () => {
    expect(summary(frame('[{"a":1}, {"b":[2]}]'))).toEqual([
      ['json', '{"a":1}', 1],
      ['json', '{"b":[2]}', 1],
    ]);
  });

  it('gives each element of a pretty-printed array the line it starts on', () => {
    const body = `CEF:0|first\n[\n${[1, 2, 3].map((n) => JSON.stringify({ n, s: 'x' }, null, 2)).join(',\n')}\n]\nCEF:0|last`;
    expect(frame(body).map((item) => item.line)).toEqual([1, 3, 7, 11, 16]);
  });

  it('refuses non-object array elements one by one', () => {
    const frames = frame('[{"a":1}, 5, "x", [1]]');
    expect(frames.map((item) => item.kind)).toEqual(['json', 'invalid', 'invalid', 'invalid']);
    expect(frames[1]).toMatchObject({ text: '5', reason: 'array element 2 is not a JSON object' });
    expect(frames[2]).toMatchObject({ text: '"x"' });
    expect(frames[3]).toMatchObject({ text: '[1]' });
  });

  it('splits JSON objects stacked back to back, as Splunk HEC senders do', () => {
    expect(summary(frame('{"event":{"a":1}}{"event":{"b":2}} {"c":3}'))).toEqual([
      ['json', '{"event":{"a":1}}', 1],
      ['json', '{"event":{"b":2}}', 1],
      ['json', '{"c":3}', 1],
    ]);
  });

  it('accepts one pretty-printed object spanning lines and counts lines after it', () => {
    expect(summary(frame('{\n  "a": 1,\n  "b": "x"\n}\nCEF:0|next'))).toEqual([
      ['json', '{\n  "a": 1,\n  "b": "x"\n}', 1],
      ['text', 'CEF:0|next', 5],
    ]);
  });

  it('isolates a truncated JSON line and resumes at the next line', () => {
    const frames = frame('{"a":1\n{"b":2}\n');
    expect(frames[0]).toMatchObject({ kind: 'invalid', text: '{"a":1', line: 1 });
    expect(frames[1]).toMatchObject({ kind: 'json', text: '{"b":2}', line: 2 });
  });

  it('refuses only a truncated line when the lines after it would nest past the depth limit, and frames them', () => {
    const truncated = Array.from({ length: 64 }, (_, index) => `{"a":${index},`).join('\n');
    const frames = frameBody(Buffer.from(`${truncated}\n{"action":"read"}`), { maxLineLength: 1000, maxJsonDepth: 64 });
    expect(frames).toHaveLength(65);
    expect(frames.slice(0, 64).every((item) => item.kind === 'invalid' && item.code === 'malformed_json')).toBe(true);
    expect(frames[64]).toMatchObject({ kind: 'json', text: '{"action":"read"}', line: 65 });
  });

  it('does not let a truncated JSON line swallow the next line up to a bracket in it', () => {
    const cef = 'CEF:0|KongInc|Konnect|1.0|konnect|Authz.x|1|user_agent=curl/8 (x}y) query=1';
    expect(summary(frame(`{"action":"read","n":"x"\n${cef}`))).toEqual([
      ['invalid', '{"action":"read","n":"x"', 1],
      ['text', cef, 2],
    ]);
  });

  it('does not let a truncated line join a later line that ends with an unbalanced bracket', () => {
    expect(summary(frame('{"action":"list","cef_version":0\nCEF:0|V|P|1|c|n|5|msg=a}\nCEF:0|V|P|1|c|n|5|src=3'))).toEqual([
      ['invalid', '{"action":"list","cef_version":0', 1],
      ['text', 'CEF:0|V|P|1|c|n|5|msg=a}', 2],
      ['text', 'CEF:0|V|P|1|c|n|5|src=3', 3],
    ]);
    expect(summary(frame('[WARN CEF:0|V|P|1|c|n|5|src=1\nCEF:0|V|P|1|c|n|5|request=/a?x[]=1]'))).toEqual([
      ['text', '[WARN CEF:0|V|P|1|c|n|5|src=1', 1],
      ['text', 'CEF:0|V|P|1|c|n|5|request=/a?x[]=1]', 2],
    ]);
  });

  it('refuses only the broken object of a pretty-printed array, not its neighbours', () => {
    const frames = frame('[\n  {"a":1},\n  {"b":2e},\n  {"c":3}\n]\nCEF:0|next');
    expect(frames.map((item) => [item.kind, item.text])).toEqual([
      ['json', '{"a":1}'],
      ['json', '{"b":2e}'], // refused when parsed, alone
      ['json', '{"c":3}'],
      ['text', 'CEF:0|next'],
    ]);
  });

  it('does not let an array line with a broken object join the lines after it', () => {
    const cef = (id: number, tail = '') => `CEF:0|KongInc|Konnect|1.0|konnect|Authz.x|1|id=${id} msg=a${tail}`;
    expect(summary(frame(`[{"a":1},{"b":\n${cef(1)}\n${cef(2, '}]')}\n{"id":3}`))).toEqual([
      ['invalid', '[{"a":1},{"b":', 1],
      ['text', cef(1), 2],
      ['text', cef(2, '}]'), 3],
      ['json', '{"id":3}', 4],
    ]);
  });

  it('frames pretty-printed objects written one after another with a comma between them', () => {
    expect(summary(frame('{\n "a":1\n},\n{\n "b":2\n}'))).toEqual([
      ['json', '{\n "a":1\n}', 1],
      ['json', '{\n "b":2\n}', 4],
    ]);
  });

  it.each([
    '[host1][2025-06-18 21:02:36] CEF:0|KongInc|Konnect|1.0|konnect|Authz.x|1|id=1',
    '[2025-06-18 21:02:36],CEF:0|KongInc|Konnect|1.0|konnect|Authz.x|1|id=1',
    '[WARN]{x} CEF:0|KongInc|Konnect|1.0|konnect|Authz.x|1|id=1',
  ])('frames a CEF line with bracketed words before it as one text line: %s', (line) => {
    expect(summary(frame(line))).toEqual([['text', line, 1]]);
  });

  it.each(['{"a":1} {"msg":"CEF:0|x"}', '{"a":1}{"b":"CEF:"}', '{"a":1},{"b":"CEF:"}'])(
    'keeps stacked JSON stacked when a later value holds CEF: %s',
    (line) => {
      expect(frame(line).map((item) => item.kind)).toEqual(['json', 'json']);
    },
  );

  it('ends a string element at its closing quote, escaped backslashes counted', () => {
    const frames = frame('["\\\\",{"id":1}]');
    expect(frames.map((item) => [item.kind, item.text])).toEqual([
      ['invalid', '"\\\\"'],
      ['json', '{"id":1}'],
    ]);
  });

  it('ends a nested array element at the depth limit it was given, not at 64', () => {
    const nested = `${'['.repeat(70)}${']'.repeat(70)}`;
    const frames = frameBody(Buffer.from(`[${nested},{"id":1}]`), { maxLineLength: 10_000, maxJsonDepth: 100 });
    expect(frames.map((item) => [item.kind, item.text])).toEqual([
      ['invalid', nested],
      ['json', '{"id":1}'],
    ]);
  });

  it('still frames pretty-printed JSON after truncated lines', () => {
    expect(summary(frame('{"a":1,\n{"b":2,\n{"c":"x"\n{\n  "id": 1\n}\n'))).toEqual([
      ['invalid', '{"a":1,', 1],
      ['invalid', '{"b":2,', 2],
      ['invalid', '{"c":"x"', 3],
      ['json', '{\n  "id": 1\n}', 4],
    ]);
  });

  it('frames a line that starts with a bracketed time as the text line it is', () => {
    const line = '[2025-06-18 21:02:36] konghq.com CEF:0|KongInc|Konnect|1.0|konnect|Authz.x|1|act=1';
    expect(summary(frame(line))).toEqual([['text', line, 1]]);
  });

  it('refuses a JSON line with text after its value as one line', () => {
    expect(frame('{"a":1} trailing')).toEqual([
      expect.objectContaining({ kind: 'invalid', text: '{"a":1} trailing', reason: 'malformed JSON: text after the value at character 8' }),
    ]);
  });

  it('skips a byte-order mark before an event', () => {
    expect(summary(frame('\ufeff{"a":1}\n\ufeffCEF:0|x'))).toEqual([
      ['json', '{"a":1}', 1],
      ['text', 'CEF:0|x', 2],
    ]);
  });

  it('holds each element of an array, not the whole array, to the event length limit', () => {
    const element = `{"a":"${'x'.repeat(10)}"}`;
    const frames = frameBody(Buffer.from(`[${Array(10).fill(element).join(',\n')}]`), { maxLineLength: 30, maxJsonDepth: 8 });
    expect(frames).toHaveLength(10);
    expect(() => frameBody(Buffer.from(`[${element}, {"a":"${'y'.repeat(40)}"}]`), { maxLineLength: 30, maxJsonDepth: 8 })).toThrow(
      expect.objectContaining({ status: 413, detail: 'line 1: the event is 48 characters; the limit is 30 (--max-line-length)' }),
    );
  });

  it('says where malformed JSON broke: on its line, or on a later line of a pretty-printed value; a value never closed is not closed on its line', () => {
    const reasonOf = (text: string) => frame(text).find((item) => item.kind === 'invalid')?.reason;
    expect(reasonOf('{"a":1}\n{"a":]\n')).toBe("malformed JSON: unexpected ']' at character 6");
    expect(reasonOf('{"a":"x\n{"b":1}')).toBe('malformed JSON: unterminated string at character 8');
    expect(reasonOf('{"a":1}\n{\n  "a": [1,\n  }\n')).toBe("malformed JSON: unexpected '}' at line 4, character 3");
    expect(reasonOf('{"a":1}\n{"a":[\n1\n')).toBe('malformed JSON: value is not closed on its line, and the lines after it do not complete it');
    expect(reasonOf('{"c":')).toBe('malformed JSON: value is not closed at the end of the body');
    expect(reasonOf('{"c":\n\n')).toBe('malformed JSON: value is not closed at the end of the body');
    // The lines after it are framed on their own, so "the end of the body" would mislead.
    expect(frame('{"a":1,\n{"b":2}\nCEF:0|a|b|c|d|e|1|x=1\n').map((item) => [item.kind, item.line, item.kind === 'invalid' ? item.reason : ''])).toEqual([
      ['invalid', 1, 'malformed JSON: value is not closed on its line, and the lines after it do not complete it'],
      ['json', 2, ''],
      ['text', 3, ''],
    ]);
    expect(reasonOf('{"a":1}\n{bad\nhello world\n')).toBe('malformed JSON: value is not closed on its line');
  });

  it('refuses the request with 413 when a text event is longer than the line limit', () => {
    expect(() => frameBody(Buffer.from(`CEF:0|ok\nCEF:0|${'x'.repeat(50)}`), { maxLineLength: 20, maxJsonDepth: 8 })).toThrow(
      expect.objectContaining({ status: 413, detail: 'line 2: the event is 56 characters; the limit is 20 (--max-line-length)' }),
    );
  });

  it('refuses the request with 413 when a JSON event is longer than the line limit', () => {
    expect(() => frameBody(Buffer.from(`{"a":"${'y'.repeat(50)}"}`), { maxLineLength: 20, maxJsonDepth: 8 })).toThrow(
      expect.objectContaining({ status: 413 }),
    );
  });

  it('refuses the request with 413 at the first event past --max-events, before framing the rest', () => {
    // The fifth line would be refused for its length: the event limit stops framing before it.
    expect(() => frameBody(Buffer.from('CEF:0|x\n'.repeat(4) + 'y'.repeat(100)), { maxLineLength: 20, maxJsonDepth: 8 }, 3)).toThrow(
      expect.objectContaining({ status: 413, detail: 'the request carries more than 3 events, the limit (--max-events): split the batch' }),
    );
  });

  it('marks a line with no CEF: that comes right after a CEF line (plain, or after a bracket), and only that one', () => {
    const marked = (body: string) => frame(body).map((item) => item.kind === 'text' && item.afterCef === true);
    expect(marked('CEF:0|V|P|1|1|n|5|a=1\njunk\nmore junk\n')).toEqual([false, true, false]);
    expect(marked('[WARN] CEF:0|V|P|1|1|n|5|a=1\njunk\n')).toEqual([false, true]);
    expect(marked('CEF:0|V|P|1|1|n|5|a=1\n\njunk\n')).toEqual([false, false]);
    expect(marked('{"a":1}\njunk\n')).toEqual([false, false]);
  });

  it('refuses the request with 400 when JSON nests deeper than the limit', () => {
    expect(() => frameBody(Buffer.from('{"a":1}\n{"a":{"b":{"c":{}}}}'), { maxLineLength: 100, maxJsonDepth: 2 })).toThrow(
      expect.objectContaining({ status: 400, detail: 'line 2: JSON nests deeper than 2 levels (--max-json-depth)' }),
    );
  });

  it('keeps a pretty-printed object whole when another line of the body is not UTF-8', () => {
    const body = Buffer.concat([Buffer.from('{\n  "action": "read"\n}\n'), Buffer.from([0xff, 0xfe]), Buffer.from('\n{\n  "b": 1\n}')]);
    expect(frame(body).map((item) => [item.kind, item.line])).toEqual([
      ['json', 1],
      ['invalid', 4],
      ['json', 5],
    ]);
  });

  it('holds a line that is not UTF-8 to the line limit too', () => {
    const body = Buffer.concat([Buffer.from('CEF:0|ok\n'), Buffer.alloc(50, 0xff)]);
    expect(() => frameBody(body, { maxLineLength: 20, maxJsonDepth: 8 })).toThrow(
      expect.objectContaining({ status: 413, detail: 'line 2: the event is 50 characters; the limit is 20 (--max-line-length)' }),
    );
  });

  it('isolates lines that are not UTF-8 and keeps their exact bytes', () => {
    const body = Buffer.concat([Buffer.from('CEF:0|ok\n'), Buffer.from([0x43, 0xff, 0xfe]), Buffer.from('\n{"a":1}')]);
    const frames = frame(body);
    expect(frames.map((item) => [item.kind, item.line])).toEqual([
      ['text', 1],
      ['invalid', 2],
      ['json', 3],
    ]);
    expect(frames[1]).toMatchObject({ reason: 'line is not valid UTF-8', rawBase64: Buffer.from([0x43, 0xff, 0xfe]).toString('base64') });
  });
});
