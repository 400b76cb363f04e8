// The loop program every pause→resume benchmark drives, whatever the transport: one marker per
// iteration, on a statement that costs nothing, so a cycle measures the debugger round trip only.
export function tick(shared, n) {
  let total = 0;
  for (let i = 0; i < n; i++) {
    total += 1; // interlace: tick
  }
  if (shared && shared.counter) shared.counter[0] = total;
  return total;
}
