import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ConfigError } from '../../src/config/config-error';
import { checkOutputsDistinct } from '../../src/config/output-files';
import { buildServeConfig, resolveRawOptions } from '../../src/config/serve-config';

const refusal = (run: () => void): ConfigError => {
  try {
    run();
  } catch (error) {
    if (error instanceof ConfigError) return error;
    throw error;
  }
  throw new Error('accepted');
};

describe('checkOutputsDistinct', () => {
  let dir: string;
  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'outputs-'));
  });
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('accepts stdout and files of their own', () => {
    expect(() => checkOutputsDistinct(['stdout', `file:${dir}/a.ndjson`, `file:${dir}/b.ndjson`], `${dir}/dl.ndjson`)).not.toThrow();
  });

  it('refuses a dead letter that is also a file sink, even written another way', () => {
    const error = refusal(() => checkOutputsDistinct([`file:${dir}/./events.ndjson`], `${dir}/events.ndjson`));
    expect(error.message).toBe(`--dead-letter: ${dir}/events.ndjson is the same file as file:${dir}/./events.ndjson: give each output a file of its own`);
  });

  it('refuses the same sink twice, stdout included', () => {
    expect(refusal(() => checkOutputsDistinct([`file:${dir}/e.ndjson`, `file:${dir}/e.ndjson`], `${dir}/dl.ndjson`)).message).toBe(
      `--sink: file:${dir}/e.ndjson is given twice: each event would be written to it twice; give each output once`,
    );
    expect(refusal(() => checkOutputsDistinct(['stdout', 'stdout'], `${dir}/dl.ndjson`)).message).toMatch(/^--sink: stdout is given twice/);
  });

  it('sees through a symlink and a hard link to an existing file', () => {
    fs.writeFileSync(`${dir}/events.ndjson`, '');
    fs.symlinkSync(`${dir}/events.ndjson`, `${dir}/link.ndjson`);
    fs.linkSync(`${dir}/events.ndjson`, `${dir}/hard.ndjson`);
    expect(refusal(() => checkOutputsDistinct([`file:${dir}/events.ndjson`], `${dir}/link.ndjson`)).option).toBe('--dead-letter');
    expect(refusal(() => checkOutputsDistinct([`file:${dir}/hard.ndjson`, `file:${dir}/events.ndjson`], `${dir}/dl.ndjson`)).option).toBe('--sink');
  });

  it('sees through a symlinked directory before the file exists', () => {
    fs.mkdirSync(`${dir}/real`);
    fs.symlinkSync(`${dir}/real`, `${dir}/link`);
    expect(refusal(() => checkOutputsDistinct([`file:${dir}/real/events.ndjson`], `${dir}/link/events.ndjson`)).option).toBe('--dead-letter');
    expect(refusal(() => checkOutputsDistinct([`file:${dir}/real/new/events.ndjson`], `${dir}/link/new/events.ndjson`)).option).toBe('--dead-letter');
  });

  it('sees through a symlink to a file not there yet', () => {
    fs.symlinkSync(`${dir}/events.ndjson`, `${dir}/link.ndjson`);
    expect(refusal(() => checkOutputsDistinct([`file:${dir}/events.ndjson`], `${dir}/link.ndjson`)).option).toBe('--dead-letter');
    fs.symlinkSync('events.ndjson', `${dir}/relative-link.ndjson`);
    expect(refusal(() => checkOutputsDistinct([`file:${dir}/relative-link.ndjson`], `${dir}/events.ndjson`)).option).toBe('--dead-letter');
  });

  it('resolves a relative symlink from its real directory, as the kernel does (.. through a symlinked directory)', () => {
    fs.mkdirSync(`${dir}/deep/B`, { recursive: true });
    fs.symlinkSync('deep/B', `${dir}/A`);
    fs.symlinkSync('../events.ndjson', `${dir}/deep/B/link`);
    expect(refusal(() => checkOutputsDistinct([`file:${dir}/A/link`, `file:${dir}/deep/events.ndjson`], `${dir}/dl.ndjson`)).option).toBe('--sink');
  });

  it('leaves devices alone: /dev/stdout or /dev/null may take the events and the dead letter both', () => {
    expect(() => checkOutputsDistinct(['file:/dev/stdout'], '/dev/stdout')).not.toThrow();
    expect(() => checkOutputsDistinct(['file:/dev/null', 'file:/dev/null'], '/dev/null')).not.toThrow();
  });

  it('is checked when the serve configuration is built', () => {
    const flags = { sink: [`file:${dir}/e.ndjson`], deadLetter: `${dir}/e.ndjson` };
    expect(refusal(() => buildServeConfig(resolveRawOptions(flags, {}))).option).toBe('--dead-letter');
  });
});
