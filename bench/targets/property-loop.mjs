// Property-heavy loop for the access-tracking benchmark (bench/accesses.mjs): 5 property accesses
// per iteration (`p.x = p.x + 1`: read, write; `p.y += p.x`: read, read, write), no await.
export class Point {
  x = 0;
  y = 0;
}

export function loop(p, iterations) {
  for (let i = 0; i < iterations; i++) {
    p.x = p.x + 1;
    p.y += p.x;
  }
}

export const ACCESSES_PER_ITERATION = 5;
