// What every Stratus entry point does around its component: run it, exit 0 when it stops
// cleanly, and on failure print one JSON log line (the components' own logger may not exist
// yet, e.g. when configuration is invalid) and exit 1 so the kubelet restarts the pod.
export function runProcess(component: string, main: () => Promise<void>): void {
  main().then(
    () => process.exit(0),
    (error: unknown) => {
      const line = {
        level: 'error',
        time: new Date().toISOString(),
        component,
        msg: `${component} failed`,
        error: error instanceof Error ? error.message : String(error),
      };
      process.stderr.write(`${JSON.stringify(line)}\n`);
      process.exit(1);
    },
  );
}
