// The memory of a running server, read from /proc: npm start runs npm, a shell and tsx above the server itself,
// so the server is the process of the tree that holds the most memory.

import { readdir, readFile } from 'node:fs/promises';

/** Resident memory of one process, now and at its peak, in MB. */
export interface ProcessMemory {
  pid: number;
  rssMb: number;
  peakRssMb: number;
}

const MB = 1024 * 1024;

async function readProc(pid: number, file: string): Promise<string | null> {
  try {
    return await readFile(`/proc/${pid}/${file}`, 'utf8');
  } catch {
    return null;
  }
}

/** Every process below `rootPid` (and itself), from the parent ids of /proc/<pid>/stat. */
async function processTree(rootPid: number): Promise<number[]> {
  const children = new Map<number, number[]>();
  for (const entry of await readdir('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    const stat = await readProc(Number(entry), 'stat');
    // The command name may hold spaces and parentheses: the parent id is the second field after its last ')'.
    const parent = Number(stat?.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
    if (!Number.isInteger(parent)) continue;
    children.set(parent, [...(children.get(parent) ?? []), Number(entry)]);
  }
  const tree = [rootPid];
  for (let i = 0; i < tree.length; i += 1) tree.push(...(children.get(tree[i] as number) ?? []));
  return tree;
}

function kilobytes(status: string, field: string): number {
  const match = new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(status);
  return match === null ? 0 : Number(match[1]) * 1024;
}

/** The memory of process `pid`, or null when it has ended. */
export async function processMemory(pid: number): Promise<ProcessMemory | null> {
  const status = await readProc(pid, 'status');
  return status === null ? null : { pid, rssMb: kilobytes(status, 'VmRSS') / MB, peakRssMb: kilobytes(status, 'VmHWM') / MB };
}

/**
 * The memory of the process below `rootPid` (or itself) with the largest resident set.
 * @throws Error when the tree has ended.
 */
export async function largestProcessMemory(rootPid: number): Promise<ProcessMemory> {
  let largest: ProcessMemory | null = null;
  for (const pid of await processTree(rootPid)) {
    const memory = await processMemory(pid);
    if (memory === null) continue;
    if (largest === null || memory.rssMb > largest.rssMb) largest = memory;
  }
  if (largest === null) throw new Error(`process ${rootPid} has ended`);
  return largest;
}
