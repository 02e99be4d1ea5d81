/**
 * The `openssl` command line as an independent Ed25519 implementation. Tests
 * that use it fail (never skip) when it is missing: interop is the point.
 */

import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const OPENSSL = process.env['OPENSSL'] ?? 'openssl';

/** Throws, naming the problem, unless OpenSSL 3 (needed for `pkeyutl -rawin`) runs. */
export function requireOpenssl3(): string {
  const result = spawnSync(OPENSSL, ['version'], { encoding: 'utf8' });
  if (result.error !== undefined || result.status !== 0) {
    throw new Error(
      `the interop tests need OpenSSL 3 at "${OPENSSL}" (set OPENSSL to its path); running it failed: ` +
        `${result.error?.message ?? result.stderr}`,
    );
  }
  const version = result.stdout.trim();
  if (!/^OpenSSL [3-9]\./.test(version)) {
    throw new Error(`the interop tests need OpenSSL 3 for "pkeyutl -rawin", found: ${version}`);
  }
  return version;
}

/** A temp dir removed by `dispose()`. */
export function makeTempDir(prefix: string): { path: string; dispose: () => void } {
  const path = mkdtempSync(join(tmpdir(), prefix));
  return { path, dispose: () => rmSync(path, { recursive: true, force: true }) };
}

export interface OpensslResult {
  status: number | null;
  output: string;
}

/**
 * `openssl pkeyutl -verify -pubin -inkey <pem> -rawin -in msg.bin -sigfile sig.bin`,
 * with the message and signature written to files in `dir`.
 */
export function opensslVerify(
  dir: string,
  publicKeyPath: string,
  message: Uint8Array,
  signature: Uint8Array,
): OpensslResult {
  requireOpenssl3();
  const messagePath = join(dir, 'msg.bin');
  const signaturePath = join(dir, 'sig.bin');
  writeFileSync(messagePath, message);
  writeFileSync(signaturePath, signature);
  const result = spawnSync(
    OPENSSL,
    ['pkeyutl', '-verify', '-pubin', '-inkey', publicKeyPath, '-rawin', '-in', messagePath, '-sigfile', signaturePath],
    { encoding: 'utf8' },
  );
  return { status: result.status, output: `${result.stdout}${result.stderr}`.trim() };
}

/** `openssl pkeyutl -sign -inkey <pem> -rawin -in <msg>`; returns the 64 raw signature bytes. */
export function opensslSign(dir: string, privateKeyPath: string, message: Uint8Array): Buffer {
  requireOpenssl3();
  const messagePath = join(dir, 'msg-to-sign.bin');
  const signaturePath = join(dir, 'openssl-sig.bin');
  writeFileSync(messagePath, message);
  runOpenssl(['pkeyutl', '-sign', '-inkey', privateKeyPath, '-rawin', '-in', messagePath, '-out', signaturePath]);
  return readFileSync(signaturePath);
}

/** `openssl genpkey -algorithm ed25519` and its public half; returns both paths. */
export function opensslGenerateKey(dir: string): { privateKeyPath: string; publicKeyPath: string } {
  requireOpenssl3();
  const privateKeyPath = join(dir, 'openssl-key.pem');
  const publicKeyPath = join(dir, 'openssl-pub.pem');
  runOpenssl(['genpkey', '-algorithm', 'ed25519', '-out', privateKeyPath]);
  runOpenssl(['pkey', '-in', privateKeyPath, '-pubout', '-out', publicKeyPath]);
  return { privateKeyPath, publicKeyPath };
}

function runOpenssl(args: string[]): void {
  const result = spawnSync(OPENSSL, args, { encoding: 'utf8' });
  if (result.error !== undefined || result.status !== 0) {
    throw new Error(`openssl ${args.join(' ')} failed: ${result.error?.message ?? result.stderr}`);
  }
}
