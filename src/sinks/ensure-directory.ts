import fs from 'node:fs/promises';
import path from 'node:path';

/**
 * `mkdir -p`, one level at a time. Node's own recursive mkdir never returns for a path under a
 * pseudo-filesystem such as /proc (it retries forever), and answers EEXIST when a component is
 * a file; here that is said as it is: "… is not a directory".
 */
export async function ensureDirectory(directory: string): Promise<void> {
  const missing: string[] = [];
  for (let current = path.resolve(directory); ; ) {
    const stat = await fs.stat(current).catch((error: NodeJS.ErrnoException) => {
      if (error.code === 'ENOENT' || error.code === 'ENOTDIR') return undefined; // look further up
      throw error;
    });
    if (stat !== undefined) {
      if (!stat.isDirectory()) throw Object.assign(new Error(`${current} is not a directory`), { code: 'ENOTDIR' });
      break;
    }
    missing.push(current);
    const parent = path.dirname(current);
    if (parent === current) break;
    current = parent;
  }
  for (const level of missing.reverse()) {
    await fs.mkdir(level).catch(async (error: NodeJS.ErrnoException) => {
      if (error.code !== 'EEXIST') throw error;
      // Made meanwhile by another writer, or a symlink that leads nowhere (stat saw nothing).
      if (!(await fs.stat(level).catch(() => undefined))?.isDirectory()) {
        throw Object.assign(new Error(`${level} is not a directory (a symlink to nowhere?)`), { code: 'ENOTDIR' });
      }
    });
  }
}
