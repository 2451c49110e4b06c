/**
 * Which import files may load at the same time. `tessera generate` numbers its files so that
 * sorting by name is load order and every file of one number holds a different source system's
 * records of different people (`NNNN-<source>.json.gz`): they neither refer to each other nor
 * write the same resources, so they are independent transactions. Anything else loads one file
 * at a time, in the order given, because a later file may refer to what an earlier one creates.
 */

const NUMBERED = /^(\d{4})-(?!shared\b)[a-z0-9-]+\.json(\.gz)?$/i;

/**
 * Splits `files` (in the order given) into waves: consecutive files with the same generated
 * number form one wave; every other file is a wave of its own. Waves load in order.
 */
export function importWaves(files: readonly string[], baseName: (file: string) => string): string[][] {
  const waves: string[][] = [];
  let key: string | undefined;
  for (const f of files) {
    const m = NUMBERED.exec(baseName(f));
    if (m && m[1] === key) waves[waves.length - 1]!.push(f);
    else waves.push([f]);
    key = m?.[1];
  }
  return waves;
}
