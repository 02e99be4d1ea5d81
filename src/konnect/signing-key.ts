/** The Ed25519 key that signs every event: `--signing-key PATH`, or one kept in the data dir. */
import type { KeyObject } from 'node:crypto';
import fs from 'node:fs/promises';
import path from 'node:path';
import { ConfigError } from '../config/config-error';
import { generateEd25519KeyPair, readPrivateKeyFile, writePrivateKeyFile } from '../signature';

export const SIGNING_KEY_FILE = 'signing-key.pem';

export interface SigningKey {
  privateKey: KeyObject;
  path: string;
  generated: boolean;
}

export async function loadSigningKey(configuredPath: string | undefined, dataDir: string): Promise<SigningKey> {
  if (configuredPath !== undefined) {
    try {
      return { privateKey: await readPrivateKeyFile(configuredPath), path: configuredPath, generated: false };
    } catch (error) {
      throw new ConfigError('--signing-key', (error as Error).message);
    }
  }
  const file = path.join(dataDir, SIGNING_KEY_FILE);
  try {
    await fs.access(file);
  } catch {
    const { privateKey } = generateEd25519KeyPair();
    await writePrivateKeyFile(file, privateKey);
    return { privateKey, path: file, generated: true };
  }
  try {
    return { privateKey: await readPrivateKeyFile(file), path: file, generated: false };
  } catch (error) {
    throw new ConfigError('--data-dir', `${(error as Error).message} (remove it to have a new key generated)`);
  }
}
