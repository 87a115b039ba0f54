import { BadRequestError, defaultErrorMessage, errorBody } from './errors.js';
import type { Fault, Provider, QueueItem } from './types.js';

export function isFault(item: QueueItem): item is Fault {
  return 'fault' in item;
}

/** Parses the `x-mock-fault` header (a JSON `Fault`), so child processes can request one. */
export function parseFaultHeader(value: string | string[] | undefined): Fault | undefined {
  if (value === undefined) return undefined;
  const raw = Array.isArray(value) ? value[0] : value;
  try {
    return validateFault(JSON.parse(raw));
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    throw new BadRequestError(
      `x-mock-fault must be a JSON fault, e.g. {"fault":"status","status":429}: ${reason}`,
    );
  }
}

export function validateFault(value: unknown): Fault {
  const fault = value as Partial<Record<string, unknown>> | null;
  const isCount = (v: unknown) => typeof v === 'number' && Number.isFinite(v) && v >= 0;
  switch (fault?.fault) {
    case 'status':
      if (typeof fault.status === 'number' && fault.status >= 400 && fault.status <= 599) {
        if (fault.retryAfter === undefined || isCount(fault.retryAfter)) return fault as Fault;
      }
      break;
    case 'reset':
      return fault as Fault;
    case 'reset-mid-stream':
      if (isCount(fault.afterChunks)) return fault as Fault;
      break;
    case 'slow-first-byte':
      if (isCount(fault.ms)) return fault as Fault;
      break;
  }
  throw new Error(`invalid mock-llm fault: ${JSON.stringify(value)}`);
}

export interface StatusFaultResponse {
  status: number;
  headers: Record<string, string>;
  body: unknown;
}

export function statusFaultResponse(
  fault: Extract<Fault, { fault: 'status' }>,
  provider: Provider,
): StatusFaultResponse {
  const headers: Record<string, string> = {};
  if (fault.retryAfter !== undefined) headers['retry-after'] = String(fault.retryAfter);
  const body = fault.body ?? errorBody(provider, fault.status, defaultErrorMessage(fault.status));
  return { status: fault.status, headers, body };
}
