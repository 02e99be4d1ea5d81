/**
 * The Ed25519 keys of the stand-in: the one that signs every new event (`--signing-key PATH`, or
 * one kept in the data dir), and every public key the JWKS publishes. A rotation signs new events
 * with a new key and, like a real one, keeps publishing the previous keys until they are retired,
 * so that events signed before (a replay resends them as they were) still verify.
 */
import type { KeyObject } from 'node:crypto';
import fs from 'node:fs/promises';
import path from 'node:path';
import { ConfigError } from '../config/config-error';
import {
  generateEd25519KeyPair,
  parseJwks,
  publicKeyOf,
  publishJwks,
  readPrivateKeyFile,
  writePrivateKeyFile,
  type JwksDocument,
} from '../signature';

export const SIGNING_KEY_FILE = 'signing-key.pem';
/** The public keys still published from before a rotation, as a JWKS (absent when there are none). */
export const PREVIOUS_KEYS_FILE = 'previous-public-keys.json';

export class SigningKeys {
  private published: JwksDocument;

  private constructor(
    private current: KeyObject,
    private previous: KeyObject[],
    /** Where the signing key was read from (or written to, when generated). */
    readonly path: string,
    readonly generated: boolean,
    private readonly dataDir: string,
  ) {
    this.published = this.publish();
  }

  static async load(configuredPath: string | undefined, dataDir: string): Promise<SigningKeys> {
    const previous = await readPreviousKeys(dataDir);
    if (configuredPath !== undefined) {
      try {
        return new SigningKeys(await readPrivateKeyFile(configuredPath), previous, configuredPath, false, dataDir);
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
      return new SigningKeys(privateKey, previous, file, true, dataDir);
    }
    try {
      return new SigningKeys(await readPrivateKeyFile(file), previous, file, false, dataDir);
    } catch (error) {
      throw new ConfigError('--data-dir', `${(error as Error).message} (remove it to have a new key generated)`);
    }
  }

  /** The key that signs new events. */
  get privateKey(): KeyObject {
    return this.current;
  }

  /** The JWKS: the current key first, then the previous ones still published. */
  jwks(): JwksDocument {
    return this.published;
  }

  /**
   * Sign new events with a new key, written to the data dir (with `--signing-key`, the rotation
   * lasts until a restart). The previous keys stay published unless `retirePrevious`.
   */
  async rotate(retirePrevious: boolean): Promise<JwksDocument> {
    const { privateKey } = generateEd25519KeyPair();
    const previous = retirePrevious ? [] : [publicKeyOf(this.current), ...this.previous];
    // Each file is replaced whole (a crash leaves the old or the new one), the previous keys
    // first: a crash in between publishes a key twice rather than losing one.
    const previousFile = path.join(this.dataDir, PREVIOUS_KEYS_FILE);
    if (previous.length === 0) await fs.rm(previousFile, { force: true });
    else {
      await fs.writeFile(`${previousFile}.new`, JSON.stringify(publishJwks(previous)), { mode: 0o644 });
      await fs.rename(`${previousFile}.new`, previousFile);
    }
    const keyFile = path.join(this.dataDir, SIGNING_KEY_FILE);
    await writePrivateKeyFile(`${keyFile}.new`, privateKey, { overwrite: true });
    await fs.rename(`${keyFile}.new`, keyFile);
    this.current = privateKey;
    this.previous = previous;
    this.published = this.publish();
    return this.published;
  }

  private publish(): JwksDocument {
    return publishJwks([publicKeyOf(this.current), ...this.previous]);
  }
}

async function readPreviousKeys(dataDir: string): Promise<KeyObject[]> {
  const file = path.join(dataDir, PREVIOUS_KEYS_FILE);
  const text = await fs.readFile(file, 'utf8').catch(() => undefined);
  if (text === undefined) return [];
  try {
    return parseJwks(text).map((entry) => entry.publicKey);
  } catch (error) {
    throw new ConfigError('--data-dir', `${file}: ${(error as Error).message} (remove it to publish only the current key)`);
  }
}
