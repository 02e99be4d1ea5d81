import { randomUUID } from 'node:crypto';
import { Command } from 'commander';
import { addSchemaOptions } from './options';
import { ConfigError } from '../config/config-error';
import { buildSendConfig, resolveSendRawOptions, SEND_OPTIONS } from '../config/konnect-config';
import { attemptDelivery } from '../konnect/delivery/attempt';
import { redactEndpoint } from '../konnect/delivery/deliveries';
import { batchBody } from '../konnect/delivery/sender';
import { EventGenerator } from '../konnect/events/generator';
import { signedLine } from '../konnect/events/render';
import { generateEd25519KeyPair, publishJwks, readPrivateKeyFile } from '../signature';

/** What to do about a certificate the client refused, by Node's error code. */
const UNTRUSTED = "the receiver's certificate is not trusted here: add --skip-ssl-verification for a self-signed test receiver, or NODE_EXTRA_CA_CERTS=<its CA file>";
const CERTIFICATE_HINTS: Record<string, string> = {
  DEPTH_ZERO_SELF_SIGNED_CERT: UNTRUSTED,
  SELF_SIGNED_CERT_IN_CHAIN: UNTRUSTED,
  UNABLE_TO_VERIFY_LEAF_SIGNATURE: UNTRUSTED,
  UNABLE_TO_GET_ISSUER_CERT_LOCALLY: UNTRUSTED,
  ERR_TLS_CERT_ALTNAME_INVALID: 'the certificate does not name this host: use a host name it was issued for in --endpoint, or --skip-ssl-verification for a test receiver',
  CERT_HAS_EXPIRED: "the receiver's certificate has expired: renew it, or --skip-ssl-verification for a test receiver",
};

/**
 * `audit-relay send`: one Konnect-shaped batch (gzip'd, text/plain, signed lines) to any endpoint,
 * once, without retries. The response goes to stdout; what was sent goes to stderr. The
 * authorization value is never printed.
 */
export function sendCommand(): Command {
  const command = new Command('send').description(
    'Send one Konnect-shaped batch of signed synthetic audit events to an endpoint and print the response.',
  );
  addSchemaOptions(command, SEND_OPTIONS);
  command.action(async (flags: Record<string, unknown>) => {
    const config = buildSendConfig(resolveSendRawOptions(flags, process.env));
    let privateKey;
    if (config.signingKeyPath !== undefined) {
      try {
        privateKey = await readPrivateKeyFile(config.signingKeyPath);
      } catch (error) {
        throw new ConfigError('--signing-key', (error as Error).message);
      }
    } else {
      privateKey = generateEd25519KeyPair().privateKey;
      process.stderr.write(`Signed with a throw-away key. Its JWKS, for a receiver that should verify it:\n${JSON.stringify(publishJwks([privateKey]))}\n`);
    }
    const generator = new EventGenerator({
      org: { org_id: randomUUID(), principal_ids: [randomUUID(), randomUUID(), randomUUID()], control_plane_ids: [randomUUID()] },
    });
    const lines = generator.generate(config.count).map((event) => signedLine(event, config.format, privateKey));
    const body = await batchBody(lines);
    process.stderr.write(
      `POST ${redactEndpoint(config.endpoint)}: ${lines.length} ${config.format} event(s), ${body.length} bytes gzip'd` +
        `${config.skipSslVerification ? ', certificate not verified' : ''}\n`,
    );
    const result = await attemptDelivery({
      endpoint: config.endpoint,
      authorization: config.authorization,
      body,
      skipSslVerification: config.skipSslVerification,
      contentEncoding: config.contentEncoding,
      timeoutMs: config.timeoutMs,
    });
    if (result.kind === 'error') {
      const hint = CERTIFICATE_HINTS[result.code];
      process.stderr.write(`audit-relay: no response: ${result.message}${hint ? `; ${hint}` : ''}\n`);
      process.exitCode = 1;
      return;
    }
    const headers = Object.entries(result.headers).map(([name, value]) => `${name}: ${[value].flat().join(', ')}`);
    process.stdout.write(`HTTP ${result.status} ${result.statusText}\n${headers.join('\n')}\n\n`);
    process.stdout.write(result.body);
    if (result.body.length > 0 && result.body[result.body.length - 1] !== 0x0a) process.stdout.write('\n');
    if (result.status < 200 || result.status >= 300) process.exitCode = 1;
  });
  return command;
}
