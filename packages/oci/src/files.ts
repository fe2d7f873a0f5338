import { lstat, readdir, realpath, stat } from 'node:fs/promises';
import * as path from 'node:path';
import { ConfigError } from '@deploy-actions/core';
import type { TarEntry } from './tar';

/** Where the official nginx image serves static files from. */
export const NGINX_HTML_ROOT = 'usr/share/nginx/html';

export interface DirectoryLayerOptions {
  /** Where in the image the directory's contents go, e.g. usr/share/nginx/html. */
  readonly root: string;
  /** Names the input in error messages, e.g. "input 'directory'". */
  readonly where: string;
  /** A file the directory must contain (index.html for a site). */
  readonly require?: string;
  /**
   * Hide what the base image has under `root` (an OCI opaque whiteout), so e.g. nginx's own index.html and
   * 50x.html do not leak into the site.
   */
  readonly replace?: boolean;
  /**
   * Dotfiles and dot-directories (.env, .git/, .aws/, any name starting with '.') are left out unless this is
   * set: a build directory is often a checkout, and what is in the image is public.
   */
  readonly includeDotfiles?: boolean;
  /** Dot-names kept at the top of the directory even so (e.g. .well-known, which sites must serve). */
  readonly keepAtTop?: readonly string[];
}

export interface DirectoryLayer {
  readonly entries: TarEntry[];
  /** Dotfiles and dot-directories left out, relative to the directory (a directory once, with a '/'). */
  readonly leftOut: string[];
}

/**
 * Whether a path relative to a site directory is a dot-path left out of the image: any segment starting with
 * '.', except a first segment named in `keepAtTop`.
 */
export function isLeftOutDotPath(relative: string, keepAtTop: readonly string[] = []): boolean {
  const parts = relative.split(/[\\/]/).filter((p) => p !== '');
  return parts.some((p, i) => p.startsWith('.') && !(i === 0 && keepAtTop.includes(p)));
}

/**
 * Lists a directory as layer entries; file contents are read only when the layer is written (FileSource), so
 * a large site is never held in memory. Symbolic links are followed only when they stay inside the directory
 * (a link out of it could leak runner files into a public image).
 */
export async function directoryEntries(dir: string, options: DirectoryLayerOptions): Promise<DirectoryLayer> {
  const { where } = options;
  let info;
  try {
    info = await stat(dir);
  } catch {
    throw new ConfigError(
      where,
      `directory '${dir}' does not exist`,
      'build the site first and point this input at its output directory (e.g. dist)',
    );
  }
  if (!info.isDirectory()) throw new ConfigError(where, `'${dir}' is not a directory`);
  const top = await realpath(dir);
  if (options.require) {
    const required = path.join(top, options.require);
    const ok = await stat(required).then(
      (s) => s.isFile(),
      () => false,
    );
    if (!ok) {
      throw new ConfigError(
        where,
        `'${dir}' has no ${options.require}`,
        `the directory must be the built site, with ${options.require} at its top`,
      );
    }
  }
  const root = options.root.replace(/^\/+|\/+$/g, '');
  const entries: TarEntry[] = [{ type: 'dir', path: root }];
  const leftOut: string[] = [];
  if (options.replace) entries.push({ type: 'file', path: `${root}/.wh..wh..opq`, content: Buffer.alloc(0) });
  // `ancestors`: real paths of the directories being walked, so a link back up (a loop) is caught.
  const walk = async (abs: string, rel: string, ancestors: ReadonlySet<string>): Promise<void> => {
    for (const name of (await readdir(abs)).sort()) {
      const full = path.join(abs, name);
      const relName = rel ? `${rel}/${name}` : name;
      if (name.startsWith('.wh.')) throw new ConfigError(where, `'${relName}' has a name reserved for layer whiteouts`);
      let s = await lstat(full);
      if (!options.includeDotfiles && isLeftOutDotPath(relName, options.keepAtTop)) {
        leftOut.push(s.isDirectory() ? `${relName}/` : relName);
        continue;
      }
      if (s.isSymbolicLink()) {
        const target = await realpath(full).catch(() => undefined);
        if (!target || (target !== top && !target.startsWith(`${top}${path.sep}`))) {
          throw new ConfigError(
            where,
            `'${relName}' is a symbolic link to outside the directory (or to nothing)`,
            'copy the file into the directory instead',
          );
        }
        // A link to a dotfile would publish it under another name.
        if (!options.includeDotfiles && isLeftOutDotPath(path.relative(top, target), options.keepAtTop)) {
          leftOut.push(relName);
          continue;
        }
        s = await stat(full);
      }
      if (s.isDirectory()) {
        const real = await realpath(full);
        if (ancestors.has(real)) {
          throw new ConfigError(
            where,
            `'${relName}' is a symbolic link loop`,
            'remove the link or replace it with files',
          );
        }
        entries.push({ type: 'dir', path: `${root}/${relName}` });
        await walk(full, relName, new Set([...ancestors, real]));
      } else if (s.isFile()) {
        entries.push({ type: 'file', path: `${root}/${relName}`, content: { file: full, size: s.size } });
      }
    }
  };
  await walk(top, '', new Set([top]));
  return { entries, leftOut };
}

/**
 * Entries for generated files ({path, content, mode}) at absolute image paths, with their parent directories.
 * Modes are kept: the nginx entrypoint skips scripts that are not executable.
 */
export function generatedEntries(
  files: readonly { path: string; content: string | Buffer; mode?: number | undefined }[],
): TarEntry[] {
  const entries = new Map<string, TarEntry>();
  for (const file of files) {
    const rel = file.path.replace(/^\/+/, '');
    const parts = rel.split('/');
    for (let i = 1; i < parts.length; i++) {
      const dir = parts.slice(0, i).join('/');
      // Only directories below the well-known top level ones, so e.g. /etc keeps the base image's metadata.
      if (i >= 2 && !entries.has(dir)) entries.set(dir, { type: 'dir', path: dir });
    }
    const content = typeof file.content === 'string' ? Buffer.from(file.content, 'utf8') : file.content;
    entries.set(rel, { type: 'file', path: rel, content, ...(file.mode !== undefined ? { mode: file.mode } : {}) });
  }
  return [...entries.values()];
}
