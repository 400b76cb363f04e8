// The anchor shape of the exploration benchmarks for worker and process threads: the Python
// original's `temp = self.value; self.value = temp + 1`, over a shared Int32Array.
/** @param {{ cells: Int32Array }} shared */
export function increment(shared) {
  const temp = shared.cells[0];
  shared.cells[0] = temp + 1;
}
