import { CellscopeError } from "../../lib/errors.ts";
import { jsKernels } from "../../lib/kernels/js.ts";
import { machineMemory } from "../../lib/kernels/machine_memory.ts";
import { CharRnn } from "../../lib/nn/model.ts";
import { assert, assertEquals, mustRun } from "../_assert.ts";

const readable =
  Deno.permissions.querySync({ name: "sys", kind: "systemMemoryInfo" }).state === "granted";
if (!readable && !mustRun()) {
  console.log("skip the js memory limit tests: --allow-sys=systemMemoryInfo is not granted");
}
const ignore = !readable && !mustRun();

/** MemTotal of /proc/meminfo in bytes (readable with -A only), the ground truth on Linux. */
function memTotal(): number | null {
  try {
    const m = /^MemTotal:\s+(\d+)\s+kB/m.exec(Deno.readTextFileSync("/proc/meminfo"));
    return m ? Number(m[1]) * 1024 : null;
  } catch {
    return null;
  }
}

Deno.test({
  name: "the js backend's memory limit is the machine's memory, not Infinity",
  ignore,
  fn: () => {
    assertEquals(jsKernels.memoryLimit, machineMemory());
    assert(Number.isFinite(machineMemory()), "memoryLimit is Infinity");
    assert(machineMemory() > 64 * 2 ** 20 && machineMemory() < 2 ** 50, `${machineMemory()}`);
    const total = memTotal();
    if (total !== null) assertEquals(machineMemory(), total);
  },
});

Deno.test({
  name:
    "train --backend js --layers 50 --hidden 100000 is refused in one line before anything is allocated",
  ignore,
  fn: () => {
    const big = {
      cell: "lstm",
      vocabSize: 65,
      hidden: 100000,
      layers: 50,
      embed: 0,
      dropout: 0,
    } as const;
    let error: unknown;
    try {
      new CharRnn(big, "float32", jsKernels);
    } catch (e) {
      error = e;
    }
    assert(error instanceof CellscopeError, String(error));
    const message = error.message;
    assert(/^Cannot allocate the lstm model \(50 × 100000/.test(message), message);
    assert(/needs [\d.]+ TiB of memory/.test(message), message);
    assert(message.includes("(the machine's memory)") && message.includes("--hidden"), message);
    assert(!message.includes("--backend js"), "the js backend should not suggest itself");
    assert(!message.includes("\n"));
  },
});
