/**
 * Request/response over a forked child's IPC channel. The parent drives each benchmark child with
 * `request(message)`; the child answers with `serve(handlers)`. Errors in a handler come back as a
 * rejected promise in the parent, with the child's stack.
 */
import { fork } from 'node:child_process';

/**
 * Forks `modulePath` and resolves once it reports `ready` (its start-up is not part of any timing).
 * @returns {Promise<{ pid: number, ready: any, request: (message: object) => Promise<any>, close: () => Promise<void> }>}
 */
export function forkWorker(modulePath, { env = {}, execArgv = [], args = [] } = {}) {
  const child = fork(modulePath, args, {
    env: { ...process.env, ...env },
    execArgv,
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  const pending = new Map();
  let nextId = 1;
  let readyInfo;

  const exited = new Promise((resolve) => child.once('exit', (code, signal) => resolve({ code, signal })));
  const ready = new Promise((resolve, reject) => {
    child.once('error', reject);
    exited.then(({ code, signal }) => {
      const error = new Error(`${modulePath} exited (code ${code}, signal ${signal})`);
      reject(error);
      for (const { reject: fail } of pending.values()) fail(error);
      pending.clear();
    });
    child.on('message', (message) => {
      if (message.type === 'ready') {
        readyInfo = message.info;
        resolve();
        return;
      }
      const waiter = pending.get(message.id);
      if (!waiter) return;
      pending.delete(message.id);
      if (message.error) waiter.reject(new Error(`${modulePath}: ${message.error}`));
      else waiter.resolve(message.result);
    });
  });

  const request = (message) =>
    new Promise((resolve, reject) => {
      const id = nextId++;
      pending.set(id, { resolve, reject });
      child.send({ ...message, id });
    });
  const close = async () => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    child.kill('SIGTERM');
    await exited;
  };
  return ready.then(() => ({ pid: child.pid, ready: readyInfo, request, close }));
}

/** Child side: answers parent requests by `message.cmd`, then announces readiness with `info`. */
export function serve(handlers, info = {}) {
  process.on('message', async (message) => {
    const handler = handlers[message.cmd];
    try {
      if (!handler) throw new Error(`unknown command '${message.cmd}'`);
      process.send({ id: message.id, result: await handler(message) });
    } catch (error) {
      process.send({
        id: message.id,
        error: error instanceof Error ? (error.stack ?? error.message) : String(error),
      });
    }
  });
  // The parent ends us with SIGTERM; leave without waiting for keep-alive sockets.
  process.on('SIGTERM', () => process.exit(0));
  process.on('disconnect', () => process.exit(0));
  process.send({ type: 'ready', info });
}
