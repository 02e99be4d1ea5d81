import { FileSink, type FileSinkOptions } from './file-sink';
import type { Sink } from './sink';
import { StreamSink } from './stdout-sink';

/** `stdout` or `file:PATH`. Returns an error message naming the problem for anything else. */
export function sinkFromSpec(spec: string, fileOptions: FileSinkOptions): Sink | string {
  if (spec === 'stdout') return new StreamSink('stdout', process.stdout);
  if (spec.startsWith('file:')) {
    const filePath = spec.slice('file:'.length);
    return filePath === '' ? 'file sink needs a path, as in file:./data/audit-events.ndjson' : new FileSink(filePath, spec, fileOptions);
  }
  return `unknown sink "${spec}": use stdout or file:PATH`;
}
