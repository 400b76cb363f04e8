// Two deposits of 50 into an account holding 100: the balance must end at 200.
//
//   npx interlace run examples/bank/scenario.ts \
//     --schedule "t1:read_balance t2:read_balance t1:write_balance t2:write_balance"
//
// forces both reads before either write: one update is lost and the balance ends at 150.
import { defineScenario, thread } from "interlace";

const account = new URL("./account.ts", import.meta.url);

export default defineScenario({
  setup: () => ({ balance: new Int32Array(new SharedArrayBuffer(4)).fill(100) }),
  threads: {
    t1: thread.worker(account, "transfer", [50]),
    t2: thread.worker(account, "transfer", [50]),
  },
  invariant: (s) => s.balance[0] === 200,
});
