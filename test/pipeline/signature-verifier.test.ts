import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { silentLogger } from '../../src/observability/logger';
import { SignatureVerifier } from '../../src/pipeline/signature-verifier';
import { generateEd25519KeyPair, publishJwks } from '../../src/signature';

describe('SignatureVerifier.refreshAfterFailure', () => {
  it('says to check a batch again when the keys differ from those it was checked with, even if another request fetched them first', async () => {
    const directory = fs.mkdtempSync(path.join(os.tmpdir(), 'verifier-'));
    const jwksFile = path.join(directory, 'jwks.json');
    fs.writeFileSync(jwksFile, JSON.stringify(publishJwks([generateEd25519KeyPair().publicKey])));
    const verifier = await SignatureVerifier.start('report', jwksFile, silentLogger());
    try {
      const current = verifier.keys();
      expect(current).toHaveLength(1);
      // Checked with the keys as they are now: nothing new to try.
      expect(await verifier.refreshAfterFailure(current)).toBe(false);
      // Checked with an older set (the keys changed while the batch was being checked): try again.
      const older: typeof current = [];
      expect(await verifier.refreshAfterFailure(older)).toBe(true);
    } finally {
      verifier.stop();
      fs.rmSync(directory, { recursive: true, force: true });
    }
  });
});
