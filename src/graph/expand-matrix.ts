import type { Coords } from '../types/records.js';

export type Axes = Readonly<Record<string, readonly string[]>>;

/** Every combination of the axes' values, as coordinates (one empty combination when there are no axes). */
export function cartesian(axes: Axes): Coords[] {
  let combos: Record<string, string>[] = [{}];
  for (const [axis, values] of Object.entries(axes)) {
    combos = combos.flatMap((combo) => values.map((value) => ({ ...combo, [axis]: value })));
  }
  return combos;
}

/** True when two coordinate sets agree on every axis they share. */
export function compatible(a: Coords, b: Coords): boolean {
  for (const axis of Object.keys(a)) {
    if (axis in b && b[axis] !== a[axis]) return false;
  }
  return true;
}

export interface Combo<T> {
  readonly coords: Coords;
  readonly members: readonly T[];
}

/**
 * Joins upstream tasks of several needs: one combo per choice of one task from each need whose
 * coordinates agree on shared axes. `classify` after `prompts[variant=x]` inherits `variant=x`.
 */
export function joinUpstream<T extends { coords: Coords }>(groups: readonly (readonly T[])[]): Combo<T>[] {
  let combos: Combo<T>[] = [{ coords: {}, members: [] }];
  for (const group of groups) {
    const next: Combo<T>[] = [];
    for (const combo of combos) {
      for (const task of group) {
        if (compatible(combo.coords, task.coords)) {
          next.push({ coords: { ...combo.coords, ...task.coords }, members: [...combo.members, task] });
        }
      }
    }
    combos = next;
  }
  return combos;
}

/** `node[a=1,b=2]` with axes in alphabetical order, so ids are stable whatever the YAML order. */
export function taskId(nodeId: string, coords: Coords): string {
  const keys = Object.keys(coords).sort();
  if (keys.length === 0) return nodeId;
  return `${nodeId}[${keys.map((k) => `${k}=${coords[k]}`).join(',')}]`;
}
