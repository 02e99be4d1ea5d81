import fs from 'node:fs';
import path from 'node:path';
import { ConfigError } from './config-error';

/**
 * Every output names a file of its own. Two file sinks writing one file would write each event
 * twice, and a sink sharing the dead letter's file would, on a failed write, cut back the other's
 * acknowledged records (each undoes its own writes from its own idea of the file's length).
 * Paths are compared as the files they name: resolved, and by device and inode when the file
 * exists, so a symlink or a hard link is caught too.
 */
export function checkOutputsDistinct(sinks: readonly string[], deadLetter: string): void {
  const seen = new Map<string, string>();
  const claim = (option: string, spec: string, filePath: string | undefined) => {
    const identity = filePath === undefined ? spec : fileIdentity(filePath);
    if (identity === undefined) return; // a device (/dev/stdout, /dev/null): nothing is cut back there
    const earlier = seen.get(identity);
    if (earlier !== undefined) {
      throw new ConfigError(
        option,
        earlier === spec
          ? `${spec} is given twice: each event would be written to it twice; give each output once`
          : `${spec} is the same file as ${earlier}: give each output a file of its own`,
      );
    }
    seen.set(identity, spec);
  };
  for (const spec of sinks) claim('--sink', spec, spec.startsWith('file:') ? spec.slice('file:'.length) : undefined);
  claim('--dead-letter', deadLetter, deadLetter);
}

/** The file a path names: its inode when it exists, else its path through the real directory; undefined for a device. */
function fileIdentity(filePath: string, hops = 0): string | undefined {
  // A symlink to a file not there yet leads to where that file will be.
  const link = lstatOrUndefined(filePath);
  if (link?.isSymbolicLink() && hops < 8 && !fs.existsSync(filePath)) {
    // Relative to the link's real directory, as the kernel resolves it (`..` through a symlinked directory).
    return fileIdentity(path.resolve(realDirectory(path.dirname(filePath)), fs.readlinkSync(filePath)), hops + 1);
  }
  let stat: fs.Stats | undefined;
  try {
    stat = fs.statSync(filePath);
  } catch {
    // Not there (or not reachable: the sink's own open says why).
  }
  if (stat !== undefined) return stat.isFile() ? `inode:${stat.dev}:${stat.ino}` : stat.isDirectory() ? `path:${path.resolve(filePath)}` : undefined;
  // Not there yet: a symlinked directory still leads to the same file.
  let directory = path.resolve(path.dirname(filePath));
  const rest = [path.basename(filePath)];
  for (;;) {
    try {
      return `path:${path.join(fs.realpathSync(directory), ...rest)}`;
    } catch {
      const parent = path.dirname(directory);
      if (parent === directory) return `path:${path.resolve(filePath)}`;
      rest.unshift(path.basename(directory));
      directory = parent;
    }
  }
}

function lstatOrUndefined(filePath: string): fs.Stats | undefined {
  try {
    return fs.lstatSync(filePath);
  } catch {
    return undefined;
  }
}

function realDirectory(directory: string): string {
  try {
    return fs.realpathSync(directory);
  } catch {
    return path.resolve(directory);
  }
}
