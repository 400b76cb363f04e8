// A bank account shared by two workers through a SharedArrayBuffer.
// Unmodified code: the markers are only comments.
export interface Shared {
  balance: Int32Array;
}

export function transfer(shared: Shared, amount: number): void {
  const current = shared.balance[0]!; // interlace: read_balance
  const next = current + amount;
  shared.balance[0] = next;          // interlace: write_balance
}
