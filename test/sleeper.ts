/** A live process for the folder-lock tests to name as a lock's holder. */
import { spawn } from 'node:child_process';

/** Starts a process whose command line does (or does not) name stde-bench, killed after the test; its pid. */
export function sleeper(t: { after(f: () => void): void }, named: boolean): number {
  const child = spawn(process.execPath, ['-e', 'setTimeout(() => {}, 60000)', ...(named ? ['stde-bench'] : [])], { stdio: 'ignore' });
  t.after(() => child.kill('SIGKILL'));
  return child.pid!;
}
