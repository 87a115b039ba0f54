#!/usr/bin/env node
import { parseCliArgs, UsageError } from './cli/args.js';
import { runRecord } from './cli/record.js';
import { SessionError } from './cli/session.js';
import { runTrace } from './cli/trace.js';
import { USAGE } from './cli/usage.js';

async function main(args: string[]): Promise<number> {
  try {
    const cli = parseCliArgs(args);
    switch (cli.command) {
      case 'help':
        process.stdout.write(USAGE);
        return 0;
      case 'record':
        return await runRecord(cli.options, cli.argv);
      case 'trace':
        return await runTrace(cli.options, cli.target);
    }
  } catch (error) {
    if (error instanceof UsageError) {
      process.stderr.write(`agentsight-sidecar: ${error.message}\n\n${USAGE}`);
      return 2;
    }
    if (error instanceof SessionError) {
      process.stderr.write(`agentsight-sidecar: ${error.message}\n`);
      return error.exitCode;
    }
    process.stderr.write(`agentsight-sidecar: ${(error as Error).stack ?? String(error)}\n`);
    return 1;
  }
}

/** Grace for stdout/stderr to drain before a handle someone leaked is allowed to keep us alive. */
const EXIT_GRACE_MS = 2000;

main(process.argv.slice(2)).then((code) => {
  process.exitCode = code;
  setTimeout(() => process.exit(code), EXIT_GRACE_MS).unref();
});
