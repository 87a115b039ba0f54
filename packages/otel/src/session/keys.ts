/** Baggage keys and span attributes for the session and the end user (same names on both). */
export const SESSION_ID_KEY = 'session.id';
export const USER_ID_KEY = 'user.id';
export const SESSION_KEYS = [SESSION_ID_KEY, USER_ID_KEY] as const;
