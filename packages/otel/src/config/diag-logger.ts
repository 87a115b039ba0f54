import { DiagConsoleLogger, DiagLogLevel, diag } from '@opentelemetry/api';
import { diagLogLevelFromString, getStringFromEnv } from '@opentelemetry/core';

/**
 * SDK 2.x no longer wires OTEL_LOG_LEVEL to a logger. Install a console logger when it is set,
 * or at INFO in debug mode; otherwise leave the app's own diag logger (or none) alone.
 */
export function configureDiagLogger(debug: boolean): void {
  const level = diagLogLevelFromString(getStringFromEnv('OTEL_LOG_LEVEL'));
  if (level !== undefined) diag.setLogger(new DiagConsoleLogger(), level);
  else if (debug) diag.setLogger(new DiagConsoleLogger(), DiagLogLevel.INFO);
}
