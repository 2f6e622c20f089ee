import { spawn } from 'node:child_process';

/**
 * Starts a tiny detached watchdog that kills `childPid` as soon as `parentPid` is gone, so a child process
 * (here: DynamoDB Local's JVM) never outlives a test worker or CLI that was killed without running its
 * exit handlers (SIGKILL, a crashed vitest fork). Returns a function that stops the watchdog.
 *
 * @example const stopReaper = startReaper(process.pid, java.pid!); // later: stopReaper()
 */
export function startReaper(parentPid: number, childPid: number, intervalMs = 500): () => void {
  const script = `
    const [parent, child, every] = process.argv.slice(1).map(Number);
    const alive = (pid) => { try { process.kill(pid, 0); return true; } catch { return false; } };
    setInterval(() => {
      if (!alive(child)) process.exit(0);
      if (!alive(parent)) { try { process.kill(child, 'SIGKILL'); } catch {} process.exit(0); }
    }, every);`;
  const reaper = spawn(
    process.execPath,
    ['-e', script, String(parentPid), String(childPid), String(intervalMs)],
    {
      detached: true,
      stdio: 'ignore',
    },
  );
  reaper.unref();
  return () => {
    try {
      if (reaper.pid) process.kill(reaper.pid, 'SIGKILL');
    } catch {
      // already gone
    }
  };
}
