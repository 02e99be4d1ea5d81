/**
 * Every command-line option is public behaviour: each one, with its environment variable, must
 * be in the document its command's users read (`serve` in the README's option table, `konnect`
 * and `send` in the stand-in's guide). An option added without its line fails here.
 */
import fs from 'node:fs';
import path from 'node:path';
import type { OptionSpec } from '../../src/config/option-schema';
import { KONNECT_OPTIONS, SEND_OPTIONS } from '../../src/config/konnect-config';
import { SERVE_OPTIONS } from '../../src/config/serve-config';

const ROOT = path.join(__dirname, '..', '..');
const read = (file: string) => fs.readFileSync(path.join(ROOT, file), 'utf8');

/** The table rows of a Markdown text: lines that start with `|`. */
const tableRows = (text: string) => text.split('\n').filter((line) => line.startsWith('|'));

/** Options whose flag or environment variable no table row of `text` names. */
function undocumented(options: readonly OptionSpec[], text: string): string[] {
  const rows = tableRows(text);
  return options
    .filter((option) => {
      const flag = option.flags.split(' ')[0]!;
      return !rows.some((row) => row.includes(`\`${flag}`) && row.includes(option.env));
    })
    .map((option) => option.flags);
}

describe('options are documented', () => {
  it.each([
    ['serve', 'README.md', SERVE_OPTIONS],
    ['konnect', 'docs/konnect-stand-in.md', KONNECT_OPTIONS],
    ['send', 'docs/konnect-stand-in.md', SEND_OPTIONS],
  ])('every option of %s has a table row with its flag and environment variable in %s', (_command, file, options) => {
    expect(options.length).toBeGreaterThan(0);
    expect(undocumented(options, read(file))).toEqual([]);
  });

  it('notices an option that no row names', () => {
    const invented: OptionSpec = { key: 'invented', flags: '--invented <x>', env: 'AUDIT_RELAY_INVENTED', description: 'not real' };
    expect(undocumented([invented], read('README.md'))).toEqual(['--invented <x>']);
  });
});
