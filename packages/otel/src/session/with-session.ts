import { context, propagation } from '@opentelemetry/api';
import { SESSION_ID_KEY, USER_ID_KEY } from './keys.js';

export interface SessionInfo {
  sessionId?: string;
  userId?: string;
}

/**
 * Runs `fn` with the session and user in W3C baggage: every span started inside carries them as
 * attributes (see SessionSpanProcessor), and outgoing HTTP requests and spawned processes carry
 * them on to other services. Returns exactly what `fn` returns.
 */
export function withSession<T>(session: SessionInfo, fn: () => T): T {
  const active = context.active();
  let baggage = propagation.getBaggage(active) ?? propagation.createBaggage();
  if (session.sessionId) baggage = baggage.setEntry(SESSION_ID_KEY, { value: session.sessionId });
  if (session.userId) baggage = baggage.setEntry(USER_ID_KEY, { value: session.userId });
  return context.with(propagation.setBaggage(active, baggage), fn);
}
