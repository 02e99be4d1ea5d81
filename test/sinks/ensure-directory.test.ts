import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ensureDirectory } from '../../src/sinks/ensure-directory';

describe('ensureDirectory', () => {
  let directory: string;
  beforeEach(() => {
    directory = fs.mkdtempSync(path.join(os.tmpdir(), 'ensure-directory-'));
  });
  afterEach(() => fs.rmSync(directory, { recursive: true, force: true }));

  it('creates every missing level, and accepts one that is there', async () => {
    const nested = path.join(directory, 'a', 'b', 'c');
    await ensureDirectory(nested);
    expect(fs.statSync(nested).isDirectory()).toBe(true);
    await expect(ensureDirectory(nested)).resolves.toBeUndefined();
  });

  it('says which component is a file instead of EEXIST', async () => {
    fs.writeFileSync(path.join(directory, 'file'), '');
    await expect(ensureDirectory(path.join(directory, 'file', 'x', 'y'))).rejects.toThrow(`${path.join(directory, 'file')} is not a directory`);
  });

  it('says so when a level is a symlink that leads nowhere', async () => {
    fs.symlinkSync(path.join(directory, 'nowhere'), path.join(directory, 'dangling'));
    await expect(ensureDirectory(path.join(directory, 'dangling', 'sub'))).rejects.toThrow(`${path.join(directory, 'dangling')} is not a directory (a symlink to nowhere?)`);
  });

  it('fails at once under /proc, where Node\'s recursive mkdir never returns', async () => {
    await expect(ensureDirectory('/proc/audit-relay-nope/x')).rejects.toThrow(/ENOENT|EPERM|EACCES/);
  });

  it('copes with concurrent callers making the same levels', async () => {
    const nested = path.join(directory, 'p', 'q', 'r');
    await Promise.all(Array.from({ length: 8 }, () => ensureDirectory(nested)));
    expect(fs.statSync(nested).isDirectory()).toBe(true);
  });
});
