/**
 * Summarize a V8 CPU profile (`node --cpu-prof`): the functions with the most self time, with
 * their source location mapped back to src/*.ts through the build's source maps when there are any.
 *
 *   node dist-bench/bench/profile-summary.js PROFILE.cpuprofile [top=25]
 */
import fs from 'node:fs';
import path from 'node:path';
import { SourceMap } from 'node:module';
import { fileURLToPath } from 'node:url';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number; columnNumber: number };
  hitCount?: number;
  children?: number[];
}
interface Profile {
  nodes: ProfileNode[];
  startTime: number;
  endTime: number;
  samples?: number[];
  timeDeltas?: number[];
}

const maps = new Map<string, SourceMap | null>();

function sourceMapFor(file: string): SourceMap | null {
  if (!maps.has(file)) {
    let map: SourceMap | null = null;
    try {
      map = new SourceMap(JSON.parse(fs.readFileSync(`${file}.map`, 'utf8')));
    } catch {
      map = null;
    }
    maps.set(file, map);
  }
  return maps.get(file) ?? null;
}

/** `file:line` (1-based), in the TypeScript source when a source map says where. */
function locate(frame: ProfileNode['callFrame'], root: string): string {
  if (!frame.url) return '';
  let file = frame.url;
  if (file.startsWith('file://')) file = fileURLToPath(file);
  if (path.isAbsolute(file) && !file.includes(`${path.sep}node_modules${path.sep}`)) {
    const entry = sourceMapFor(file)?.findEntry(frame.lineNumber, frame.columnNumber);
    if (entry && 'originalSource' in entry && entry.originalSource) {
      const original = entry.originalSource.startsWith('file://')
        ? fileURLToPath(entry.originalSource)
        : path.resolve(path.dirname(file), entry.originalSource);
      return `${path.relative(root, original)}:${entry.originalLine + 1}`;
    }
  }
  const shown = path.isAbsolute(file) ? path.relative(root, file) : file;
  return `${shown}:${frame.lineNumber + 1}`;
}

export function summarizeProfile(profile: Profile, root: string, top = 25): string {
  const byId = new Map(profile.nodes.map((node) => [node.id, node]));
  const parentOf = new Map<number, number>();
  for (const node of profile.nodes) for (const child of node.children ?? []) parentOf.set(child, node.id);
  // A built-in (JSON.stringify, String.prototype.split, …) has no url and often no name: name it
  // by the nearest caller that has a location, so its time is not lost in "(anonymous)".
  const describe = (id: number): { name: string; where: string } => {
    const frame = byId.get(id)!.callFrame;
    const name = frame.functionName || '(anonymous)';
    if (frame.url || /^\((garbage collector|program|idle|root)\)$/.test(name)) return { name, where: locate(frame, root) };
    let parent = parentOf.get(id);
    while (parent !== undefined && !byId.get(parent)!.callFrame.url) parent = parentOf.get(parent);
    if (parent === undefined) return { name: `native ${name}`, where: '' };
    const caller = byId.get(parent)!.callFrame;
    return { name: `native ${name} in ${caller.functionName || '(anonymous)'}`, where: locate(caller, root) };
  };
  const selfMicros = new Map<number, number>();
  if (profile.samples && profile.timeDeltas) {
    // Each sample's time is the delta until the next sample.
    for (let i = 0; i < profile.samples.length; i++) {
      const next = profile.timeDeltas[i + 1] ?? 0;
      selfMicros.set(profile.samples[i]!, (selfMicros.get(profile.samples[i]!) ?? 0) + next);
    }
  } else {
    const total = profile.nodes.reduce((sum, node) => sum + (node.hitCount ?? 0), 0) || 1;
    for (const node of profile.nodes) selfMicros.set(node.id, ((node.hitCount ?? 0) / total) * (profile.endTime - profile.startTime));
  }
  // The nearest caller in the project's own code (src/…), for time spent in Node or a package.
  const ownCaller = (id: number): string => {
    for (let at = parentOf.get(id); at !== undefined; at = parentOf.get(at)) {
      const where = locate(byId.get(at)!.callFrame, root);
      if (where.startsWith('src/') || where.startsWith('dist/')) return `${byId.get(at)!.callFrame.functionName || '(anonymous)'} ${where}`;
    }
    return '';
  };
  const rows = new Map<string, { name: string; where: string; micros: number; via: Map<string, number> }>();
  let total = 0;
  let idle = 0;
  for (const [id, micros] of selfMicros) {
    const frame = byId.get(id)!.callFrame;
    total += micros;
    if (frame.functionName === '(idle)') idle += micros;
    const { name, where } = describe(id);
    const key = `${name}@${where}`;
    const row = rows.get(key) ?? { name, where, micros: 0, via: new Map<string, number>() };
    row.micros += micros;
    if (!where.startsWith('src/') && !where.startsWith('dist/')) {
      const via = ownCaller(id);
      if (via) row.via.set(via, (row.via.get(via) ?? 0) + micros);
    }
    rows.set(key, row);
  }
  const busy = total - idle || 1;
  const sorted = [...rows.values()].filter((row) => row.name !== '(idle)').sort((a, b) => b.micros - a.micros);
  const lines = [
    `profile: ${(total / 1e6).toFixed(1)} s sampled, ${(idle / 1e6).toFixed(1)} s idle; shares below are of the ${(busy / 1e6).toFixed(1)} s busy`,
    `${'self ms'.padStart(9)} ${'busy %'.padStart(7)}  function  location`,
  ];
  for (const row of sorted.slice(0, top)) {
    const via = [...row.via].sort((a, b) => b[1] - a[1])[0];
    lines.push(
      `${(row.micros / 1000).toFixed(0).padStart(9)} ${((row.micros / busy) * 100).toFixed(1).padStart(6)}%  ${row.name}  ${row.where}` +
        (via ? `  [via ${via[0]}]` : ''),
    );
  }
  // Self time by file as well: where the time goes, coarsely.
  const byFile = new Map<string, number>();
  for (const row of sorted) {
    const file = row.where.replace(/:\d+$/, '') || row.name;
    const key = file.includes('node_modules/') ? file.replace(/^.*node_modules\/((?:@[^/]+\/)?[^/]+).*$/, 'node_modules/$1') : file;
    byFile.set(key, (byFile.get(key) ?? 0) + row.micros);
  }
  lines.push('', 'self time by file or package:');
  for (const [file, micros] of [...byFile].sort((a, b) => b[1] - a[1]).slice(0, 20)) {
    lines.push(`${(micros / 1000).toFixed(0).padStart(9)} ${((micros / busy) * 100).toFixed(1).padStart(6)}%  ${file}`);
  }
  return lines.join('\n');
}

if (require.main === module) {
  const file = process.argv[2];
  if (!file) {
    process.stderr.write('usage: node dist-bench/bench/profile-summary.js PROFILE.cpuprofile [top]\n');
    process.exit(2);
  }
  const top = Number(process.argv[3] ?? 25);
  const root = path.resolve(__dirname, '..', '..');
  process.stdout.write(`${summarizeProfile(JSON.parse(fs.readFileSync(file, 'utf8')) as Profile, root, top)}\n`);
}
