import fs from 'node:fs';
import path from 'node:path';
import { REPO_ROOT } from '../helpers/spawn-cli';

/** The project's Markdown, as a reader of a clone finds it (node_modules and build output left out). */
function markdownFiles(directory = REPO_ROOT): string[] {
  return fs.readdirSync(directory, { withFileTypes: true }).flatMap((entry) => {
    if (['node_modules', 'dist', 'dist-bench', 'data', 'coverage'].includes(entry.name) || entry.name.startsWith('.')) return [];
    const full = path.join(directory, entry.name);
    if (entry.isDirectory()) return markdownFiles(full);
    return entry.name.endsWith('.md') ? [full] : [];
  });
}

/** GitHub's heading anchors: lower case, punctuation other than `-` and `_` dropped, spaces to `-`. */
function anchorsOf(markdown: string): Set<string> {
  const withoutCode = markdown.replace(/^```[\s\S]*?^```/gm, '');
  const headings = [...withoutCode.matchAll(/^#{1,6}\s+(.*)$/gm)].map((match) => match[1]!);
  return new Set(
    headings.map((heading) =>
      heading
        .toLowerCase()
        .replace(/[^\p{L}\p{N}\s_-]/gu, '')
        .trim()
        .replace(/\s/g, '-'),
    ),
  );
}

/** Relative links and anchors: `[text](target)`, skipping absolute URLs and code. */
function localLinks(markdown: string): string[] {
  const withoutCode = markdown.replace(/^```[\s\S]*?^```/gm, '').replace(/`[^`\n]*`/g, '');
  return [...withoutCode.matchAll(/\]\(([^)\s]+)\)/g)].map((match) => match[1]!).filter((target) => !/^[a-z][a-z0-9+.-]*:/i.test(target));
}

describe('the documentation', () => {
  const files = markdownFiles();

  it('is found: the README, the stand-in guide, the research notes and the module READMEs', () => {
    const names = files.map((file) => path.relative(REPO_ROOT, file));
    expect(names).toEqual(expect.arrayContaining(['README.md', 'docs/konnect-stand-in.md', 'docs/research/konnect-audit-logs.md', 'bench/README.md']));
  });

  it.each(files.map((file) => [path.relative(REPO_ROOT, file), file]))('%s links only to files and headings that exist', (_name, file) => {
    const broken: string[] = [];
    for (const link of localLinks(fs.readFileSync(file, 'utf8'))) {
      const [target, anchor] = link.split('#') as [string, string | undefined];
      const targetFile = target === '' ? file : path.resolve(path.dirname(file), decodeURIComponent(target));
      if (!fs.existsSync(targetFile)) {
        broken.push(`${link}: no such file`);
        continue;
      }
      if (anchor !== undefined && targetFile.endsWith('.md') && !anchorsOf(fs.readFileSync(targetFile, 'utf8')).has(anchor)) {
        broken.push(`${link}: no such heading`);
      }
    }
    expect(broken).toEqual([]);
  });

  it('notices a broken link: the checks above can fail', () => {
    expect(localLinks('see [the guide](docs/nowhere.md) and `[not](a-link.md)`')).toEqual(['docs/nowhere.md']);
    expect(anchorsOf('## Exercising the whole path, locally\n```\n# not a heading\n```\n').has('exercising-the-whole-path-locally')).toBe(true);
    expect(anchorsOf('```\n# not a heading\n```\n').has('not-a-heading')).toBe(false);
  });
});
