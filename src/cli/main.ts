#!/usr/bin/env node
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { Command, CommanderError } from 'commander';
import { ConfigError } from '../config/config-error';
import { serveCommand } from './serve-command';
import { konnectCommand, sendCommand } from './konnect-command';

// File writes, fsyncs, large decompressions and signature checks queue on libuv's thread pool
// (4 threads by default); a receiver waits on it for every batch. Set before the pool's first use.
process.env.UV_THREADPOOL_SIZE ??= '16';

/** The version of the package this CLI was built from (package.json sits two levels above dist/cli). */
const { version } = JSON.parse(readFileSync(path.join(__dirname, '..', '..', 'package.json'), 'utf8')) as { version: string };

const program = new Command('audit-relay')
  .description('SIEM-side receiver for Kong Konnect (and any CEF/JSON) audit-log webhooks.')
  .version(version)
  .addCommand(konnectCommand()).addCommand(sendCommand())
  .addCommand(serveCommand());
// Usage errors (an unknown option, a missing value) exit 2 like a bad value does, so a script
// can tell "fix the command line" (2) from "it ran and failed" (1).
// Commander's "error: " prefix becomes the one a bad value gets, so every refusal reads alike.
for (const command of [program, ...program.commands]) {
  command
    .exitOverride()
    .showHelpAfterError(`(see: ${command === program ? 'audit-relay' : `audit-relay ${command.name()}`} --help)`)
    .configureOutput({ outputError: (text, write) => write(text.replace(/^error: /, 'audit-relay: ')) });
}

program.parseAsync(process.argv).catch((error: unknown) => {
  // Commander has printed its message (or the help, or the version) already.
  if (error instanceof CommanderError) process.exit(error.exitCode === 0 ? 0 : 2);
  // A bad option is the user's to fix: one line naming it (a quoted newline shown as \n), no stack.
  if (error instanceof ConfigError) process.stderr.write(`audit-relay: ${error.message.replace(/\r?\n/g, '\\n')}\n`);
  else process.stderr.write(`audit-relay: ${error instanceof Error ? error.stack : String(error)}\n`);
  process.exit(error instanceof ConfigError ? 2 : 1);
});
