import fs from 'node:fs';
import fsPromises from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { StateStore } from '../../src/konnect/store';

describe('state store (state.json, atomic writes)', () => {
  let directory: string;
  beforeEach(() => {
    directory = fs.mkdtempSync(path.join(os.tmpdir(), 'konnect-store-'));
  });
  afterEach(() => fs.rmSync(directory, { recursive: true, force: true }));

  it('starts fresh with a stable org, writes state.json readable by its owner only, and reads it back', async () => {
    const store = await StateStore.open(path.join(directory, 'nested', 'dir'));
    expect(store.state.destinations).toEqual([]);
    expect(store.state.org_webhook.config).toMatchObject({ configured: false, enabled: false, audit_log_destination_id: '' });
    expect(fs.statSync(store.file).mode & 0o777).toBe(0o600);
    store.state.default_destination_id = 'x';
    await store.save();
    const again = await StateStore.open(path.join(directory, 'nested', 'dir'));
    expect(again.state).toEqual(store.state);
    expect(again.state.org.org_id).toBe(store.state.org.org_id);
  });

  it('serializes and coalesces concurrent saves, leaving no temporary files and the last state on disk', async () => {
    const store = await StateStore.open(directory);
    const saves: Array<Promise<void>> = [];
    for (let index = 0; index < 50; index += 1) {
      store.state.default_destination_id = `id-${index}`;
      saves.push(store.save());
    }
    await Promise.all(saves);
    expect(JSON.parse(fs.readFileSync(store.file, 'utf8')).default_destination_id).toBe('id-49');
    expect(fs.readdirSync(directory)).toEqual(['state.json']);
  });

  it('never leaves a half-written file: a failed write keeps the old file whole and removes its temporary', async () => {
    const store = await StateStore.open(directory);
    const before = fs.readFileSync(store.file, 'utf8');
    const rename = jest.spyOn(fsPromises, 'rename').mockRejectedValueOnce(Object.assign(new Error('disk gone'), { code: 'EIO' }));
    try {
      store.state.default_destination_id = 'later';
      await expect(store.save()).rejects.toThrow('disk gone');
    } finally {
      rename.mockRestore();
    }
    expect(fs.readFileSync(store.file, 'utf8')).toBe(before);
    expect(fs.readdirSync(directory)).toEqual(['state.json']);
    // The next save writes the change.
    await store.save();
    expect(JSON.parse(fs.readFileSync(store.file, 'utf8')).default_destination_id).toBe('later');
  });

  it('refuses a file that is not its state, naming it', async () => {
    fs.writeFileSync(path.join(directory, 'state.json'), '{"hello":');
    await expect(StateStore.open(directory)).rejects.toThrow(/state\.json is not valid JSON/);
    fs.writeFileSync(path.join(directory, 'state.json'), '{"version":9}');
    await expect(StateStore.open(directory)).rejects.toThrow(/not a stand-in state file/);
  });
});
