/**
 * The stand-in's configuration state in `<data dir>/state.json`: destinations (with their
 * authorization values, hence mode 0600), webhooks, delivery status and replay jobs.
 * Every save writes a temporary file and renames it over the old one, so a crash leaves
 * either the old state or the new one, never half of each.
 */
import { randomUUID } from 'node:crypto';
import fs from 'node:fs/promises';
import path from 'node:path';
import { newWebhookRecord, type StandInState } from './model';
import { ensureDirectory } from '../sinks/ensure-directory';

export const STATE_FILE = 'state.json';

export class StateStore {
  private saved = 0;
  private changes = 0;
  private chain: Promise<void> = Promise.resolve();
  private temporaryCounter = 0;

  private constructor(
    readonly file: string,
    /** The live state. Mutate it, then `await save()`. */
    readonly state: StandInState,
  ) {}

  /** Reads `<dataDir>/state.json`, or starts a fresh state (and writes it) when there is none. */
  static async open(dataDir: string): Promise<StateStore> {
    await ensureDirectory(dataDir);
    const file = path.join(dataDir, STATE_FILE);
    let text: string | undefined;
    try {
      text = await fs.readFile(file, 'utf8');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
    }
    if (text === undefined) {
      const store = new StateStore(file, freshState());
      await store.save();
      return store;
    }
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch (error) {
      throw new Error(`${file} is not valid JSON (${(error as Error).message}); move it away to start afresh`);
    }
    return new StateStore(file, upgrade(parsed, file));
  }

  /**
   * Persists the state as it is when the write starts. Concurrent saves are serialized and
   * coalesced; each caller's promise resolves once its changes are on disk.
   */
  save(): Promise<void> {
    const wanted = ++this.changes;
    const next = this.chain.then(async () => {
      if (this.saved >= wanted) return;
      const snapshot = this.changes;
      await this.write(`${JSON.stringify(this.state, null, 2)}\n`);
      this.saved = snapshot;
    });
    // Keep the chain alive after a failed write; the caller still sees the failure.
    this.chain = next.catch(() => undefined);
    return next;
  }

  /** Resolves when every save started so far has finished. */
  flush(): Promise<void> {
    return this.chain;
  }

  private async write(text: string): Promise<void> {
    const temporary = `${this.file}.${process.pid}.${++this.temporaryCounter}.tmp`;
    try {
      await fs.writeFile(temporary, text, { mode: 0o600 });
      await fs.rename(temporary, this.file);
    } catch (error) {
      await fs.rm(temporary, { force: true });
      throw error;
    }
  }
}

export function freshState(): StandInState {
  return {
    version: 1,
    org: {
      org_id: randomUUID(),
      principal_ids: Array.from({ length: 6 }, () => randomUUID()),
      control_plane_ids: Array.from({ length: 3 }, () => randomUUID()),
    },
    destinations: [],
    default_destination_id: '',
    org_webhook: newWebhookRecord(),
    portal_webhooks: {},
  };
}

function upgrade(value: unknown, file: string): StandInState {
  const state = value as Partial<StandInState> | null;
  if (typeof state !== 'object' || state === null || state.version !== 1 || !Array.isArray(state.destinations)) {
    throw new Error(`${file} is not a stand-in state file (version 1); move it away to start afresh`);
  }
  const fresh = freshState();
  return {
    version: 1,
    org: state.org ?? fresh.org,
    destinations: state.destinations,
    default_destination_id: state.default_destination_id ?? '',
    org_webhook: state.org_webhook ?? fresh.org_webhook,
    portal_webhooks: state.portal_webhooks ?? {},
  };
}
