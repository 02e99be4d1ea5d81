import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { silentLogger } from '../../src/observability/logger';
import { SignatureVerifier } from '../../src/pipeline/signature-verifier';
import { generateEd25519KeyPair, publishJwks } from '../../src/signature';

describe('SignatureVerifier.afterInvalidSignatures', () => {
  const REFETCH_MS = 300;
  let directory: string;
  let jwksFile: string;
  let verifier: SignatureVerifier;
  beforeEach(async () => {
    directory = fs.mkdtempSync(path.join(os.tmpdir(), 'verifier-'));
    jwksFile = path.join(directory, 'jwks.json');
    fs.writeFileSync(jwksFile, JSON.stringify(publishJwks([generateEd25519KeyPair().publicKey])));
    verifier = await SignatureVerifier.start('require', jwksFile, silentLogger(), REFETCH_MS);
  });
  afterEach(() => {
    verifier.stop();
    fs.rmSync(directory, { recursive: true, force: true });
  });

  it('says to check a batch again when the keys differ from those it was checked with, even if another request fetched them first', async () => {
    const older: ReturnType<SignatureVerifier['keys']> = [];
    expect(await verifier.afterInvalidSignatures(older)).toBe('recheck');
  });

  it('says how long until the keys may be fetched again, while they were fetched too recently to rule out a rotation', async () => {
    expect(await verifier.afterInvalidSignatures(verifier.keys())).toBe(1); // whole seconds, at least 1
  });

  it('fetches the keys again once it may: the same keys make the verdict final, new ones call for a recheck', async () => {
    await sleep(REFETCH_MS + 50);
    expect(await verifier.afterInvalidSignatures(verifier.keys())).toBe('final');
    // The keys were just confirmed: the next batch with a bad signature is not refused for the
    // rest of the interval (a steady stream of them would be), its verdict stands too.
    expect(await verifier.afterInvalidSignatures(verifier.keys())).toBe('final');
    const checkedWith = verifier.keys();
    fs.writeFileSync(jwksFile, JSON.stringify(publishJwks([generateEd25519KeyPair().publicKey])));
    await sleep(REFETCH_MS + 50);
    expect(await verifier.afterInvalidSignatures(checkedWith)).toBe('recheck');
    expect(verifier.keys()).not.toBe(checkedWith);
  });

  it('does not call a verdict final when the refetch failed: the keys may be out of date', async () => {
    fs.rmSync(jwksFile);
    await sleep(REFETCH_MS + 50);
    expect(await verifier.afterInvalidSignatures(verifier.keys())).toBe(1);
    expect(verifier.keys()).toHaveLength(1); // the last good keys stay in use
  });
});
