/** The five load cases: what is sent, how the receiver runs, and what the baseline does. */
import type { LineFormat } from './events';

export interface BenchCase {
  id: number;
  title: string;
  format: LineFormat;
  eventsPerRequest: number;
  gzip: boolean;
  /** Extra `serve` options for the receiver; `{jwks}` is replaced by the JWKS file's path. */
  receiverArgs: string[];
  /** The baseline's per-line parse: JSON.parse, or (CEF) the least split into fields. */
  baselineMode: 'json' | 'cef';
  baselineFsync: boolean;
  baselineDoes: string;
  /** A needle every receiver output line must hold (case 4: the verified signature). */
  receiverLineNeedle?: string;
}

const BASELINE_JSON = 'auth compare, read body, gunzip, split on \\n, JSON.parse each line, write each line to one WriteStream, answer after the write completed';

export const CASES: readonly BenchCase[] = [
  {
    id: 1,
    title: 'single JSON event, plain',
    format: 'json',
    eventsPerRequest: 1,
    gzip: false,
    receiverArgs: [],
    baselineMode: 'json',
    baselineFsync: false,
    baselineDoes: 'auth compare, read body, split on \\n, JSON.parse the line, write it to one WriteStream, answer after the write completed',
  },
  {
    id: 2,
    title: 'JSON batch of 100, gzip',
    format: 'json',
    eventsPerRequest: 100,
    gzip: true,
    receiverArgs: [],
    baselineMode: 'json',
    baselineFsync: false,
    baselineDoes: BASELINE_JSON,
  },
  {
    id: 3,
    title: 'CEF batch of 100, gzip',
    format: 'cef',
    eventsPerRequest: 100,
    gzip: true,
    receiverArgs: [],
    baselineMode: 'cef',
    baselineFsync: false,
    baselineDoes:
      "auth compare, read body, gunzip, split on \\n, the least CEF parse of each line into its fields (header split on '|', each extension value up to the last space before the next '='; no escapes or types: what JSON.parse is to JSON), write each line to one WriteStream, answer after the write completed",
  },
  {
    id: 4,
    title: 'case 2 + --signatures report',
    format: 'json',
    eventsPerRequest: 100,
    gzip: true,
    receiverArgs: ['--jwks', '{jwks}', '--signatures', 'report'],
    baselineMode: 'json',
    baselineFsync: false,
    baselineDoes: `as case 2 (${'no signature check: the ceiling stays the no-crypto ceiling, so the ratio shows what verification costs'})`,
    receiverLineNeedle: '"signature":"valid"',
  },
  {
    id: 5,
    title: 'case 2 + --fsync batch',
    format: 'json',
    eventsPerRequest: 100,
    gzip: true,
    receiverArgs: ['--fsync', 'batch'],
    baselineMode: 'json',
    baselineFsync: true,
    baselineDoes: 'as case 2, plus fdatasync of the file after each request\'s writes, before answering (the same durability)',
  },
];
