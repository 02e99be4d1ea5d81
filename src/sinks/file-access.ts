import fs from 'node:fs/promises';

/** What a file's replacement takes from it (after a rotation or a move): its group and its permission bits. */
export interface FileAccess {
  gid: number;
  mode: number;
}

export function accessOf(stat: { gid: number; mode: number }): FileAccess {
  return { gid: stat.gid, mode: stat.mode & 0o7777 };
}

/**
 * Gives the file open at `handle`, just made, the access of the one it replaces: its group, then
 * its bits. When this user cannot give it that group (it is not in it) and the bits grant the
 * group something, they would grant it to another group and lock out the one meant (a shipper
 * in `adm`): the file then keeps the umask's permissions, as any file this process makes.
 */
export async function carryAccess(handle: fs.FileHandle, access: FileAccess): Promise<void> {
  const { gid } = await handle.stat();
  const sameGroup = gid === access.gid || (await handle.chown(-1, access.gid).then(() => true, () => false));
  if (sameGroup || (access.mode & 0o070) === 0) await handle.chmod(access.mode);
}
