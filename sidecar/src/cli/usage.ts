export const USAGE = `Usage:
  agentsight-sidecar record [options] -- COMMAND [ARGS...]
  agentsight-sidecar trace (--pid PID | --comm NAME | --all) [options]

Captures TLS plaintext (at SSL_read/SSL_write), process, file and network activity with eBPF,
rebuilds HTTP exchanges and LLM calls from it, and joins them into the application's OpenTelemetry
traces (traceparent / x-trace-id request headers, TRACEPARENT in process environments).

Commands:
  record                  Run COMMAND traced from its first instruction, with all its descendants,
                          until it exits; then flush and exit with its status.
  trace                   Trace running processes (and their descendants) until SIGINT or SIGTERM.

Options:
  --otlp-endpoint URL     Export spans as OTLP/HTTP protobuf to URL (/v1/traces is appended unless
                          present). Default: OTEL_EXPORTER_OTLP_TRACES_ENDPOINT or
                          OTEL_EXPORTER_OTLP_ENDPOINT when set; headers from OTEL_EXPORTER_OTLP_HEADERS.
  --jsonl FILE            Write every decoded record, process/file/network event, span and stats
                          snapshot to FILE, one JSON object per line.
  --service-name NAME     Resource service.name (default: OTEL_SERVICE_NAME, else agentsight-sidecar).
  --capture-content       Put HTTP bodies and GenAI messages on spans (also enabled by
                          OTEL_INSTRUMENTATION_GENAI_CAPTURE_MESSAGE_CONTENT=true).
  --redact-pattern REGEX  Redact body text matching REGEX before anything is exported (repeatable).
                          Secret headers (authorization, x-api-key, cookie, ...) are always redacted.
  --ringbuf-bytes N       Size of the BPF ring buffer in bytes (a power of two).
  --pid PID               trace: this process and its descendants (repeatable).
  --comm NAME             trace: processes that exec a program with this command name.
  --all                   trace: every process on the host.
  --quiet                 No loader progress lines and no summary on exit (warnings still show).
  -h, --help              Show this help.

Exit status: record exits with the command's status (128+N when it was killed by signal N);
2 for usage errors or missing privileges; 1 when the capture could not start or failed.
`;
