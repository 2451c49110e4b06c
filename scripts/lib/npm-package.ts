/**
 * Reads files out of an npm package tarball (`npm pack` output: a gzipped ustar archive) or an
 * unpacked package folder, for the scripts that generate Tessera's compact definition files.
 */
import { createHash } from 'node:crypto';
import { readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';

/** The `wanted` files (paths like `package/Bundle-types.json`) and a digest of the source. */
export function readPackage(source: string, wanted: readonly string[]): { files: Map<string, Buffer>; digest: string } {
  const files = new Map<string, Buffer>();
  if (statSync(source).isDirectory()) {
    for (const name of wanted) files.set(name, readFileSync(join(source, name.replace(/^package\//, ''))));
    return { files, digest: 'unpacked directory' };
  }
  const packed = readFileSync(source);
  const digest = `sha1:${createHash('sha1').update(packed).digest('hex')}`;
  const tar = gunzipSync(packed);
  for (let offset = 0; offset + 512 <= tar.length;) {
    const header = tar.subarray(offset, offset + 512);
    const name = cString(header.subarray(0, 100));
    if (name === '') break;
    const prefix = cString(header.subarray(345, 500));
    const size = parseInt(cString(header.subarray(124, 136)).trim() || '0', 8);
    const fullName = prefix ? `${prefix}/${name}` : name;
    if (wanted.includes(fullName)) files.set(fullName, tar.subarray(offset + 512, offset + 512 + size));
    offset += 512 + Math.ceil(size / 512) * 512;
  }
  return { files, digest };
}

function cString(bytes: Buffer): string {
  const end = bytes.indexOf(0);
  return bytes.subarray(0, end === -1 ? bytes.length : end).toString('utf8');
}
